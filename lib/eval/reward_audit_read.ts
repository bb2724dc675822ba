/**
 * Reads what the reward audit (reward_audit.ts) needs: a run's logged rollout samples
 * (samples.jsonl, the `train` lines) and the rows they came from (world JSONL files with `id`,
 * `family` and `scene`). Lines that cannot be used are counted by reason, never dropped silently.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

/**
 * Rows are found by their `id` column or by where they came from: a loaded row without an id
 * is named `<file>:<line>` (lib/data/dataset.ts), with the file as the run's config gave it, so
 * the path is compared resolved.
 */
const locationKey = (file: string, line: number) => `@${resolve(file)}:${line}`;
function rowOf(rows: Map<string, Row>, id: string): Row | undefined {
  const at = /^(.*):(\d+)$/.exec(id);
  return rows.get(id) ?? (at ? rows.get(locationKey(at[1]!, Number(at[2]))) : undefined);
}

async function readScenes(dataFiles: readonly string[], skip: (why: string) => void): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  for (const dataFile of dataFiles) await readScenesOf(dataFile, out, skip);
  if (out.size === 0) throw new Error(`reward audit: ${dataFiles.join(', ')} hold no row with family and scene; the audit needs the world's rows`);
  return out;
}

async function readScenesOf(dataFile: string, out: Map<string, Row>, skip: (why: string) => void): Promise<void> {
  if (!existsSync(dataFile)) throw new Error(`reward audit: data file ${dataFile} not found (the world JSONL the run trained on, with id, family and scene columns)`);
  for await (const { row, value } of readJsonlRows(dataFile, () => skip('data line is not JSON'))) {
    const v = value as { id?: unknown; family?: unknown; scene?: unknown } | null;
    if (!v || typeof v.family !== 'string' || v.scene === undefined) {
      skip('data row without family or scene');
      continue;
    }
    const r = { family: v.family, scene: parseSceneColumn(typeof v.scene === 'string' ? v.scene : JSON.stringify(v.scene), `${dataFile}:${row}`) };
    if (typeof v.id === 'string') out.set(v.id, r);
    out.set(locationKey(dataFile, row), r);
  }
}

const reward = (r: Record<string, unknown> | undefined, k: string): number | null => (typeof r?.[k] === 'number' ? (r[k] as number) : null);

/** The run's train samples joined with their rows' scenes. */
export async function readAuditInput(runDir: string, dataFiles: readonly string[]): Promise<AuditInput> {
  const file = join(runDir, 'samples.jsonl');
  if (!existsSync(file)) throw new Error(`reward audit: ${file} not found (a GRPO run folder logs its rollout samples there; trainer.log_samples)`);
  const skipped: Record<string, number> = {};
  const skip = (why: string) => { skipped[why] = (skipped[why] ?? 0) + 1; };
  const scenes = await readScenes(dataFiles, skip);
  const samples: AuditSample[] = [];
  for await (const { value } of readJsonlRows(file, () => skip('sample line is not JSON'))) {
    const s = value as { step?: unknown; split?: unknown; id?: unknown; response?: unknown; reward?: Record<string, unknown> } | null;
    if (!s || (s.split !== undefined && s.split !== 'train')) continue;
    if (typeof s.response !== 'string' || typeof s.step !== 'number') { skip('sample without step or response'); continue; }
    const row = typeof s.id === 'string' ? rowOf(scenes, s.id) : undefined;
    if (!row) { skip('sample id not in the data file'); continue; }
    samples.push({ step: s.step, family: row.family, scene: row.scene, response: s.response, accuracy: reward(s.reward, 'accuracy'), visual: reward(s.reward, 'description_accuracy') });
  }
  return { samples, skipped };
}
