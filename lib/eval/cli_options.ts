/**
 * The grading and judge options of `vsr1 eval` (docs/method.md, "Evaluation"), checked before a
 * model is loaded, and the report lines they add: grading counts, the judge's verdicts on the
 * descriptions, and the bad rows.
 */
import type { ModelStack } from '../rollout/model_stack.js';
import { formatBadRows } from './bad_rows.js';
import type { EvalExtras, GradingOptions } from './eval_extras.js';
import { type GradeMode, parseGradeMode } from './grading.js';
import { apiKeyFromEnv, httpJudge, type Judge } from './judge.js';
import { policyJudge } from './policy_judge.js';

/** The raw commander values (all strings or flags). */
export interface GradingCliValues {
  grade?: string;
  judgeUrl?: string;
  judgeModel?: string;
  judgeKeyEnv?: string;
  judgeTimeout?: string;
  judgeConcurrency?: string;
  judgePolicy?: boolean;
  judgeDescriptions?: boolean;
}

export interface GradingPlan {
  grade: GradeMode;
  /** Builds the judge once the policy is loaded (null: no judge). */
  makeJudge: ((stack: ModelStack) => Judge) | null;
  judgeDescriptions?: boolean;
  /** Notes for the user (e.g. no API key set). */
  notes: string[];
}

const positive = (name: string, v: string) => {
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new Error(`${name} must be a positive number, received ${JSON.stringify(v)}`);
  return x;
};

/** Validates the options; errors name the option and what was expected. */
export function gradingPlan(o: GradingCliValues, env: NodeJS.ProcessEnv = process.env): GradingPlan {
  const grade = parseGradeMode(o.grade ?? 'auto');
  const notes: string[] = [];
  if (o.judgeUrl !== undefined && o.judgePolicy) throw new Error('give either --judge-url or --judge-policy, not both');
  let makeJudge: GradingPlan['makeJudge'] = null;
  if (o.judgeUrl !== undefined) {
    if (!/^https?:\/\//.test(o.judgeUrl)) throw new Error(`--judge-url must start with http:// or https://, received ${JSON.stringify(o.judgeUrl)}`);
    if (!o.judgeModel) throw new Error('--judge-url needs --judge-model (the model name the endpoint serves)');
    const keyEnv = o.judgeKeyEnv ?? 'OPENAI_API_KEY';
    const apiKey = apiKeyFromEnv(keyEnv, env);
    if (!apiKey) notes.push(`judge: $${keyEnv} is not set, so no Authorization header is sent`);
    const timeoutMs = 1000 * positive('--judge-timeout (seconds)', o.judgeTimeout ?? '30');
    const concurrency = Math.floor(positive('--judge-concurrency', o.judgeConcurrency ?? '4'));
    const url = o.judgeUrl, model = o.judgeModel;
    makeJudge = () => httpJudge({ url, model, apiKey, timeoutMs, concurrency });
  } else if (o.judgePolicy) {
    makeJudge = (stack) => policyJudge(stack);
  } else if (o.judgeModel !== undefined) {
    throw new Error('--judge-model needs --judge-url');
  }
  if (grade === 'judge' && !makeJudge) throw new Error('--grade judge needs a judge: --judge-url URL --judge-model NAME, or --judge-policy');
  // commander's --no-judge-descriptions defaults the flag to true; only an explicit 'no' overrides the default.
  return { grade, makeJudge, judgeDescriptions: o.judgeDescriptions === false ? false : undefined, notes };
}

/** The evaluateFile options of a plan, with its judge built on `stack`. */
export function gradingOptions(p: GradingPlan, stack: ModelStack): GradingOptions {
  return { grade: p.grade, judge: p.makeJudge?.(stack), judgeDescriptions: p.judgeDescriptions };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);

/** Report lines: grading counts, description verdicts, bad rows. */
export function gradingReport(r: EvalExtras & { n: number }): string[] {
  const g = r.grading;
  const rules = Object.entries(g.byRule).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const lines = [`grading ${g.mode} (${rules}); judged ${g.judged}, unjudged ${g.unjudged}; accuracy ${pct(g.accuracy)} over all ${r.n} items (unjudged = wrong), ${pct(g.accuracyJudged)} over judged`];
  if (g.judge) lines.push(`judge: ${g.judge}, ${g.judgeCalls} answer(s) sent`);
  for (const u of g.unjudgedSamples) lines.push(`  unjudged ${u.id}: ${u.reason}`);
  const d = r.descriptionJudge;
  if (d) {
    lines.push(`descriptions judged by ${d.judge}: judged ${d.judged}, unjudged ${d.unjudged}, without a description ${d.noDescription}; ` +
      `self-contained ${pct(d.accuracy)} (over judged ${pct(d.accuracyJudged)}); language-shortcut rate ${pct(d.languageShortcutRate)} (over judged ${pct(d.languageShortcutRateJudged)})`);
    for (const u of d.unjudgedSamples) lines.push(`  unjudged description ${u.id}: ${u.reason}`);
  }
  return [...lines, ...formatBadRows(r.badRows)];
}
