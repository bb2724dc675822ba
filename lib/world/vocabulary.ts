/**
 * The world's closed vocabulary: object attributes, their drawing colours, and every word that
 * can appear in a problem, gold description, gold think or answer.
 *
 * Text rule (what a word-level tokenizer built from worldVocabulary() must do):
 * - all world text is lowercase ASCII;
 * - the image placeholder `<image>` is not world text: remove it (or treat it as a special
 *   token) before splitting;
 * - split with the regular expression WORLD_TOKEN_PATTERN: a run of letters a-z is one word,
 *   each digit 0-9 is one token (numbers in the world never exceed 9, so a number is one
 *   token), and every other non-space character is a token by itself (the punctuation
 *   marks in WORLD_PUNCTUATION). Whitespace only separates.
 * Numbers are written as digits everywhere (answers too): MathRuler grades "2" against "2.0"
 * but never "two" against "2", and digits keep the answer vocabulary tiny.
 */

export const COLOURS = ['red', 'blue', 'green', 'yellow', 'purple'] as const;
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'diamond'] as const;
export const SIZES = ['small', 'large'] as const;
/** Vertical bands of the image; objects sit near the centre line of one band. */
export const ROWS = ['top', 'middle', 'bottom'] as const;

export type Colour = (typeof COLOURS)[number];
export type Shape = (typeof SHAPES)[number];
export type Size = (typeof SIZES)[number];
export type Row = (typeof ROWS)[number];

/** sRGB fill of each colour, chosen far apart and far from the light background. */
export const PALETTE: Record<Colour, readonly [number, number, number]> = {
  red: [220, 40, 40],
  blue: [40, 80, 220],
  green: [30, 160, 60],
  yellow: [235, 190, 20],
  purple: [150, 50, 190],
};

/** Background fill (light grey, slightly warm). */
export const BACKGROUND: readonly [number, number, number] = [245, 245, 240];

export const PLURAL: Record<Shape, string> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  star: 'stars',
  diamond: 'diamonds',
};

/** Row phrase used in descriptions and thinks ("at the top", "in the middle"). */
export const ROW_PHRASE: Record<Row, string> = {
  top: 'at the top',
  middle: 'in the middle',
  bottom: 'at the bottom',
};

export const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** Punctuation tokens that world text may contain. */
export const WORLD_PUNCTUATION = [',', '.', ':', '?', '+', '-', '='] as const;

/** The placeholder for the image in a problem (Vision-SR1-47K convention). */
export const IMAGE_PLACEHOLDER = '<image>';

/** Tokenisation rule for world text (see the file comment). */
export const WORLD_TOKEN_PATTERN = /[a-z]+|[0-9]|[^\sa-z0-9]/g;

/** Words of the question, description and think templates (attributes and digits aside). */
const TEMPLATE_WORDS = [
  // descriptions
  'there', 'is', 'are', 'shape', 'shapes', 'from', 'left', 'to', 'right', 'a', 'and',
  'at', 'the', 'in',
  // questions
  'how', 'many', 'what', 'colour', 'which', 'of', 'above', 'below', 'leftmost', 'rightmost',
  'more', 'than', 'bigger', 'or', 'would', 'be', 'if', 'were', 'added', 'remain', 'removed',
  // thinks
  'only', 'so', 'answer', 'no', 'yes', 'none', 'not', 'comes', 'before', 'after',
  'first', 'last', 'them', 'now', 'that',
] as const;

/** Splits world text into tokens by the documented rule (the image placeholder removed). */
export function splitWorldText(text: string): string[] {
  return text.split(IMAGE_PLACEHOLDER).join(' ').match(WORLD_TOKEN_PATTERN) ?? [];
}

/**
 * Every token that can appear in world problems (placeholder removed), descriptions, thinks
 * and answers: words, digits and punctuation marks, sorted, without duplicates.
 */
export function worldVocabulary(): string[] {
  const words = new Set<string>([
    ...TEMPLATE_WORDS,
    ...COLOURS,
    ...SHAPES,
    ...Object.values(PLURAL),
    ...SIZES,
    ...ROWS,
    ...DIGITS,
    ...WORLD_PUNCTUATION,
  ]);
  return [...words].sort();
}

/** Every answer the world can produce: digits, yes/no, colours and shapes. */
export function worldAnswerVocabulary(): string[] {
  return [...DIGITS, 'yes', 'no', ...COLOURS, ...SHAPES];
}
