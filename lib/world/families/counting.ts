/**
 * Counting families: "how many red shapes are there?" and "how many circles are there?".
 * The count is drawn first (uniform over what the object budget allows), then the scene is
 * built around it, so counts of 0 and of several objects are both common.
 */
import { countOf, theList } from '../describe.js';
import { matching, placeObjects, randomObjects } from '../scene.js';
import { COLOURS, PLURAL, SHAPES } from '../vocabulary.js';
import { checkPlanned, conclude, type Draft, type Family, type FamilyContext } from './types.js';

function countThink(found: Parameters<typeof theList>[0], k: number, noun: string, nounPlural: string, none: string): string {
  if (k === 0) return `${none}. ${conclude('0')}`;
  if (k === 1) return `the only ${noun} is ${theList(found)}. ${conclude('1')}`;
  return `the ${nounPlural} are ${theList(found)}, that is ${countOf(k, noun, nounPlural)}. ${conclude(String(k))}`;
}

export const countColour: Family = {
  name: 'count_colour',
  usesPrior: false,
  generate(ctx: FamilyContext): Draft {
    const { rng } = ctx;
    const colour = rng.pick(COLOURS);
    const n = rng.int(1, ctx.maxObjects);
    const k = rng.int(0, n);
    const attrs = [
      ...randomObjects(rng, k, (a) => a.colour === colour),
      ...randomObjects(rng, n - k, (a) => a.colour !== colour),
    ];
    const scene = placeObjects(rng, attrs, ctx);
    const found = matching(scene.objects, { colour });
    const answer = String(found.length);
    checkPlanned('count_colour', String(k), answer);
    return {
      question: `how many ${colour} shapes are there?`,
      template: 'how many {colour} shapes are there?',
      scene,
      answer,
      think: countThink(found, found.length, `${colour} shape`, `${colour} shapes`, `no shape is ${colour}`),
    };
  },
};

export const countShape: Family = {
  name: 'count_shape',
  usesPrior: false,
  generate(ctx: FamilyContext): Draft {
    const { rng } = ctx;
    const shape = rng.pick(SHAPES);
    const n = rng.int(1, ctx.maxObjects);
    const k = rng.int(0, n);
    const attrs = [
      ...randomObjects(rng, k, (a) => a.shape === shape),
      ...randomObjects(rng, n - k, (a) => a.shape !== shape),
    ];
    const scene = placeObjects(rng, attrs, ctx);
    const found = matching(scene.objects, { shape });
    const answer = String(found.length);
    checkPlanned('count_shape', String(k), answer);
    return {
      question: `how many ${PLURAL[shape]} are there?`,
      template: 'how many {shapes} are there?',
      scene,
      answer,
      think: countThink(found, found.length, shape, PLURAL[shape], `there is no ${shape}`),
    };
  },
};
