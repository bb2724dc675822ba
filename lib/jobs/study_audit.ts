/**
 * The study's reward audit (lib/eval/reward_audit.ts): for each arm whose rewards include the
 * self-visual reward, its seeds' logged rollout samples pooled and checked against the scenes of
 * the RL data it trained on. Written to reward_audit.md / reward_audit.json beside the table; it
 * answers what the table cannot: whether the visual reward paid hallucinated descriptions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../checkpoint/index.js';
import { auditMarkdown, auditRewards, type AuditSample, type RewardAudit } from '../eval/reward_audit.js';
import { readAuditInput } from '../eval/reward_audit_read.js';

export interface ArmRuns {
  arm: string;
  /** GRPO run folders of the arm's seeds (those without samples.jsonl are passed over). */
  runDirs: string[];
  /** The RL data files the arm trained on. */
  dataFiles: string[];
}

/** Audits each arm with a visual reward; writes the files when any has one; returns the audits by arm. */
export async function writeStudyRewardAudits(out: string, arms: readonly ArmRuns[], log: (l: string) => void): Promise<Record<string, RewardAudit>> {
  const audits: Record<string, RewardAudit> = {};
  const sections: string[] = [];
  for (const a of arms) {
    const samples: AuditSample[] = [];
    for (const dir of a.runDirs.filter((d) => existsSync(join(d, 'samples.jsonl')))) {
      const r = await readAuditInput(dir, a.dataFiles);
      for (const [why, n] of Object.entries(r.skipped)) log(`reward audit, ${a.arm}: ${dir}: ${n} line(s) left out: ${why}`);
      samples.push(...r.samples);
    }
    if (!samples.some((s) => s.visual !== null)) continue;
    audits[a.arm] = auditRewards(samples);
    sections.push(auditMarkdown(audits[a.arm]!, `${a.arm} (${a.runDirs.length} seeds pooled)`));
  }
  if (sections.length) {
    await writeFileAtomic(join(out, 'reward_audit.md'), sections.join('\n'), out);
    await writeFileAtomic(join(out, 'reward_audit.json'), `${JSON.stringify(audits, null, 2)}\n`, out);
  }
  return audits;
}
