/**
 * The built-in world's question families by name. The list lives here, below lib/world, so the
 * SFT config schema can reject an unknown family (data.world.families); lib/world/families
 * registers one generator per name.
 */
export const FAMILY_NAMES = [
  'count_colour',
  'count_shape',
  'colour_of_shape',
  'shape_of_colour',
  'exists',
  'spatial',
  'compare',
  'arithmetic',
] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];
