/**
 * Differential corpus for the MathRuler port: (given, ground truth) pairs and texts for
 * `extract_boxed_content`. Built from hand-written cases (the vectors of docs/method.md, "Answer grading", LaTeX, units,
 * intervals, MCQ letters, yes/no, expressions) plus programmatic variations of each ground truth
 * (the wrappers and spellings a policy really emits). Python's verdicts come from
 * scripts/oracle/mathruler_grade.py; nothing here states the expected result.
 */

export type GradePair = readonly [given: string | null, groundTruth: string];

/** The test vectors of docs/method.md, "Answer grading", as (given, gt). */
export const METHOD_VECTORS: readonly (readonly [GradePair, boolean])[] = [
  [['A', 'A'], true], [['a', 'A'], true], [['(A)', 'A'], true], [['{A}', 'A'], true], [['Cat', 'cat'], true], [['Yes', 'yes'], true],
  [['A.', 'A'], false], [['A. cat', 'A'], false], [['yes', 'Yes.'], false], [['two', '2'], false], [['[1,2)', '(1,2)'], false],
  [['2/4', '1/2'], false], [['2+3', '5'], false],
  [['3', '3.0'], true], [['0.5', '1/2'], true], [['1,000', '1000'], true], [['10%', '10'], true], [['5 cm', '5'], true],
  [['x=5', '5'], true], [['(1,2)', '(1, 2)'], true], [['1 and 2', '1, 2'], true], [['x+1', '1+x'], true],
  [['None', 'none'], true],
];

/** `extract_boxed_content` vectors of docs/method.md, "Answer grading". */
export const METHOD_EXTRACT: readonly (readonly [string, string])[] = [
  ['x \\boxed{A} y \\boxed{B}', 'B'],
  ['\\boxed{\\frac{1}{2}}', '\\frac{1}{2}'],
  ['\\boxed{a{b}c', 'None'],
  ['\\boxed{ C }', 'C'],
];

const HAND: GradePair[] = [
  // MCQ and words
  ['B', 'A'], ['(B)', 'B'], ['B)', 'B'], ['\\text{B}', 'B'], ['\\textbf{B}', 'B'], ['\\mathrm{B}', 'B'], ['\\mathbf{B}', 'B'],
  ['Option B', 'B'], ['B: 12', 'B'], ['b', 'B'], ['{B}', 'b'], ['\\text{(B)}', 'B'], ['$B$', 'B'], ['B ', 'B'], [' B', 'B'],
  ['The answer is B', 'B'], ['E', 'E'], ['(E)', 'e'],
  ['Yes', 'Yes'], ['YES', 'yes'], ['No', 'no'], ['no', 'Yes'], ['\\text{Yes}', 'Yes'], ['Yes.', 'Yes'], ['yes', 'Yes'],
  ['none', 'None'], ['None', 'None'], [null, 'A'], [null, 'None'], ['', 'A'], ['', ''], ['A', ''],
  ['blue', 'Blue'], ['\\text{blue}', 'blue'], ['red.', 'red'], ['The circle', 'circle'], ['circle', 'Circle'],
  ['two', 'two'], ['Two', 'two'], ['2', 'two'], ['Paris', 'paris'], ['New York', 'new york'], ['newyork', 'New York'],
  ['cat and dog', 'cat, dog'], ['cat or dog', 'cat,dog'], ['triangle', '\\triangle'], ['right', 'Right'],
  // integers, decimals, commas
  ['12', '12'], ['12.0', '12'], ['12.00', '12'], ['012', '12'], ['+12', '12'], ['-12', '12'], ['-12', '-12'], ['- 12', '-12'],
  ['1,000', '1,000'], ['1,000,000', '1000000'], ['1000000', '1,000,000'], ['10^6', '1000000'], ['1 million', '1000000'],
  ['1e3', '1000'], ['1.5e3', '1500'], ['1,234.5', '1234.5'], ['12,34', '1234'], ['1,2', '(1,2)'], ['1 234', '1234'],
  ['3.14', '3.14'], ['3.140', '3.14'], ['3.14', '3.1416'], ['.5', '0.5'], ['0.50', '0.5'], ['0.5', '.5'],
  ['2.5', '5/2'], ['2.5', '\\frac{5}{2}'], ['1.5', '3/2'], ['1.5', '\\frac{3}{2}'], ['0.25', '1/4'], ['0.75', '\\frac{3}{4}'],
  ['0.333', '1/3'], ['0.3333333333333333', '1/3'], ['0.33', '\\frac{1}{3}'], ['1/3', '0.333'], ['0.125', '\\frac18'],
  ['0.1+0.2', '0.3'], ['1.0', '1'], ['1.00000001', '1'], ['0.999999999', '1'], ['1e-9', '0'], ['100.0', '100'],
  ['−5', '-5'], ['5', '-5'], ['-0', '0'], ['1_000', '1000'], ['١٢', '12'],
  // fractions
  ['1/2', '\\frac{1}{2}'], ['\\frac12', '\\frac{1}{2}'], ['\\dfrac{1}{2}', '\\frac{1}{2}'], ['\\tfrac{1}{2}', '1/2'],
  ['2/4', '\\frac{1}{2}'], ['\\frac{2}{4}', '\\frac{1}{2}'], ['3/6', '0.5'], ['-1/2', '-\\frac{1}{2}'], ['\\frac{-1}{2}', '-\\frac{1}{2}'],
  ['1/-2', '-1/2'], ['\\frac{7}{3}', '2\\frac{1}{3}'], ['2 1/3', '7/3'], ['7 3/4', '31/4'], ['2\\frac{1}{3}', '\\frac{7}{3}'],
  ['\\frac{1}{2}', '\\frac{1}{2}'], ['\\frac{10}{4}', '2.5'], ['\\frac{5}{2}', '2.5'], ['5:2', '5/2'], ['3:4', '3:4'],
  // roots, pi
  ['\\sqrt{2}', '\\sqrt{2}'], ['\\sqrt2', '\\sqrt{2}'], ['sqrt(2)', '\\sqrt{2}'], ['√2', '\\sqrt{2}'], ['2\\sqrt{3}', '\\sqrt{12}'],
  ['\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt{2}}'], ['\\sqrt{2}/2', '\\frac{\\sqrt{2}}{2}'], ['1.414', '\\sqrt{2}'],
  ['3\\sqrt{2}', '\\sqrt{18}'], ['\\sqrt{8}', '2\\sqrt{2}'], ['4\\sqrt{3}', '\\sqrt{48}'], ['\\sqrt{3}', '3^{1/2}'],
  ['\\sqrt{-4}', '2i'], ['2+\\sqrt{3}', '\\sqrt{3}+2'], ['(1+\\sqrt{2})^2', '3+2\\sqrt{2}'], ['\\frac{1}{2}\\sqrt{3}', '\\frac{\\sqrt{3}}{2}'],
  ['\\pi', '\\pi'], ['2\\pi', '2\\pi'], ['2\\pi', '\\pi 2'], ['\\frac{\\pi}{2}', '\\pi/2'], ['\\frac{\\pi}{2}', '1.5707963267948966'],
  ['90^\\circ', '\\frac{\\pi}{2}'], ['6\\pi', '18.85'], ['\\pi r^2', '\\pi r^{2}'], ['4\\pi', '12.566'], ['\\frac{4}{3}\\pi', '\\frac{4\\pi}{3}'],
  // degrees, percent, units, currency
  ['45^\\circ', '45'], ['45^{\\circ}', '45'], ['45°', '45'], ['45 degrees', '45'], ['45\\degree', '45'], ['45 ^\\circ', '45'],
  ['30^\\circ', '60'], ['\\angle ABC = 30^\\circ', '30'], ['10\\%', '10'], ['10 \\%', '10\\%'], ['10 percent', '10'],
  ['0.1', '10\\%'], ['50%', '0.5'], ['5 \\text{ cm}', '5'], ['5\\text{ cm}^2', '5'], ['5 \\text{cm}', '5'], ['5cm', '5'],
  ['5 meters', '5'], ['3 hours', '3'], ['12 inches', '12'], ['2 feet', '2'], ['7 days', '7'], ['1 year', '1'],
  ['\\$5', '5'], ['$5', '5'], ['5 dollars', '5'], ['5 \\mathrm{cm}', '5'], ['5 m', '5'], ['20 km', '20'], ['5 kg', '5'],
  ['60 mph', '60'], ['3 seconds', '3'], ['Monday', 'Mon'], ['8 cm^2', '8'], ['2 \\text{ units}', '2'],
  // intervals and tuples
  ['(1,2)', '(1,2)'], ['[1,2]', '[1,2]'], ['(1,2]', '(1,2]'], ['[1,2]', '(1,2)'], ['(2,1)', '(1,2)'], ['(1,2,3)', '(1,2)'],
  ['(-\\infty, 2)', '(-\\infty,2)'], ['(-\\infty, 2]', '(-\\infty, 2)'], ['(0.5, 1)', '(\\frac{1}{2}, 1)'], ['(1/2, 1)', '(\\frac{1}{2},1)'],
  ['\\left(1,2\\right)', '(1,2)'], ['\\left[1,2\\right)', '[1,2)'], ['(1, 2)', '1, 2'], ['1,2', '1, 2'], ['\\{1,2\\}', '\\{1, 2\\}'],
  ['(3, -4)', '(3,-4)'], ['(3,4)', '(3.0, 4.0)'], ['(1.5, 2)', '(3/2, 2)'], ['(x, y)', '(x,y)'], ['(2\\sqrt{2}, 1)', '(\\sqrt{8}, 1)'],
  ['(1,000, 2)', '(1000, 2)'], ['[0, \\infty)', '[0,\\infty)'], ['x \\in [1, 2]', '[1,2]'], ['(0,1)\\cup(2,3)', '(0,1)\\cup(2,3)'],
  // expressions
  ['x+1', 'x+1'], ['1+x', 'x+1'], ['2x', 'x2'], ['2x', '2*x'], ['2 x', '2x'], ['x*2', '2x'], ['x^2-1', '(x-1)(x+1)'],
  ['(x+1)^2', 'x^2+2x+1'], ['a+b', 'b+a'], ['ab', 'ba'], ['2(x+1)', '2x+2'], ['x/2', '0.5x'], ['\\frac{x}{2}', 'x/2'],
  ['y=2x+1', '2x+1'], ['y = 2x + 1', 'y=2x+1'], ['k=3', '3'], ['f(x)=x^2', 'x^2'], ['x^2', 'x**2'], ['x^{2}', 'x^2'],
  ['x^3', 'x\\cdot x\\cdot x'], ['3 \\times 4', '12'], ['3 \\times 4', '3\\cdot 4'], ['2^{3}', '8'], ['2^3', '8'],
  ['\\frac{x^2-1}{x-1}', 'x+1'], ['\\frac{1}{x}', 'x^{-1}'], ['x^{-1}', '1/x'], ['e^x', 'e^{x}'], ['\\ln 2', 'ln(2)'],
  ['\\log_2 8', '3'], ['\\sin x', 'sin(x)'], ['x^2+y^2', 'y^2+x^2'], ['x+y+z', 'z+y+x'], ['2a', 'a+a'], ['4!', '24'],
  ['3!/2', '3'], ['\\frac{3!}{4}', '1.5'], ['5!', '120'], ['x^{10}', 'x^10'], ['2^{10}', '1024'], ['1.5x', '\\frac{3x}{2}'],
  ['0.1x+0.2x', '0.3x'], ['x-x', '0'], ['\\infty', 'inf'], ['-\\infty', '-inf'], ['\\emptyset', '\\varnothing'],
  // LaTeX rendering and odd input
  ['\\text{ cm}', 'cm'], ['\\textbf{5}', '5'], ['\\mathbf{x}', 'x'], ['\\overline{AB}', 'AB'], ['\\vec{v}', 'v'],
  ['\\frac{1}{2}', '0.5'], ['\\frac{1}{2}x', 'x/2'], ['\\sqrt[3]{8}', '2'], ['\\left| -3 \\right|', '3'], ['|-3|', '3'],
  ['\\boxed{5}', '5'], ['5\\,000', '5000'], ['5{,}000', '5000'], ['5\\!000', '5000'], ['\\dfrac{3}{4}', '0.75'],
  ['\\frac{3}{4}', '3/4'], ['\\frac34', '0.75'], ['A \\& B', 'A&B'], ['\\alpha', 'α'], ['\\beta', '\\beta'],
  ['\\triangle ABC', 'ABC'], ['\\angle A', 'A'], ['AB \\parallel CD', 'AB||CD'], ['AB \\perp CD', 'AB ⊥ CD'],
  ['\\text{A}\\text{B}', 'AB'], ['\\frac{1}{2} \\text{ cm}', '\\frac12'], ['\\frac', '\\frac'], ['\\sqrt', 'sqrt'],
  ['\\frac{1}', '1'], ['1\\\\2', '1\\2'], ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', '[1;2]'], ['\\[ 5 \\]', '5'],
  ['\\( 5 \\)', '5'], ['a--b', 'a–b'], ['x~y', 'x y'], ['10^{-3}', '0.001'], ['1.5\\times10^{3}', '1500'],
  ['3\\times10^8', '300000000'], ['6.02 \\times 10^{23}', '6.02e23'], ['\\frac{1}{3}', '0.\\overline{3}'],
  ['-\\frac{\\sqrt{3}}{2}', '-\\frac{\\sqrt3}{2}'], ['\\frac{-\\sqrt{3}}{2}', '-\\frac{\\sqrt{3}}{2}'], ['2-\\sqrt{2}', '-\\sqrt{2}+2'],
  ['1/\\sqrt{3}', '\\sqrt{3}/3'], ['\\sqrt{\\frac{1}{2}}', '\\frac{\\sqrt{2}}{2}'], ['\\frac{2}{\\sqrt{2}}', '\\sqrt{2}'],
  ['i', 'i'], ['2i', '\\sqrt{-4}'], ['1+i', 'i+1'], ['x_1', 'x_{1}'], ['x_1+x_2', 'x_2+x_1'],
];

/** How a policy may wrap or respell a ground-truth answer inside its box. */
const WRAPS: readonly ((s: string) => string)[] = [
  (s) => s, (s) => `\\text{${s}}`, (s) => `(${s})`, (s) => `${s}.`, (s) => ` ${s} `, (s) => s.toLowerCase(),
  (s) => `{${s}}`, (s) => `\\mathrm{${s}}`, (s) => `$${s}$`, (s) => `${s}\\%`,
];
const GROUND_TRUTHS = [
  'A', 'C', 'Yes', 'no', '12', '3.5', '1/4', '\\frac{2}{3}', '45', '\\sqrt{3}', '2\\pi', '(1, 3)', 'x^2', '1,500',
  'red', 'None', '0', '-7', '\\frac{\\pi}{4}', '[2, 5)', '2x+1', 'north', '60^\\circ', '0.25',
];
/** Same values written differently, to reach the sympy and comma paths from every wrapper. */
const RESPELL: Record<string, string[]> = {
  '12': ['12.0', '1.2e1', '24/2', 'twelve'], '3.5': ['7/2', '\\frac{7}{2}', '3.50', '3 1/2'], '1/4': ['0.25', '\\frac14', '2/8'],
  '\\frac{2}{3}': ['2/3', '0.667', '4/6'], '45': ['45.0', '45^\\circ', '90/2'], '\\sqrt{3}': ['3^{0.5}', 'sqrt(3)', '1.732'],
  '2\\pi': ['2*pi', '6.283', '\\pi\\cdot 2'], '(1, 3)': ['(1,3)', '[1,3]', '(1.0, 3.0)'], 'x^2': ['x*x', 'x^{2}', 'xx'],
  '1,500': ['1500', '1.5 \\times 10^3', '1,500.0'], '0': ['0.0', '-0', 'zero'], '-7': ['- 7', '-7.0', '−7'],
  '\\frac{\\pi}{4}': ['\\pi/4', '0.785', '45^\\circ'], '[2, 5)': ['[2,5)', '(2,5)', '[2, 5]'], '2x+1': ['1+2x', '2*x+1', 'x+x+1'],
  '0.25': ['1/4', '\\frac{1}{4}', '25\\%'], '60^\\circ': ['60', '\\frac{\\pi}{3}', '60 degrees'],
};

/** Every (given, gt) pair of the differential test: hand cases, then wrapped and respelled variants. */
export function gradeCorpus(): GradePair[] {
  const pairs: GradePair[] = [...METHOD_VECTORS.map(([p]) => p), ...HAND];
  for (const gt of GROUND_TRUTHS) {
    for (const w of WRAPS) pairs.push([w(gt), gt]);
    for (const alt of RESPELL[gt] ?? []) pairs.push([alt, gt], [gt, alt]);
  }
  return pairs;
}

/** Texts for the `extract_boxed_content` differential test. */
export function extractCorpus(): string[] {
  const texts = METHOD_EXTRACT.map(([t]) => t);
  texts.push(
    '', 'no box here', '\\boxed{}', '\\boxed{   }', '\\boxed{A}', '\\boxed {A}', '\\boxed{A', 'prefix \\boxed{\\frac{a}{b}} suffix',
    '<think>2+2</think> \\boxed{4}.', '\\boxed{x^{2}+1}', '\\boxed{\\boxed{1}}', '\\boxed{a}}', '\\boxed{{}}',
    '\\boxed{\\text{Yes}}\n', '\\boxed{1}\\boxed{2}\\boxed{', 'The answer: \\boxed{ \\left( 1, 2 \\right) }',
    '\\boxed{\n42\n}', '\\boxed{\u00a0B\u00a0}', '\\boxed{\u3000C\u3000}', '\\boxed{\ufeffD\ufeff}', '\\boxed{\u001cE\u001f}',
    '\\\\boxed{F}', '\\Boxed{G}', '\\boxed{😀}', '\\boxed{a}\\boxed{b}', '<description>x</description><think>y</think>\\boxed{B}',
  );
  return texts;
}
