/**
 * The best text-only guess: answer every question with the majority answer of questions that
 * read the same, never looking at the image. It is the accuracy a "blind" model can reach from
 * language priors alone, the baseline a vision-language model has to beat.
 *
 * Questions are grouped by exact question text; a question whose text was not seen backs off
 * to its template ("is there a {colour} {shape}?"), then its family, then all questions. Ties
 * go to the alphabetically first answer so the result is deterministic.
 * - fit omitted: leave-one-out inside `items` (each item is predicted from the others), an
 *   honest within-split estimate even when most question texts occur once;
 * - fit given: the majority table comes from `fit` (e.g. the training splits), as a model
 *   trained on them would learn it.
 */

/** The fields the baseline reads. */
export interface BaselineItem {
  question: string;
  template: string;
  family: string;
  answer: string;
}

export interface BaselineResult {
  accuracy: number;
  n: number;
  byFamily: Record<string, { accuracy: number; n: number }>;
}

type Counts = Map<string, Map<string, number>>;

const LEVELS: Array<(it: BaselineItem) => string> = [(it) => `q:${it.question}`, (it) => `t:${it.template}`, (it) => `f:${it.family}`, () => '*'];

function tally(items: readonly BaselineItem[]): Counts[] {
  return LEVELS.map((key) => {
    const table: Counts = new Map();
    for (const it of items) {
      const k = key(it);
      let m = table.get(k);
      if (!m) table.set(k, (m = new Map()));
      m.set(it.answer, (m.get(it.answer) ?? 0) + 1);
    }
    return table;
  });
}

/** Majority answer, with `exclude` (the item's own answer under leave-one-out) counted once less. */
function majority(m: Map<string, number> | undefined, exclude: string | null): string | null {
  if (!m) return null;
  let best: string | null = null;
  let bestCount = 0;
  for (const [answer, c0] of m) {
    const c = answer === exclude ? c0 - 1 : c0;
    if (c > bestCount || (c === bestCount && c > 0 && best !== null && answer < best)) {
      best = answer;
      bestCount = c;
    }
  }
  return bestCount > 0 ? best : null;
}

/** The blind guess for one item (null only when the fit set is empty). */
function guess(tables: Counts[], it: BaselineItem, leaveOneOut: boolean): string | null {
  for (let l = 0; l < LEVELS.length; l++) {
    const g = majority(tables[l]!.get(LEVELS[l]!(it)), leaveOneOut ? it.answer : null);
    if (g !== null) return g;
  }
  return null;
}

/** Best text-only-guess accuracy of `items` (see the file comment for `fit`). */
export function textOnlyBaseline(items: readonly BaselineItem[], fit?: readonly BaselineItem[]): BaselineResult {
  const tables = tally(fit ?? items);
  const byFamily: Record<string, { accuracy: number; n: number }> = {};
  let correct = 0;
  for (const it of items) {
    const ok = guess(tables, it, fit === undefined) === it.answer ? 1 : 0;
    correct += ok;
    const f = (byFamily[it.family] ??= { accuracy: 0, n: 0 });
    f.accuracy += ok;
    f.n += 1;
  }
  for (const f of Object.values(byFamily)) f.accuracy = f.n ? f.accuracy / f.n : 0;
  return { accuracy: items.length ? correct / items.length : 0, n: items.length, byFamily };
}
