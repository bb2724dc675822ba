/**
 * The reward audit: the rewards a GRPO run paid, checked against the scenes the world drew
 * (docs/method.md, "Reward audit"). The self-visual reward pays a description when the policy,
 * reading it without the image, answers right. It never sees the scene, so it cannot tell a
 * faithful description from one that states objects that are not there, as long as the answer
 * still follows. The audit measures that: over the logged rollout samples (samples.jsonl) whose
 * rows carry a scene, it splits the descriptions into faithful (every stated object exists),
 * hallucinating (at least one does not), stating no object, and missing, and gives the visual
 * reward, the accuracy reward, the shortcut rate (right answer, unsupported description) and how
 * often the visual reward equals the accuracy reward, for each, overall, per family and per third
 * of the run. Pure functions; the reading is in reward_audit_read.ts.
 */
import type { Scene } from '../world/scene.js';
import { scoreResponse } from './hallucination.js';

/** One logged rollout sample joined with its row's scene. */
export interface AuditSample {
  step: number;
  family: string;
  scene: Scene;
  response: string;
  /** The accuracy reward (0/1); null when the sample has none. */
  accuracy: number | null;
  /** The self-visual reward (pass-2 accuracy from the description alone); null when the run had none. */
  visual: number | null;
}

/** What a description does against its scene. */
export type DescriptionKind = 'faithful' | 'hallucinating' | 'no_objects' | 'missing';
export const DESCRIPTION_KINDS: readonly DescriptionKind[] = ['faithful', 'hallucinating', 'no_objects', 'missing'];

/** Rewards over one group of samples; means are null where no sample has the reward. */
export interface AuditCell {
  n: number;
  visualReward: number | null;
  accuracy: number | null;
  /** Accuracy 1 with visual reward 0, over samples that have both. */
  shortcutRate: number | null;
  /**
   * Visual reward equal to the accuracy reward, over samples that have both. Near 1, the visual
   * reward adds little to GRPO's advantages that the accuracy reward does not already give.
   */
  agreement: number | null;
}

export type AuditRows = Record<DescriptionKind | 'all', AuditCell>;

export interface RewardAudit {
  samples: number;
  all: AuditRows;
  families: Record<string, AuditRows>;
  /** Thirds of the run by step (early, middle, late), each with its step range. */
  phases: Array<{ first: number; last: number; rows: AuditRows }>;
  /**
   * Visual reward of hallucinating minus faithful descriptions, over all samples (null when a
   * kind is empty). Near 0: the reward pays a hallucination as much as a faithful description.
   */
  hallucinationPenalty: number | null;
  /** The samples whose answer was right (accuracy reward 1): hallucination without wrong perception of the answer. */
  rightAnswers: AuditRows;
  /**
   * The penalty among right answers only. The overall one is confounded: a description that
   * misreads the scene often comes with a wrong answer, which costs the visual reward too.
   */
  hallucinationPenaltyWhenRight: number | null;
}

/** The kind of a response's description against the scene. */
export function descriptionKind(response: string, scene: Scene): DescriptionKind {
  const s = scoreResponse(response, scene);
  if (s.missing) return 'missing';
  if (s.objectsStated === 0) return 'no_objects';
  return s.objectsMatched < s.objectsStated ? 'hallucinating' : 'faithful';
}

function mean(xs: readonly number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function cell(samples: readonly AuditSample[]): AuditCell {
  const both = samples.filter((s) => s.accuracy !== null && s.visual !== null);
  return {
    n: samples.length,
    visualReward: mean(samples.flatMap((s) => (s.visual === null ? [] : [s.visual]))),
    accuracy: mean(samples.flatMap((s) => (s.accuracy === null ? [] : [s.accuracy]))),
    shortcutRate: mean(both.map((s) => (s.accuracy! > 0.5 && s.visual! < 0.5 ? 1 : 0))),
    agreement: mean(both.map((s) => ((s.accuracy! > 0.5) === (s.visual! > 0.5) ? 1 : 0))),
  };
}

function rows(samples: readonly AuditSample[], kinds: readonly DescriptionKind[]): AuditRows {
  const out = { all: cell(samples) } as AuditRows;
  for (const k of DESCRIPTION_KINDS) out[k] = cell(samples.filter((_, i) => kinds[i] === k));
  return out;
}

/** The audit of `samples` (see the file comment). */
export function auditRewards(samples: readonly AuditSample[]): RewardAudit {
  const kinds = samples.map((s) => descriptionKind(s.response, s.scene));
  const pick = (keep: (s: AuditSample) => boolean) => {
    const idx = samples.flatMap((s, i) => (keep(s) ? [i] : []));
    return rows(idx.map((i) => samples[i]!), idx.map((i) => kinds[i]!));
  };
  const families: Record<string, AuditRows> = {};
  for (const f of [...new Set(samples.map((s) => s.family))].sort()) families[f] = pick((s) => s.family === f);
  const steps = samples.map((s) => s.step);
  const lo = steps.length ? Math.min(...steps) : 0, hi = steps.length ? Math.max(...steps) : 0;
  const phases: RewardAudit['phases'] = [];
  if (steps.length) {
    const span = hi - lo + 1;
    for (let p = 0; p < 3; p++) {
      const first = lo + Math.floor((p * span) / 3), last = lo + Math.floor(((p + 1) * span) / 3) - 1;
      if (last >= first) phases.push({ first, last, rows: pick((s) => s.step >= first && s.step <= last) });
    }
  }
  const all = rows(samples, kinds);
  const rightAnswers = pick((s) => s.accuracy !== null && s.accuracy > 0.5);
  return { samples: samples.length, all, families, phases, hallucinationPenalty: penalty(all), rightAnswers, hallucinationPenaltyWhenRight: penalty(rightAnswers) };
}

function penalty(r: AuditRows): number | null {
  const h = r.hallucinating.visualReward, f = r.faithful.visualReward;
  return h === null || f === null ? null : h - f;
}

const pct = (x: number | null) => (x === null ? '-' : (100 * x).toFixed(1));

function rowsTable(r: AuditRows): string[] {
  const lines = ['| description | samples | share | visual reward | accuracy | shortcut rate | visual = accuracy |', '|---|---|---|---|---|---|---|'];
  for (const k of [...DESCRIPTION_KINDS, 'all'] as const) {
    const c = r[k];
    lines.push(`| ${k.replace('_', ' ')} | ${c.n} | ${pct(r.all.n ? c.n / r.all.n : null)} | ${pct(c.visualReward)} | ${pct(c.accuracy)} | ${pct(c.shortcutRate)} | ${pct(c.agreement)} |`);
  }
  return lines;
}

/** The audit as markdown: overall, right answers only, per third of the run, per family (rates in percent). */
export function auditMarkdown(a: RewardAudit, title: string): string {
  const points = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)} points`);
  const out = [
    `# Reward audit: ${title}`, '',
    `${a.samples} logged rollout samples with a scene. Visual reward of hallucinating minus faithful descriptions: ${points(a.hallucinationPenalty)}; among right answers only: ${points(a.hallucinationPenaltyWhenRight)}.`, '',
    '## All samples', '', ...rowsTable(a.all), '', '## Right answers only', '', ...rowsTable(a.rightAnswers),
  ];
  for (const p of a.phases) out.push('', `## Steps ${p.first}-${p.last}`, '', ...rowsTable(p.rows));
  for (const [f, r] of Object.entries(a.families)) out.push('', `## Family ${f}`, '', ...rowsTable(r));
  return `${out.join('\n')}\n`;
}
