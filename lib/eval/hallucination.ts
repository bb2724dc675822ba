/**
 * Hallucination of a description measured against the scene itself (docs/method.md,
 * "Hallucination against the scene"). The built-in world knows every object it drew, so a
 * model's `<description>` can be checked claim by claim instead of only through pass 2.
 *
 * The parser reads the world's description language ("there are 2 shapes, from left to
 * right: a small red circle at the top and a large blue square in the middle.") and is lenient
 * on purpose: a model's text may reorder words, add words or be garbled. Every shape word
 * ("circle", "stars") or generic noun ("shape", "objects") heads a phrase; the colour, size and
 * determiner nearest before it (back to the previous head) belong to it, and a head without a
 * colour before it takes one that follows it before the next comma, "and" or full stop ("a
 * circle that is red"). Words the world does not use are skipped. Pure functions, no model.
 */
import { findDescription } from '../text/response.js';
import { matching, type Scene } from '../world/scene.js';
import { COLOURS, PLURAL, SHAPES, SIZES, type Colour, type Shape, type Size } from '../world/vocabulary.js';

/** A stated object: colour and shape, with size when the text gives one. */
export interface ObjectClaim { colour: Colour; shape: Shape; size: Size | null }

/**
 * A stated count of the objects matching the given attributes (all null = every object).
 * 'number': an explicit number ("2 red circles", "there are 3 shapes"); 'negation': "no red
 * circle", "not a star", "0 squares" (a count of 0); 'repeated': the same colour and shape
 * introduced k >= 2 times ("a red circle ... a red circle").
 */
export interface CountClaim { colour: Colour | null; shape: Shape | null; size: Size | null; count: number; source: 'number' | 'negation' | 'repeated' }

/** Everything a description states about the scene. */
export interface DescriptionClaims {
  /** With multiplicity: "2 red circles" is two claims. */
  objects: ObjectClaim[];
  /** Colours stated as present (without duplicates, sorted). */
  colours: Colour[];
  /** Shapes stated as present (without duplicates, sorted). */
  shapes: Shape[];
  /** Without duplicates. */
  counts: CountClaim[];
}

/** The rates a description is scored by (of one response, or their means over many); null where undefined. */
export interface DescriptionRates {
  /** Stated objects that exist (matched one to one) / stated objects. */
  objectPrecision: number | null;
  /** Scene objects stated / scene objects. */
  objectRecall: number | null;
  /** 1 - objectPrecision. */
  hallucinationRate: number | null;
  colourPrecision: number | null;
  colourRecall: number | null;
  shapePrecision: number | null;
  shapeRecall: number | null;
  /** Count claims that equal the scene's count / count claims. */
  countAccuracy: number | null;
}

/** Scores of one response; every rate is null where its denominator is 0. */
export interface DescriptionScore extends DescriptionRates {
  /** The response had no `<description>...</description>` block: nothing is scored. */
  missing: boolean;
  objectsStated: number;
  objectsMatched: number;
  sceneObjects: number;
  countsStated: number;
  countsCorrect: number;
}

const NUMBER_WORDS: Record<string, number> = { zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };
const SIZE_WORDS: Record<string, Size> = { small: 'small', large: 'large', big: 'large', little: 'small', tiny: 'small' };
const GENERIC_HEADS = new Set(['shape', 'shapes', 'object', 'objects', 'thing', 'things', 'item', 'items']);
const BOUNDARIES = new Set(['.', ',', ':', ';', '?', '!', 'and']);
const NEGATIONS = new Set(['no', 'none', 'not']);
/** Larger explicit numbers are garbage; capping keeps a garbled "99 circles" from allocating 99 claims. */
const MAX_COUNT = 20;
const SHAPE_OF_WORD = new Map<string, { shape: Shape; plural: boolean }>(
  SHAPES.flatMap((s) => [[s, { shape: s, plural: false }], [PLURAL[s], { shape: s, plural: true }]] as const),
);
const isColour = (w: string): w is Colour => (COLOURS as readonly string[]).includes(w);

type Determiner = { kind: 'number'; n: number } | { kind: 'indefinite' } | { kind: 'definite' } | { kind: 'negation' } | null;

function determinerOf(w: string): Determiner {
  if (/^\d+$/.test(w)) return Number(w) === 0 ? { kind: 'negation' } : { kind: 'number', n: Math.min(Number(w), MAX_COUNT) };
  if (w in NUMBER_WORDS) return NUMBER_WORDS[w] === 0 ? { kind: 'negation' } : { kind: 'number', n: NUMBER_WORDS[w]! };
  if (w === 'a' || w === 'an') return { kind: 'indefinite' };
  if (w === 'the') return { kind: 'definite' };
  if (w === 'no' || w === 'none') return { kind: 'negation' };
  return null;
}

/** Lowercase word, number and punctuation tokens (digit runs stay one token, unlike the tokenizer). */
function tokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+|\d+|[^\sa-z0-9]/g) ?? [];
}

/** The claims a description states (see the file comment for the reading rules). */
export function parseDescription(text: string): DescriptionClaims {
  const t = tokens(text);
  const objects: ObjectClaim[] = [];
  const colours = new Set<Colour>();
  const shapes = new Set<Shape>();
  const counts: CountClaim[] = [];
  const introduced: ObjectClaim[] = []; // indefinite mentions, for 'repeated' counts
  const explicitKinds = new Set<string>();
  let start = 0; // first token not yet owned by a head
  for (let i = 0; i < t.length; i++) {
    const w = t[i]!;
    const shapeWord = SHAPE_OF_WORD.get(w);
    if (!shapeWord && !GENERIC_HEADS.has(w)) continue;
    let colour: Colour | null = null, size: Size | null = null, det: Determiner = null, negated = false, sawBoundary = false;
    const extraColours: Colour[] = []; // "red and blue circles": blue heads the phrase, red is still stated
    for (let j = i - 1; j >= start; j--) {
      const x = t[j]!;
      if (isColour(x)) { if (colour === null) colour = x; else extraColours.push(x); }
      else if (x in SIZE_WORDS) size ??= SIZE_WORDS[x]!;
      else if (BOUNDARIES.has(x)) sawBoundary = true;
      else if (!sawBoundary) {
        // Determiners and "not" act inside their own clause only.
        det ??= determinerOf(x);
        if (NEGATIONS.has(x)) negated = true;
      }
    }
    let end = i + 1;
    if (colour === null) {
      for (let j = i + 1; j < t.length && !BOUNDARIES.has(t[j]!) && !SHAPE_OF_WORD.has(t[j]!) && !GENERIC_HEADS.has(t[j]!); j++) {
        const x = t[j]!;
        if (isColour(x)) { colour = x; end = j + 1; break; }
        if (x in SIZE_WORDS) size ??= SIZE_WORDS[x]!;
      }
    }
    start = end;
    i = end - 1;
    const shape = shapeWord?.shape ?? null;
    if (negated || det?.kind === 'negation') {
      counts.push({ colour, shape, size, count: 0, source: 'negation' });
      continue;
    }
    for (const x of [colour, ...extraColours]) if (x !== null) colours.add(x);
    if (shape !== null) shapes.add(shape);
    if (det?.kind === 'number') {
      counts.push({ colour, shape, size, count: det.n, source: 'number' });
      explicitKinds.add(`${colour}/${shape}`);
      if (colour !== null && shape !== null) for (let k = 0; k < det.n; k++) objects.push({ colour, shape, size });
      continue;
    }
    if (colour === null || shape === null) continue;
    const claim: ObjectClaim = { colour, shape, size };
    // "the red circle" after "a red circle" names the same object again.
    if (det?.kind === 'definite' && objects.some((o) => o.colour === colour && o.shape === shape && (o.size === size || o.size === null || size === null))) continue;
    objects.push(claim);
    introduced.push(claim);
  }
  for (let j = start; j < t.length; j++) if (isColour(t[j]!)) colours.add(t[j] as Colour); // colours after the last head
  const repeated = new Map<string, { colour: Colour; shape: Shape; k: number }>();
  for (const o of introduced) {
    const key = `${o.colour}/${o.shape}`;
    const r = repeated.get(key) ?? { colour: o.colour, shape: o.shape, k: 0 };
    r.k++;
    repeated.set(key, r);
  }
  for (const [key, r] of repeated) if (r.k >= 2 && !explicitKinds.has(key)) counts.push({ colour: r.colour, shape: r.shape, size: null, count: r.k, source: 'repeated' });
  const seen = new Set<string>();
  const uniqueCounts = counts.filter((c) => {
    const key = `${c.colour}/${c.shape}/${c.size}/${c.count}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return { objects, colours: [...colours].sort(), shapes: [...shapes].sort(), counts: uniqueCounts };
}

/**
 * Stated objects matched one to one with scene objects of the same colour and shape (and size,
 * when stated). Within one colour and shape, claims with a size go first: they can only take an
 * object of that size, so this order gives the largest matching.
 */
export function matchObjects(claims: readonly ObjectClaim[], scene: Scene): number {
  const free = scene.objects.map(() => true);
  const ordered = [...claims].sort((a, b) => Number(a.size === null) - Number(b.size === null));
  let matched = 0;
  for (const c of ordered) {
    const j = scene.objects.findIndex((o, k) => free[k] && o.colour === c.colour && o.shape === c.shape && (c.size === null || o.size === c.size));
    if (j >= 0) { free[j] = false; matched++; }
  }
  return matched;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

function setScores<T>(stated: readonly T[], present: ReadonlySet<T>): [number | null, number | null] {
  const hit = stated.filter((x) => present.has(x)).length;
  return [ratio(hit, stated.length), ratio(hit, present.size)];
}

/** Scores a description text (null = the response had none) against the scene. */
export function scoreDescription(description: string | null, scene: Scene): DescriptionScore {
  const sceneObjects = scene.objects.length;
  if (description === null) {
    return { missing: true, objectsStated: 0, objectsMatched: 0, sceneObjects, objectPrecision: null, objectRecall: null, hallucinationRate: null, colourPrecision: null, colourRecall: null, shapePrecision: null, shapeRecall: null, countsStated: 0, countsCorrect: 0, countAccuracy: null };
  }
  const c = parseDescription(description);
  const matched = matchObjects(c.objects, scene);
  const objectPrecision = ratio(matched, c.objects.length);
  const [colourPrecision, colourRecall] = setScores(c.colours, new Set(scene.objects.map((o) => o.colour)));
  const [shapePrecision, shapeRecall] = setScores(c.shapes, new Set(scene.objects.map((o) => o.shape)));
  const countsCorrect = c.counts.filter((k) => matching(scene.objects, { colour: k.colour ?? undefined, shape: k.shape ?? undefined, size: k.size ?? undefined }).length === k.count).length;
  return {
    missing: false, objectsStated: c.objects.length, objectsMatched: matched, sceneObjects,
    objectPrecision, objectRecall: ratio(matched, sceneObjects), hallucinationRate: objectPrecision === null ? null : 1 - objectPrecision,
    colourPrecision, colourRecall, shapePrecision, shapeRecall,
    countsStated: c.counts.length, countsCorrect, countAccuracy: ratio(countsCorrect, c.counts.length),
  };
}

/** Scores the first `<description>` block of a raw pass-1 response (as pass 2 would read it). */
export function scoreResponse(response: string, scene: Scene): DescriptionScore {
  return scoreDescription(findDescription(response), scene);
}

/** Parses and checks a world row's `scene` column (JSON text); `where` names the row in errors. */
export function parseSceneColumn(text: string, where: string): Scene {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${where}: 'scene' column is not JSON`);
  }
  const objs = (v as { objects?: unknown } | null)?.objects;
  if (!Array.isArray(objs)) throw new Error(`${where}: 'scene' column must be an object with an 'objects' list`);
  objs.forEach((o: Record<string, unknown>, i) => {
    const ok = o !== null && typeof o === 'object' && isColour(String(o.colour)) && (SHAPES as readonly string[]).includes(String(o.shape)) && (SIZES as readonly string[]).includes(String(o.size));
    if (!ok) throw new Error(`${where}: scene object ${i} needs a colour (${COLOURS.join('/')}), a shape (${SHAPES.join('/')}) and a size (${SIZES.join('/')})`);
  });
  return v as Scene;
}
