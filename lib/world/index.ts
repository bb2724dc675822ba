/** The built-in synthetic visual-reasoning world (docs/world.md). */
export { Rng, deriveSeed, mix32 } from './prng.js';
export * from './vocabulary.js';
export { objectRadius, placeObjects, randomAttrs, randomObjects, matching, type ObjectAttrs, type Scene, type SceneObject } from './scene.js';
export { sceneToSvg, renderScenePng } from './render.js';
export { goldDescription } from './describe.js';
export { FAMILIES, FAMILY_NAMES, PRIOR_FAMILIES, type FamilyName } from './families/index.js';
export { SPLIT_NAMES, FAVOURED_COLOUR, FAVOURED_SHAPE, FAVOURED_EXISTS, favouredProbability, type SplitName } from './priors.js';
export { DEFAULT_WORLD_SETTINGS, resolveWorldSettings, generateItem, generateItems, itemId, type WorldItem, type WorldSettings } from './generate.js';
export { textOnlyBaseline, type BaselineItem, type BaselineResult } from './baseline.js';
export { sftStyles, seeThinkResponse, cotResponse, captionReasonerResponse, type SftStyles } from './sft.js';
export { synthesizeWorld, splitSizes, SPLIT_FRACTIONS, EXTRA_COLUMNS, jsonlRow, type SplitSizes, type SynthOptions } from './synth.js';
