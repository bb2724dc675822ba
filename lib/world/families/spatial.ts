/**
 * Spatial family:
 * - relations with a yes/no answer: "is the red circle left of the blue square?" (also right
 *   of, above, below); both named objects are unique in the scene; above/below is only asked
 *   when the two objects are in different bands, so it is decided by the bands;
 * - extremes with a colour answer: "what colour is the leftmost shape?" (or rightmost).
 * Yes and no are equally likely; the layout is redrawn until it gives the planned answer.
 */
import { objectName } from '../describe.js';
import { matching, placeObjects, randomAttrs, randomObjects, rowIndex, type ObjectAttrs, type SceneObject } from '../scene.js';
import { ROW_PHRASE } from '../vocabulary.js';
import { checkPlanned, conclude, type Draft, type Family, type FamilyContext } from './types.js';

const RELATIONS = ['left of', 'right of', 'above', 'below'] as const;
type Relation = (typeof RELATIONS)[number];

/** The relation read off placed objects; null when the scene cannot decide it. */
function holds(rel: Relation, a: SceneObject, b: SceneObject): boolean | null {
  switch (rel) {
    case 'left of':
      return a.x < b.x;
    case 'right of':
      return a.x > b.x;
    case 'above':
      return a.row === b.row ? null : rowIndex(a.row) < rowIndex(b.row);
    case 'below':
      return a.row === b.row ? null : rowIndex(a.row) > rowIndex(b.row);
  }
}

function unique(objects: SceneObject[], t: ObjectAttrs): SceneObject {
  const m = matching(objects, { colour: t.colour, shape: t.shape });
  if (m.length !== 1) throw new Error(`world family spatial: expected one ${t.colour} ${t.shape}, found ${m.length}`);
  return m[0]!;
}

function relationDraft(ctx: FamilyContext): Draft {
  const { rng } = ctx;
  const rel = rng.pick(RELATIONS);
  const a = randomAttrs(rng);
  const b = randomAttrs(rng, (o) => o.colour !== a.colour || o.shape !== a.shape);
  const named = (o: ObjectAttrs) => (o.colour === a.colour && o.shape === a.shape) || (o.colour === b.colour && o.shape === b.shape);
  const n = rng.int(2, ctx.maxObjects);
  const planned = rng.chance(0.5);
  const attrs = [a, b, ...randomObjects(rng, n - 2, (o) => !named(o))];
  const scene = placeObjects(rng, attrs, ctx, (objs) => holds(rel, unique(objs, a), unique(objs, b)) === planned);
  const pa = unique(scene.objects, a);
  const pb = unique(scene.objects, b);
  const answer = holds(rel, pa, pb) ? 'yes' : 'no';
  checkPlanned('spatial', planned ? 'yes' : 'no', answer);
  const think =
    rel === 'left of' || rel === 'right of'
      ? `from left to right, the ${objectName(pa)} comes ${pa.x < pb.x ? 'before' : 'after'} the ${objectName(pb)}.`
      : `the ${objectName(pa)} is ${ROW_PHRASE[pa.row]} and the ${objectName(pb)} is ${ROW_PHRASE[pb.row]}.`;
  return {
    question: `is the ${a.colour} ${a.shape} ${rel} the ${b.colour} ${b.shape}?`,
    template: `is the {colour} {shape} ${rel} the {colour} {shape}?`,
    scene,
    answer,
    think: `${think} ${conclude(answer)}`,
  };
}

function extremeDraft(ctx: FamilyContext): Draft {
  const { rng } = ctx;
  const side = rng.pick(['leftmost', 'rightmost'] as const);
  const n = rng.int(2, ctx.maxObjects);
  const scene = placeObjects(rng, randomObjects(rng, n), ctx);
  const objs = scene.objects;
  const o = side === 'leftmost' ? objs[0]! : objs[objs.length - 1]!;
  const answer = o.colour;
  return {
    question: `what colour is the ${side} shape?`,
    template: `what colour is the ${side} shape?`,
    scene,
    answer,
    think: `from left to right, the ${side === 'leftmost' ? 'first' : 'last'} shape is the ${objectName(o)}. ${conclude(answer)}`,
  };
}

export const spatial: Family = {
  name: 'spatial',
  usesPrior: false,
  generate(ctx: FamilyContext): Draft {
    return ctx.rng.chance(2 / 3) ? relationDraft(ctx) : extremeDraft(ctx);
  },
};
