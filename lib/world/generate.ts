/**
 * Items of the synthetic world: a scene, a question about it, the short answer, the gold
 * description and gold think, all from one seed.
 *
 * Item `index` of split `s` draws from its own generator seeded by (seed, s, index), so any
 * item can be regenerated alone and splits never depend on each other's sizes.
 */
import { goldDescription } from './describe.js';
import { FAMILIES, FAMILY_NAMES, PRIOR_FAMILIES, type FamilyName } from './families/index.js';
import { Rng, deriveSeed } from './prng.js';
import { SPLIT_NAMES, favouredProbability, type SplitName } from './priors.js';
import type { Scene } from './scene.js';
import { IMAGE_PLACEHOLDER } from './vocabulary.js';

export interface WorldSettings {
  /** Master seed (unsigned 32-bit integer). */
  seed: number;
  /** Width and height of the square images in pixels. */
  imageSize: number;
  /** Language-prior strength in [0, 1], or null for no prior (see priors.ts). */
  prior: number | null;
  /**
   * Factor on the objects' size (1 = small 9 px, large 14 px radius at 112 px). Larger objects
   * are easier to see: the built-in recipe's choice is in configs/world_sft.yaml.
   */
  objectScale: number;
  /** Largest number of objects per scene, 2-4 (scenes have at least 1). */
  maxObjects: number;
  /** Families used by the sft, rl, val and test splits. */
  families: FamilyName[];
  /** Families used by test-shortcut (default: the prior-controlled ones). */
  shortcutFamilies: FamilyName[];
}

export const DEFAULT_WORLD_SETTINGS: WorldSettings = {
  seed: 0,
  imageSize: 112,
  objectScale: 1,
  prior: 0.8,
  maxObjects: 4,
  families: [...FAMILY_NAMES],
  shortcutFamilies: [...PRIOR_FAMILIES],
};

/** Fills defaults and validates; errors name the setting and what was expected. */
export function resolveWorldSettings(partial: Partial<WorldSettings> = {}): WorldSettings {
  const s: WorldSettings = { ...DEFAULT_WORLD_SETTINGS, ...partial };
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 0xffffffff) throw new Error(`world setting seed: expected an integer in [0, 2^32), got ${s.seed}`);
  if (!Number.isInteger(s.imageSize) || s.imageSize < 32 || s.imageSize > 2048) throw new Error(`world setting imageSize: expected an integer in [32, 2048], got ${s.imageSize}`);
  if (!(typeof s.objectScale === 'number' && s.objectScale >= 0.5 && s.objectScale <= 2)) throw new Error(`world setting objectScale: expected a number in [0.5, 2], got ${s.objectScale}`);
  if (s.prior !== null && !(typeof s.prior === 'number' && s.prior >= 0 && s.prior <= 1)) throw new Error(`world setting prior: expected a number in [0, 1] or null, got ${s.prior}`);
  if (!Number.isInteger(s.maxObjects) || s.maxObjects < 2 || s.maxObjects > 4) throw new Error(`world setting maxObjects: expected an integer in [2, 4], got ${s.maxObjects}`);
  for (const key of ['families', 'shortcutFamilies'] as const) {
    const list = s[key];
    if (!Array.isArray(list) || list.length === 0) throw new Error(`world setting ${key}: expected a non-empty list of families`);
    for (const f of list) if (!(FAMILY_NAMES as readonly string[]).includes(f)) throw new Error(`world setting ${key}: unknown family "${f}", expected one of ${FAMILY_NAMES.join(', ')}`);
  }
  return s;
}

/** One item of the world. `problem`, `answer` and the image form the Vision-SR1-47K row. */
export interface WorldItem {
  id: string;
  split: SplitName;
  index: number;
  family: FamilyName;
  /** The question with its variable words as slots (used by the text-only baseline). */
  template: string;
  /** The question alone, without the image placeholder. */
  question: string;
  /** The question followed by one `<image>` placeholder at the very end. */
  problem: string;
  answer: string;
  /** Objects left to right; enough to answer the question without the image. */
  description: string;
  /** Short reasoning from the description to the answer. */
  think: string;
  /** Relative path the image is written to (under the output folder). */
  imagePath: string;
  scene: Scene;
}

/** Zero-padded item id, e.g. "rl-000042". */
export function itemId(split: SplitName, index: number): string {
  return `${split}-${String(index).padStart(6, '0')}`;
}

/** Generates item `index` of `split` (synchronous; the image is rendered separately). */
export function generateItem(settings: WorldSettings, split: SplitName, index: number): WorldItem {
  const splitIdx = SPLIT_NAMES.indexOf(split);
  if (splitIdx < 0) throw new Error(`generateItem: unknown split "${split}", expected one of ${SPLIT_NAMES.join(', ')}`);
  const rng = new Rng(deriveSeed(settings.seed, splitIdx, index));
  const families = split === 'test-shortcut' ? settings.shortcutFamilies : settings.families;
  const family = rng.pick(families);
  const draft = FAMILIES[family].generate({
    rng,
    imageSize: settings.imageSize,
    objectScale: settings.objectScale,
    maxObjects: settings.maxObjects,
    favouredProbability: (k) => favouredProbability(settings.prior, k, split),
  });
  const id = itemId(split, index);
  return {
    id,
    split,
    index,
    family,
    template: draft.template,
    question: draft.question,
    problem: `${draft.question}${IMAGE_PLACEHOLDER}`,
    answer: draft.answer,
    description: goldDescription(draft.scene),
    think: draft.think,
    imagePath: `images/${split}/${id}.png`,
    scene: draft.scene,
  };
}

/** Items [start, start + count) of a split. */
export function generateItems(settings: WorldSettings, split: SplitName, count: number, start = 0): WorldItem[] {
  return Array.from({ length: count }, (_, i) => generateItem(settings, split, start + i));
}
