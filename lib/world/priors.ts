/**
 * Controllable language priors.
 *
 * In the prior-controlled families the question text alone predicts a "favoured" answer:
 * existence questions lean to "yes", "what colour is the circle?" leans to red, "which shape
 * is red?" leans to circle. With prior p and k possible answers:
 * - training-distribution splits (sft, rl, val, test): the favoured answer has probability p,
 *   the k-1 others share 1-p evenly;
 * - test-shortcut: the roles are swapped: the favoured answer gets (1-p)/(k-1), the others
 *   share the rest, so a model that answers from the question alone is caught;
 * - prior null: every answer has probability 1/k in every split (no shortcut).
 */
import type { Rng } from './prng.js';
import type { Colour, Shape } from './vocabulary.js';

export const SPLIT_NAMES = ['sft', 'rl', 'val', 'test', 'test-shortcut'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** The colour a shape's colour question leans to. */
export const FAVOURED_COLOUR: Record<Shape, Colour> = {
  circle: 'red',
  square: 'blue',
  triangle: 'green',
  star: 'yellow',
  diamond: 'purple',
};

/** The shape a colour's shape question leans to (the inverse of FAVOURED_COLOUR). */
export const FAVOURED_SHAPE: Record<Colour, Shape> = {
  red: 'circle',
  blue: 'square',
  green: 'triangle',
  yellow: 'star',
  purple: 'diamond',
};

/** The answer existence questions lean to. */
export const FAVOURED_EXISTS = 'yes';

/** Probability of the favoured answer among `k` answers in `split` (see the file comment). */
export function favouredProbability(prior: number | null, k: number, split: SplitName): number {
  if (k < 2) throw new Error(`favouredProbability: need at least 2 answers, got ${k}`);
  if (prior === null) return 1 / k;
  if (!(prior >= 0 && prior <= 1)) throw new Error(`prior must be in [0, 1] or null, got ${prior}`);
  return split === 'test-shortcut' ? (1 - prior) / (k - 1) : prior;
}

/** Draws the favoured option with probability p, else one of the others uniformly. */
export function chooseWithPrior<T>(rng: Rng, favoured: T, options: readonly T[], p: number): T {
  if (rng.chance(p)) return favoured;
  return rng.pick(options.filter((o) => o !== favoured));
}
