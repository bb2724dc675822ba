/**
 * `vsr1 reward-audit RUN_DIR... --data FILE... [--out DIR]`: checks the rewards GRPO runs paid
 * against the world's scenes (lib/eval/reward_audit.ts): the visual reward of faithful and of
 * hallucinating descriptions, overall, per family and per third of the run. Several run folders
 * (seeds of one recipe) are pooled.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../checkpoint/index.js';
import { auditMarkdown, auditRewards, type AuditSample } from '../eval/reward_audit.js';
import { readAuditInput } from '../eval/reward_audit_read.js';

export function register(program: Command): void {
  program
    .command('reward-audit')
    .description('check the rewards of GRPO runs on world data against the scenes: does the self-visual reward pay hallucinated descriptions? (markdown + JSON)')
    .argument('<run_dirs...>', 'GRPO run folders (samples.jsonl); several are pooled')
    .requiredOption('--data <files...>', 'the world JSONL file(s) the runs trained on (rows with id, family and scene)')
    .option('--out <dir>', 'write reward_audit.md and reward_audit.json here (default: print only)')
    .action(async (dirs: string[], o: { data: string[]; out?: string }) => {
      const samples: AuditSample[] = [];
      for (const dir of dirs) {
        const r = await readAuditInput(dir, o.data);
        for (const [why, n] of Object.entries(r.skipped)) console.log(`${dir}: ${n} line(s) left out: ${why}`);
        samples.push(...r.samples);
      }
      if (!samples.length) throw new Error(`reward audit: no rollout sample of ${dirs.join(', ')} matched a row of ${o.data.join(', ')}`);
      const audit = auditRewards(samples);
      const md = auditMarkdown(audit, dirs.join(', '));
      console.log(md);
      if (o.out) {
        mkdirSync(o.out, { recursive: true });
        await writeFileAtomic(join(o.out, 'reward_audit.md'), md, o.out);
        await writeFileAtomic(join(o.out, 'reward_audit.json'), `${JSON.stringify({ runs: dirs, data: o.data, ...audit }, null, 2)}\n`, o.out);
        console.log(`wrote ${join(o.out, 'reward_audit.md')}, ${join(o.out, 'reward_audit.json')}`);
      }
    });
}
