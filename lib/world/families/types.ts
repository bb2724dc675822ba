/**
 * What a question family is: a generator that builds a scene together with a question about
 * it, the answer computed from the placed scene, and a short gold think.
 */
import type { Rng } from '../prng.js';
import type { Scene } from '../scene.js';

export { FAMILY_NAMES, type FamilyName } from '../../config/world_families.js';
import type { FamilyName } from '../../config/world_families.js';

export interface FamilyContext {
  rng: Rng;
  imageSize: number;
  /** Factor on the objects' reference size (WorldSettings.objectScale). */
  objectScale: number;
  /** Largest number of objects in a scene (1-4). */
  maxObjects: number;
  /**
   * Probability that a prior-controlled question gets its favoured answer, given that it has
   * `k` possible answers (see priors.ts). Families without a prior ignore it.
   */
  favouredProbability(k: number): number;
}

/** One generated question over one scene. */
export interface Draft {
  /** Lowercase question text ending in "?", without the image placeholder. */
  question: string;
  /** The question with its variable words replaced by slots, e.g. "is there a {colour} {shape}?". */
  template: string;
  scene: Scene;
  answer: string;
  think: string;
}

export interface Family {
  name: FamilyName;
  /** True when the language-prior knob shapes this family's answers. */
  usesPrior: boolean;
  generate(ctx: FamilyContext): Draft;
}

/** The closing sentence of every gold think. */
export function conclude(answer: string): string {
  return `so the answer is ${answer}.`;
}

/** Throws when a family's planned answer and the answer read off the placed scene differ. */
export function checkPlanned(family: FamilyName, planned: string, actual: string): void {
  if (planned !== actual) throw new Error(`world family ${family}: planned answer ${planned} but the scene gives ${actual}`);
}
