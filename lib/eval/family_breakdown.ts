/**
 * Per-family scores of an evaluation on world data (rows with `family` and `scene` columns):
 * accuracy, description accuracy, the language-shortcut rate and the hallucination metrics
 * measured against each row's scene (hallucination.ts), overall and per family.
 */
import type { EvalSample } from './evaluate.js';
import { type DescriptionRates, type DescriptionScore, parseSceneColumn, scoreResponse } from './hallucination.js';

/** Means of the per-response scores; every mean is null where no response has a value. */
export interface HallucinationSummary extends DescriptionRates {
  /** Responses scored (rows with a scene). */
  n: number;
  /** Responses without a `<description>` block; left out of every mean below. */
  missing: number;
  /** Described responses that state at least one object (the base of objectPrecision). */
  withObjects: number;
  /** Described responses that state at least one count (the base of countAccuracy). */
  withCounts: number;
}

/** Scores of one family (or of all samples). */
export interface FamilyScore {
  n: number;
  accuracy: number;
  descriptionAccuracy: number | null;
  languageShortcutRate: number | null;
  /** Null when the rows have no scene. */
  hallucination: HallucinationSummary | null;
}

/** An evaluation sample with its row's family and its score against the row's scene. */
export type WorldEvalSample = EvalSample & { family?: string; hallucination?: DescriptionScore };

export interface WorldBreakdown {
  samples: WorldEvalSample[];
  /** Over every sample whose row has a scene; null when none has. */
  hallucination: HallucinationSummary | null;
  /** Per `family` value (sorted); null when a row lacks the column. */
  families: Record<string, FamilyScore> | null;
}

const METRICS = ['objectPrecision', 'objectRecall', 'colourPrecision', 'colourRecall', 'shapePrecision', 'shapeRecall', 'countAccuracy'] as const;

function mean(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** Means of per-response scores (missing descriptions counted apart, never as perfect precision). */
export function summarizeHallucination(scores: readonly DescriptionScore[]): HallucinationSummary {
  const described = scores.filter((s) => !s.missing);
  const m = Object.fromEntries(METRICS.map((k) => [k, mean(described.map((s) => s[k]))])) as Record<(typeof METRICS)[number], number | null>;
  return {
    n: scores.length,
    missing: scores.length - described.length,
    withObjects: described.filter((s) => s.objectsStated > 0).length,
    withCounts: described.filter((s) => s.countsStated > 0).length,
    ...m,
    hallucinationRate: m.objectPrecision === null ? null : 1 - m.objectPrecision,
  };
}

/** Accuracy, description accuracy and language-shortcut rate of samples, as evaluate defines them. */
function answerScores(samples: readonly EvalSample[]): Omit<FamilyScore, 'hallucination'> {
  const n = samples.length;
  const avg = (f: (x: EvalSample) => number) => (n ? samples.reduce((a, x) => a + f(x), 0) / n : 0);
  const withPass2 = n > 0 && samples.every((x) => x.descriptionAccuracy !== null);
  return {
    n,
    accuracy: avg((x) => x.accuracy),
    descriptionAccuracy: withPass2 ? avg((x) => x.descriptionAccuracy!) : null,
    languageShortcutRate: withPass2 ? avg((x) => (x.accuracy === 1 && x.descriptionAccuracy === 0 ? 1 : 0)) : null,
  };
}

/**
 * Scores `samples` (greedy, one per row) against their rows: `columns[i]` holds the kept
 * columns of the row of `samples[i]` (its `family`, and its `scene` as JSON text), `rowIds[i]`
 * names that row in errors.
 */
export function worldBreakdown(samples: readonly EvalSample[], columns: readonly Record<string, string>[], rowIds: readonly string[]): WorldBreakdown {
  if (columns.length !== samples.length) throw new Error(`worldBreakdown: ${samples.length} samples but ${columns.length} rows (one sample per row expected)`);
  const out: WorldEvalSample[] = samples.map((s, i) => {
    const c = columns[i]!;
    const x: WorldEvalSample = { ...s };
    if (c.family !== undefined) x.family = c.family;
    if (c.scene !== undefined) x.hallucination = scoreResponse(s.response, parseSceneColumn(c.scene, `row ${rowIds[i]}`));
    return x;
  });
  const scored = (xs: readonly WorldEvalSample[]) => xs.flatMap((x) => (x.hallucination ? [x.hallucination] : []));
  const all = scored(out);
  const hallucination = all.length ? summarizeHallucination(all) : null;
  if (out.length === 0 || out.some((x) => x.family === undefined)) return { samples: out, hallucination, families: null };
  const byFamily = new Map<string, WorldEvalSample[]>();
  for (const x of out) (byFamily.get(x.family!) ?? byFamily.set(x.family!, []).get(x.family!)!).push(x);
  const families: Record<string, FamilyScore> = {};
  for (const [k, xs] of [...byFamily].sort(([a], [b]) => a.localeCompare(b))) {
    const h = scored(xs);
    families[k] = { ...answerScores(xs), hallucination: h.length ? summarizeHallucination(h) : null };
  }
  return { samples: out, hallucination, families };
}

/** Checks every row's `scene` column before any generation, so a bad row costs nothing. */
export function checkWorldRows(rows: readonly { id: string; columns: Record<string, string> }[]): void {
  for (const r of rows) if (r.columns.scene !== undefined) parseSceneColumn(r.columns.scene, `row ${r.id}`);
}
