/**
 * Comparison family:
 * - "are there more red shapes than blue shapes?" / "are there more circles than squares?"
 *   (yes/no, equally likely; ties answer no);
 * - "which is bigger, the red shape or the blue shape?" (a colour; each named colour is on
 *   exactly one object and the two sizes differ).
 */
import { countOf, countShapes, objectName, thereIs } from '../describe.js';
import type { Rng } from '../prng.js';
import { matching, placeObjects, randomAttrs, randomObjects, twoColourScene, type ObjectAttrs } from '../scene.js';
import { COLOURS, PLURAL, SHAPES, SIZES } from '../vocabulary.js';
import { checkPlanned, conclude, type Draft, type Family, type FamilyContext } from './types.js';

/** A uniform (k1, k2) with 1 <= k1 + k2 <= max and (k1 > k2) === more. */
function drawCounts(rng: Rng, max: number, more: boolean): [number, number] {
  const pairs: Array<[number, number]> = [];
  for (let k1 = 0; k1 <= max; k1++) for (let k2 = 0; k1 + k2 <= max; k2++) if (k1 + k2 >= 1 && k1 > k2 === more) pairs.push([k1, k2]);
  return rng.pick(pairs);
}

function moreColourDraft(ctx: FamilyContext): Draft {
  const { rng } = ctx;
  const [c1, c2] = rng.shuffle(COLOURS);
  const planned = rng.chance(0.5);
  const [k1, k2] = drawCounts(rng, ctx.maxObjects, planned);
  const n = rng.int(k1 + k2, ctx.maxObjects);
  const { scene, m1, m2 } = twoColourScene(rng, c1!, c2!, k1, k2, n, ctx);
  const answer = m1 > m2 ? 'yes' : 'no';
  checkPlanned('compare', planned ? 'yes' : 'no', answer);
  return {
    question: `are there more ${c1} shapes than ${c2} shapes?`,
    template: 'are there more {colour} shapes than {colour} shapes?',
    scene,
    answer,
    think:
      `${thereIs(m1)} ${countOf(m1, `${c1} shape`, `${c1} shapes`)} and ${countOf(m2, `${c2} shape`, `${c2} shapes`)}. ` +
      `${m1} is ${m1 > m2 ? '' : 'not '}more than ${m2}. ${conclude(answer)}`,
  };
}

function moreShapeDraft(ctx: FamilyContext): Draft {
  const { rng } = ctx;
  const [s1, s2] = rng.shuffle(SHAPES);
  const planned = rng.chance(0.5);
  const [k1, k2] = drawCounts(rng, ctx.maxObjects, planned);
  const n = rng.int(k1 + k2, ctx.maxObjects);
  const attrs = [
    ...randomObjects(rng, k1, (a) => a.shape === s1),
    ...randomObjects(rng, k2, (a) => a.shape === s2),
    ...randomObjects(rng, n - k1 - k2, (a) => a.shape !== s1 && a.shape !== s2),
  ];
  const scene = placeObjects(rng, attrs, ctx);
  const m1 = matching(scene.objects, { shape: s1! }).length;
  const m2 = matching(scene.objects, { shape: s2! }).length;
  const answer = m1 > m2 ? 'yes' : 'no';
  checkPlanned('compare', planned ? 'yes' : 'no', answer);
  return {
    question: `are there more ${PLURAL[s1!]} than ${PLURAL[s2!]}?`,
    template: 'are there more {shapes} than {shapes}?',
    scene,
    answer,
    think: `${thereIs(m1)} ${countShapes(m1, s1!)} and ${countShapes(m2, s2!)}. ${m1} is ${m1 > m2 ? '' : 'not '}more than ${m2}. ${conclude(answer)}`,
  };
}

function biggerDraft(ctx: FamilyContext): Draft {
  const { rng } = ctx;
  const [c1, c2] = rng.shuffle(COLOURS);
  const [z1, z2] = rng.shuffle(SIZES);
  const n = rng.int(2, ctx.maxObjects);
  const attrs: ObjectAttrs[] = [
    randomAttrs(rng, (a) => a.colour === c1 && a.size === z1),
    randomAttrs(rng, (a) => a.colour === c2 && a.size === z2),
    ...randomObjects(rng, n - 2, (a) => a.colour !== c1 && a.colour !== c2),
  ];
  const scene = placeObjects(rng, attrs, ctx);
  const o1 = matching(scene.objects, { colour: c1! });
  const o2 = matching(scene.objects, { colour: c2! });
  if (o1.length !== 1 || o2.length !== 1) throw new Error('world family compare: named colours must each be on one object');
  const answer = o1[0]!.size === 'large' ? c1! : c2!;
  checkPlanned('compare', z1 === 'large' ? c1! : c2!, answer);
  return {
    question: `which is bigger, the ${c1} shape or the ${c2} shape?`,
    template: 'which is bigger, the {colour} shape or the {colour} shape?',
    scene,
    answer,
    think: `the ${c1} shape is the ${objectName(o1[0]!)} and the ${c2} shape is the ${objectName(o2[0]!)}. ${conclude(answer)}`,
  };
}

export const compare: Family = {
  name: 'compare',
  usesPrior: false,
  generate(ctx: FamilyContext): Draft {
    const form = ctx.rng.int(0, 2);
    return form === 0 ? moreColourDraft(ctx) : form === 1 ? moreShapeDraft(ctx) : biggerDraft(ctx);
  },
};
