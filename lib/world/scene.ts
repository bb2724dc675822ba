/**
 * Scenes of the synthetic world: 1-4 flat shapes on a light background.
 *
 * Layout rules that make questions answerable from a description alone:
 * - each object sits in one of three horizontal bands (top, middle, bottom), near the band's
 *   centre line, so "above" is decided by the band and is visible without doubt;
 * - the x centres of any two objects differ by at least MIN_DX (scaled), so "left of" and the
 *   left-to-right order of the description are unambiguous;
 * - bounding boxes never touch (a gap of at least GAP pixels), so shapes never overlap and two
 *   objects of one colour stay separate blobs.
 * Geometry is stored in pixels of the rendered image, for the image size the scene was made for.
 */
import type { Rng } from './prng.js';
import { COLOURS, ROWS, SHAPES, SIZES, type Colour, type Row, type Shape, type Size } from './vocabulary.js';

/** What an object is, before it has a place. */
export interface ObjectAttrs {
  colour: Colour;
  shape: Shape;
  size: Size;
}

/** A placed object. `r` is the half-extent of its bounding box in pixels. */
export interface SceneObject extends ObjectAttrs {
  x: number;
  y: number;
  r: number;
  row: Row;
}

/** A scene; `objects` are sorted left to right (increasing x). */
export interface Scene {
  width: number;
  height: number;
  objects: SceneObject[];
}

/** Reference geometry at 112 px; scaled linearly for other sizes. */
const BASE = 112;
const RADIUS: Record<Size, number> = { small: 9, large: 14 };
const ROW_CENTRE: Record<Row, number> = { top: 0.2, middle: 0.5, bottom: 0.8 };
const ROW_JITTER = 3;
const MIN_DX = 6;
const GAP = 2;
const EDGE = 2;

/**
 * Where objects are drawn: the image side in pixels, and a factor on the objects' size
 * (WorldSettings.objectScale; 1 = the reference radii). A plain number is an image size at scale 1.
 */
export type Geometry = number | { imageSize: number; objectScale?: number };
const sizeOf = (g: Geometry) => (typeof g === 'number' ? g : g.imageSize);
const scaleOf = (g: Geometry) => (typeof g === 'number' ? 1 : g.objectScale ?? 1);

/** Bounding half-extent of an object of this size in an image `imageSize` pixels wide. */
export function objectRadius(size: Size, imageSize: number, objectScale = 1): number {
  return (RADIUS[size] * imageSize * objectScale) / BASE;
}

/** A uniformly random object whose attributes pass `accept` (rejection sampling). */
export function randomAttrs(rng: Rng, accept: (a: ObjectAttrs) => boolean = () => true): ObjectAttrs {
  for (let i = 0; i < 1000; i++) {
    const a: ObjectAttrs = { colour: rng.pick(COLOURS), shape: rng.pick(SHAPES), size: rng.pick(SIZES) };
    if (accept(a)) return a;
  }
  throw new Error('randomAttrs: no object satisfies the constraint after 1000 draws');
}

/** `n` random objects, each passing `accept`. */
export function randomObjects(rng: Rng, n: number, accept?: (a: ObjectAttrs) => boolean): ObjectAttrs[] {
  return Array.from({ length: n }, () => randomAttrs(rng, accept));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function fits(o: SceneObject, placed: SceneObject[], imageSize: number): boolean {
  const s = imageSize / BASE;
  for (const p of placed) {
    if (Math.abs(p.x - o.x) < MIN_DX * s) return false;
    const sep = p.r + o.r + GAP * s;
    if (Math.abs(p.x - o.x) < sep && Math.abs(p.y - o.y) < sep) return false;
  }
  return true;
}

/** One random placement of `attrs` (in their order), or null when it got stuck. */
function tryPlace(rng: Rng, attrs: ObjectAttrs[], imageSize: number, objectScale: number): SceneObject[] | null {
  const s = imageSize / BASE;
  const placed: SceneObject[] = [];
  for (const a of attrs) {
    const r = objectRadius(a.size, imageSize, objectScale);
    let ok = false;
    for (let t = 0; t < 60 && !ok; t++) {
      const row = rng.pick(ROWS);
      const x = round2(rng.uniform(r + EDGE * s, imageSize - r - EDGE * s));
      const y = round2(ROW_CENTRE[row] * imageSize + rng.uniform(-ROW_JITTER, ROW_JITTER) * s);
      const o: SceneObject = { ...a, x, y, r: round2(r), row };
      if (fits(o, placed, imageSize)) {
        placed.push(o);
        ok = true;
      }
    }
    if (!ok) return null;
  }
  return placed;
}

/**
 * Places objects without overlap and returns the scene (objects sorted left to right).
 * `accept` is an extra layout constraint (e.g. "the red circle is left of the blue square");
 * placements are redrawn until it holds.
 */
export function placeObjects(
  rng: Rng,
  attrs: ObjectAttrs[],
  geometry: Geometry,
  accept: (objects: SceneObject[]) => boolean = () => true,
): Scene {
  const imageSize = sizeOf(geometry);
  if (attrs.length < 1 || attrs.length > 4) throw new Error(`placeObjects: expected 1-4 objects, got ${attrs.length}`);
  if (!Number.isInteger(imageSize) || imageSize < 32) throw new Error(`placeObjects: image size must be an integer >= 32, got ${imageSize}`);
  for (let attempt = 0; attempt < 500; attempt++) {
    const placed = tryPlace(rng, rng.shuffle(attrs), imageSize, scaleOf(geometry));
    if (!placed) continue;
    placed.sort((a, b) => a.x - b.x);
    if (accept(placed)) return { width: imageSize, height: imageSize, objects: placed };
  }
  throw new Error(`placeObjects: could not place ${attrs.length} objects under the constraint in 500 attempts`);
}

/** Index of a row from the top (0 = top). */
export function rowIndex(row: Row): number {
  return ROWS.indexOf(row);
}

/** Objects matching a partial description. */
export function matching<T extends ObjectAttrs>(objects: readonly T[], q: Partial<ObjectAttrs>): T[] {
  return objects.filter(
    (o) => (q.colour === undefined || o.colour === q.colour) && (q.shape === undefined || o.shape === q.shape) && (q.size === undefined || o.size === q.size),
  );
}

/**
 * A scene with exactly k1 objects of colour c1, k2 of colour c2 and n - k1 - k2 of other
 * colours, and the counts of each named colour as drawn (families that ask about two colours).
 */
export function twoColourScene(rng: Rng, c1: Colour, c2: Colour, k1: number, k2: number, n: number, geometry: Geometry): { scene: ReturnType<typeof placeObjects>; m1: number; m2: number } {
  const attrs = [
    ...randomObjects(rng, k1, (a) => a.colour === c1),
    ...randomObjects(rng, k2, (a) => a.colour === c2),
    ...randomObjects(rng, n - k1 - k2, (a) => a.colour !== c1 && a.colour !== c2),
  ];
  const scene = placeObjects(rng, attrs, geometry);
  return { scene, m1: matching(scene.objects, { colour: c1 }).length, m2: matching(scene.objects, { colour: c2 }).length };
}
