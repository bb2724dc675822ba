/**
 * Reads what the reward audit (reward_audit.ts) needs: a run's logged rollout samples
 * (samples.jsonl, the `train` lines) and the rows they came from (a world JSONL file with `id`,
 * `family` and `scene`). Lines that cannot be used are counted by reason, never dropped silently.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonlRows } from '../data/jsonl.js';
import type { Scene } from '../world/scene.js';
import { parseSceneColumn } from './hallucination.js';
import type { AuditSample } from './reward_audit.js';

export interface AuditInput {
  samples: AuditSample[];
  /** Lines left out, by reason (e.g. "sample id not in the data file"). */
  skipped: Record<string, number>;
}

type Row = { family: string; scene: Scene };

async function readScenes(dataFile: string, skip: (why: string) => void): Promise<Map<string, Row>> {
  if (!existsSync(dataFile)) throw new Error(`reward audit: data file ${dataFile} not found (the world JSONL the run trained on, with id, family and scene columns)`);
  const out = new Map<string, Row>();
  for await (const { row, value } of readJsonlRows(dataFile, () => skip('data line is not JSON'))) {
    const v = value as { id?: unknown; family?: unknown; scene?: unknown } | null;
    if (!v || typeof v.id !== 'string' || typeof v.family !== 'string' || v.scene === undefined) {
      skip('data row without id, family or scene');
      continue;
    }
    out.set(v.id, { family: v.family, scene: parseSceneColumn(typeof v.scene === 'string' ? v.scene : JSON.stringify(v.scene), `${dataFile}:${row}`) });
  }
  if (out.size === 0) throw new Error(`reward audit: ${dataFile} has no row with id, family and scene; the audit needs the world's rows`);
  return out;
}

const reward = (r: Record<string, unknown> | undefined, k: string): number | null => (typeof r?.[k] === 'number' ? (r[k] as number) : null);

/** The run's train samples joined with their rows' scenes. */
export async function readAuditInput(runDir: string, dataFile: string): Promise<AuditInput> {
  const file = join(runDir, 'samples.jsonl');
  if (!existsSync(file)) throw new Error(`reward audit: ${file} not found (a GRPO run folder logs its rollout samples there; trainer.log_samples)`);
  const skipped: Record<string, number> = {};
  const skip = (why: string) => { skipped[why] = (skipped[why] ?? 0) + 1; };
  const scenes = await readScenes(dataFile, skip);
  const samples: AuditSample[] = [];
  for await (const { value } of readJsonlRows(file, () => skip('sample line is not JSON'))) {
    const s = value as { step?: unknown; split?: unknown; id?: unknown; response?: unknown; reward?: Record<string, unknown> } | null;
    if (!s || (s.split !== undefined && s.split !== 'train')) continue;
    if (typeof s.response !== 'string' || typeof s.step !== 'number') { skip('sample without step or response'); continue; }
    const row = typeof s.id === 'string' ? scenes.get(s.id) : undefined;
    if (!row) { skip('sample id not in the data file'); continue; }
    samples.push({ step: s.step, family: row.family, scene: row.scene, response: s.response, accuracy: reward(s.reward, 'accuracy'), visual: reward(s.reward, 'description_accuracy') });
  }
  return { samples, skipped };
}
