/**
 * What a file evaluation reports beyond the scores (docs/method.md, "Evaluation"): how the
 * answers were graded (mode, judged and unjudged counts, accuracy over judged items), the
 * judge's verdicts on the descriptions when asked, and the bad rows that were not evaluated.
 */
import type { BadRow } from '../data/dataset.js';
import type { OnMissingDescription } from '../prompts/index.js';
import { type BadRowReport, badRowReport } from './bad_rows.js';
import { type DescriptionJudgeSummary, judgeDescriptions } from './description_judge.js';
import type { EvalSample } from './evaluate.js';
import { type GradeMode, type GradingSummary, summarizeGrading } from './grading.js';
import type { Judge } from './judge.js';

export interface GradingOptions {
  /** Grading mode per item (default 'auto'; lib/eval/grading.ts). */
  grade?: GradeMode;
  /** The judge for 'judge' grading and for the descriptions. */
  judge?: Judge;
  /** Ask the judge about every description too (default: when a judge is given and pass 2 runs). */
  judgeDescriptions?: boolean;
}

export interface EvalExtras {
  grading: GradingSummary;
  /** The judge's self-containment verdicts on the descriptions (null when not asked). */
  descriptionJudge: DescriptionJudgeSummary | null;
  badRows: BadRowReport;
}

/** The extras of an evaluation whose samples `sampleGrader` graded. */
export async function evalExtras(samples: EvalSample[], o: GradingOptions, seeThink: boolean, onMissing: OnMissingDescription, loadBad: readonly BadRow[], lateBad: readonly BadRow[]): Promise<EvalExtras> {
  const askDescriptions = o.judge !== undefined && (o.judgeDescriptions ?? seeThink);
  return {
    grading: summarizeGrading(samples, o.grade ?? 'auto', o.judge),
    descriptionJudge: askDescriptions ? await judgeDescriptions(samples, o.judge!, onMissing) : null,
    badRows: badRowReport(loadBad, lateBad),
  };
}
