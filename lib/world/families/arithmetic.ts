/**
 * Arithmetic over what is seen:
 * - "how many red shapes would there be if 2 more red circles were added?" (count + m);
 * - "how many shapes are red or blue?" (count + count);
 * - "how many shapes would remain if the red shapes were removed?" (total - count).
 * The counts are drawn first so small and large results are both common.
 */
import { countOf, thereIs } from '../describe.js';
import { matching, placeObjects, randomObjects, twoColourScene } from '../scene.js';
import { COLOURS, PLURAL, SHAPES } from '../vocabulary.js';
import { checkPlanned, conclude, type Draft, type Family, type FamilyContext } from './types.js';

function addDraft(ctx: FamilyContext): Draft {
  const { rng } = ctx;
  const colour = rng.pick(COLOURS);
  const shape = rng.pick(SHAPES);
  const m = rng.int(1, 2);
  const n = rng.int(1, ctx.maxObjects);
  const k = rng.int(0, n);
  const attrs = [...randomObjects(rng, k, (a) => a.colour === colour), ...randomObjects(rng, n - k, (a) => a.colour !== colour)];
  const scene = placeObjects(rng, attrs, ctx);
  const seen = matching(scene.objects, { colour }).length;
  const answer = String(seen + m);
  checkPlanned('arithmetic', String(k + m), answer);
  const added = m === 1 ? `1 more ${colour} ${shape}` : `${m} more ${colour} ${PLURAL[shape]}`;
  return {
    question: `how many ${colour} shapes would there be if ${added} were added?`,
    template: `how many {colour} shapes would there be if ${m} more {colour} {shape} were added?`,
    scene,
    answer,
    think: `${thereIs(seen)} ${countOf(seen, `${colour} shape`, `${colour} shapes`)} now. ${seen} + ${m} = ${answer}. ${conclude(answer)}`,
  };
}

function sumDraft(ctx: FamilyContext): Draft {
  const { rng } = ctx;
  const [c1, c2] = rng.shuffle(COLOURS);
  const n = rng.int(1, ctx.maxObjects);
  const k1 = rng.int(0, n);
  const k2 = rng.int(0, n - k1);
  const { scene, m1, m2 } = twoColourScene(rng, c1!, c2!, k1, k2, n, ctx);
  const answer = String(m1 + m2);
  checkPlanned('arithmetic', String(k1 + k2), answer);
  return {
    question: `how many shapes are ${c1} or ${c2}?`,
    template: 'how many shapes are {colour} or {colour}?',
    scene,
    answer,
    think:
      `${thereIs(m1)} ${countOf(m1, `${c1} shape`, `${c1} shapes`)} and ${countOf(m2, `${c2} shape`, `${c2} shapes`)}. ` +
      `${m1} + ${m2} = ${answer}. ${conclude(answer)}`,
  };
}

function removeDraft(ctx: FamilyContext): Draft {
  const { rng } = ctx;
  const colour = rng.pick(COLOURS);
  const n = rng.int(1, ctx.maxObjects);
  const k = rng.int(0, n);
  const attrs = [...randomObjects(rng, k, (a) => a.colour === colour), ...randomObjects(rng, n - k, (a) => a.colour !== colour)];
  const scene = placeObjects(rng, attrs, ctx);
  const total = scene.objects.length;
  const seen = matching(scene.objects, { colour }).length;
  const answer = String(total - seen);
  checkPlanned('arithmetic', String(n - k), answer);
  return {
    question: `how many shapes would remain if the ${colour} shapes were removed?`,
    template: 'how many shapes would remain if the {colour} shapes were removed?',
    scene,
    answer,
    think: `${thereIs(total)} ${countOf(total, 'shape', 'shapes')} and ${seen} of them ${seen === 1 ? 'is' : 'are'} ${colour}. ${total} - ${seen} = ${answer}. ${conclude(answer)}`,
  };
}

export const arithmetic: Family = {
  name: 'arithmetic',
  usesPrior: false,
  generate(ctx: FamilyContext): Draft {
    const form = ctx.rng.int(0, 2);
    return form === 0 ? addDraft(ctx) : form === 1 ? sumDraft(ctx) : removeDraft(ctx);
  },
};
