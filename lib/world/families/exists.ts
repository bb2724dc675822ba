/**
 * Existence family (prior-controlled): "is there a red circle?". The yes/no answer is drawn
 * first ("yes" is the favoured answer); "no" scenes often hold a near miss (a red square or a
 * blue circle) so the question cannot be settled by colour or shape alone.
 */
import { objectName } from '../describe.js';
import { FAVOURED_EXISTS, chooseWithPrior } from '../priors.js';
import { matching, placeObjects, randomAttrs, randomObjects, type ObjectAttrs } from '../scene.js';
import { COLOURS, SHAPES } from '../vocabulary.js';
import { checkPlanned, conclude, type Draft, type Family, type FamilyContext } from './types.js';

export const exists: Family = {
  name: 'exists',
  usesPrior: true,
  generate(ctx: FamilyContext): Draft {
    const { rng } = ctx;
    const colour = rng.pick(COLOURS);
    const shape = rng.pick(SHAPES);
    const planned = chooseWithPrior(rng, FAVOURED_EXISTS, ['yes', 'no'], ctx.favouredProbability(2));
    const n = rng.int(1, ctx.maxObjects);
    const isTarget = (a: ObjectAttrs) => a.colour === colour && a.shape === shape;
    let attrs: ObjectAttrs[];
    if (planned === 'yes') {
      attrs = [randomAttrs(rng, isTarget), ...randomObjects(rng, n - 1)];
    } else {
      attrs = randomObjects(rng, n, (a) => !isTarget(a));
      if (rng.chance(0.6)) {
        attrs[0] = rng.chance(0.5)
          ? randomAttrs(rng, (a) => a.colour === colour && a.shape !== shape)
          : randomAttrs(rng, (a) => a.shape === shape && a.colour !== colour);
      }
    }
    const scene = placeObjects(rng, attrs, ctx);
    const found = matching(scene.objects, { colour, shape });
    const answer = found.length > 0 ? 'yes' : 'no';
    checkPlanned('exists', planned, answer);
    const n2 = scene.objects.length;
    let think: string;
    if (answer === 'yes') think = `the ${objectName(found[0]!)} is a ${colour} ${shape}.`;
    else if (n2 === 1) think = `the only shape is the ${objectName(scene.objects[0]!)}, so there is no ${colour} ${shape}.`;
    else think = `none of the ${n2} shapes is a ${colour} ${shape}.`;
    return {
      question: `is there a ${colour} ${shape}?`,
      template: 'is there a {colour} {shape}?',
      scene,
      answer,
      think: `${think} ${conclude(answer)}`,
    };
  },
};
