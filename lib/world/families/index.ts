/** Registry of the question families, in the order of FAMILY_NAMES. */
import { arithmetic } from './arithmetic.js';
import { colourOfShape, shapeOfColour } from './attributes.js';
import { compare } from './compare.js';
import { countColour, countShape } from './counting.js';
import { exists } from './exists.js';
import { spatial } from './spatial.js';
import { FAMILY_NAMES, type Family, type FamilyName } from './types.js';

export const FAMILIES: Record<FamilyName, Family> = {
  count_colour: countColour,
  count_shape: countShape,
  colour_of_shape: colourOfShape,
  shape_of_colour: shapeOfColour,
  exists,
  spatial,
  compare,
  arithmetic,
};

/** Families whose answers the language-prior knob shapes (the test-shortcut split uses only these). */
export const PRIOR_FAMILIES: FamilyName[] = FAMILY_NAMES.filter((n) => FAMILIES[n].usesPrior);

export { FAMILY_NAMES, type Family, type FamilyName };
export type { Draft, FamilyContext } from './types.js';
