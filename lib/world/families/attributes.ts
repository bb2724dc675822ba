/**
 * Attribute families, both prior-controlled:
 * - colour of a named shape: "what colour is the circle?" (exactly one circle in the scene);
 * - shape of a named colour: "which shape is red?" (exactly one red object in the scene).
 * The answer is drawn first with the favoured answer's probability from priors.ts.
 */
import { objectName } from '../describe.js';
import { FAVOURED_COLOUR, FAVOURED_SHAPE, chooseWithPrior } from '../priors.js';
import { matching, placeObjects, randomAttrs, randomObjects } from '../scene.js';
import { COLOURS, SHAPES } from '../vocabulary.js';
import { checkPlanned, conclude, type Draft, type Family, type FamilyContext } from './types.js';

export const colourOfShape: Family = {
  name: 'colour_of_shape',
  usesPrior: true,
  generate(ctx: FamilyContext): Draft {
    const { rng } = ctx;
    const shape = rng.pick(SHAPES);
    const colour = chooseWithPrior(rng, FAVOURED_COLOUR[shape], COLOURS, ctx.favouredProbability(COLOURS.length));
    const n = rng.int(1, ctx.maxObjects);
    const attrs = [randomAttrs(rng, (a) => a.shape === shape && a.colour === colour), ...randomObjects(rng, n - 1, (a) => a.shape !== shape)];
    const scene = placeObjects(rng, attrs, ctx);
    const only = matching(scene.objects, { shape });
    if (only.length !== 1) throw new Error(`world family colour_of_shape: expected one ${shape}, found ${only.length}`);
    const answer = only[0]!.colour;
    checkPlanned('colour_of_shape', colour, answer);
    return {
      question: `what colour is the ${shape}?`,
      template: 'what colour is the {shape}?',
      scene,
      answer,
      think: `the only ${shape} is the ${objectName(only[0]!)}. ${conclude(answer)}`,
    };
  },
};

export const shapeOfColour: Family = {
  name: 'shape_of_colour',
  usesPrior: true,
  generate(ctx: FamilyContext): Draft {
    const { rng } = ctx;
    const colour = rng.pick(COLOURS);
    const shape = chooseWithPrior(rng, FAVOURED_SHAPE[colour], SHAPES, ctx.favouredProbability(SHAPES.length));
    const n = rng.int(1, ctx.maxObjects);
    const attrs = [randomAttrs(rng, (a) => a.shape === shape && a.colour === colour), ...randomObjects(rng, n - 1, (a) => a.colour !== colour)];
    const scene = placeObjects(rng, attrs, ctx);
    const only = matching(scene.objects, { colour });
    if (only.length !== 1) throw new Error(`world family shape_of_colour: expected one ${colour} object, found ${only.length}`);
    const answer = only[0]!.shape;
    checkPlanned('shape_of_colour', shape, answer);
    return {
      question: `which shape is ${colour}?`,
      template: 'which shape is {colour}?',
      scene,
      answer,
      think: `the only ${colour} shape is the ${objectName(only[0]!)}. ${conclude(answer)}`,
    };
  },
};
