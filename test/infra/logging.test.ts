import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  MetricsLogger, PhaseTimer, SampleLogger, TensorBoardWriter, createProgress, maskedCrc32c, progressEnabled, tfRecord,
} from '../../lib/logging/index.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'vsr1-log-'));

interface OracleOut {
  records: Array<{ step?: number; wall_time?: number; file_version?: string; scalars: Record<string, number> }> | null;
  error: string | null;
  tensorboard: Record<string, Array<[number, number, number]>> | null;
  tensorboard_error: string | null;
}

describe('TFRecord framing', () => {
  it('masks crc32c the TensorFlow way', () => {
    // crc32c("123456789") = 0xE3069283 (the standard check value); mask = rotr15 + 0xa282ead8
    const crc = 0xe3069283;
    const expected = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(expected);
  });

  it('frames length, crc, data, crc', () => {
    const rec = tfRecord(new Uint8Array([1, 2, 3]));
    expect(rec.length).toBe(8 + 4 + 3 + 4);
    expect(new DataView(rec.buffer).getBigUint64(0, true)).toBe(3n);
    expect(Array.from(rec.subarray(12, 15))).toEqual([1, 2, 3]);
  });
});

describe.runIf(oracleAvailable(['json', 'struct']))('TensorBoard event file (Python oracle)', () => {
  it('is read back with valid CRCs, first record brain.Event:2, exact scalars', () => {
    const dir = tmp();
    const w = new TensorBoardWriter(dir);
    const steps = [0, 1, 2, 10, 123456789012];
    const values = (s: number) => ({ 'loss/pg': Math.sin(s) / 3, 'reward/overall': s * 0.1, 'timing/rollout': 1e-7 * (s + 1) });
    for (const s of steps) w.addScalars(values(s), s, 1700000000 + s);
    w.addScalar('lr', 1e-6, 3, 1700000003.25);
    w.close();
    const out = runOracle<OracleOut>('scripts/oracle/tb_events.py', { path: w.path });
    expect(out.error).toBeNull();
    const recs = out.records!;
    expect(recs[0].file_version).toBe('brain.Event:2');
    expect(recs[0].step ?? 0).toBe(0);
    expect(recs.length).toBe(1 + steps.length + 1);
    steps.forEach((s, i) => {
      const r = recs[i + 1];
      expect(r.step).toBe(s);
      expect(r.wall_time).toBe(1700000000 + s);
      for (const [k, v] of Object.entries(values(s))) expect(r.scalars[k]).toBe(Math.fround(v));
    });
    expect(recs.at(-1)).toMatchObject({ step: 3, wall_time: 1700000003.25, scalars: { lr: Math.fround(1e-6) } });

    if (out.tensorboard === null) {
      console.warn(`tensorboard cross-check skipped: ${out.tensorboard_error}`);
    } else {
      expect(out.tensorboard_error).toBeNull();
      expect(Object.keys(out.tensorboard).sort()).toEqual(['loss/pg', 'lr', 'reward/overall', 'timing/rollout']);
      expect(out.tensorboard['reward/overall'].map(([s, v]) => [s, v])).toEqual(steps.map((s) => [s, Math.fround(s * 0.1)]));
    }
  });

  it('detects a corrupted byte (the oracle really checks CRCs)', () => {
    const dir = tmp();
    const w = new TensorBoardWriter(dir);
    w.addScalar('x', 1.5, 1);
    w.close();
    const bytes = readFileSync(w.path);
    bytes[bytes.length - 6] ^= 0xff; // inside the last record's data
    writeFileSync(w.path, bytes);
    const out = runOracle<OracleOut>('scripts/oracle/tb_events.py', { path: w.path });
    expect(out.error).toMatch(/data crc mismatch/);
    if (out.tensorboard) expect(out.tensorboard.x).toBeUndefined(); // TensorBoard's reader drops it too
  });
});

describe('metrics logger', () => {
  it('writes one JSONL line per step, available before close, plus tensorboard and console', () => {
    const dir = tmp();
    const lines: string[] = [];
    const m = new MetricsLogger({ dir, loggers: ['console', 'jsonl', 'tensorboard'], print: (l) => lines.push(l) });
    m.log(1, { loss: 0.5, 'reward/overall': 1.25 });
    m.log(2, { loss: Number.NaN });
    const text = readFileSync(join(dir, 'metrics.jsonl'), 'utf8'); // before close: flushed per line
    const rows = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ step: 1, loss: 0.5, 'reward/overall': 1.25 });
    expect(typeof rows[0].wall_time).toBe('number');
    expect(rows[1].loss).toBeNull();
    expect(lines[0]).toBe('step 1 | loss 0.5 | reward/overall 1.25');
    m.close();
    expect(readdirSync(join(dir, 'tensorboard')).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
  });

  it('creates only the sinks asked for', () => {
    const dir = tmp();
    const m = new MetricsLogger({ dir, loggers: ['jsonl'] });
    expect(m.tensorboard).toBeNull();
    m.log(0, { a: 1 });
    m.close();
    expect(readdirSync(dir)).toEqual(['metrics.jsonl']);
  });
});

describe('sample logger', () => {
  it('logs prompt/response/reward, spread across the batch, up to the limit', () => {
    const dir = tmp();
    const s = new SampleLogger(join(dir, 'samples.jsonl'), 3);
    const batch = Array.from({ length: 9 }, (_, i) => ({ prompt: `p${i}`, response: `r${i}`, reward: { overall: i, accuracy: i % 2 }, ground_truth: 'A' }));
    expect(s.log(4, batch)).toBe(3);
    expect(new SampleLogger(join(dir, 'all.jsonl'), -1).log(4, batch, 'val')).toBe(9);
    const rows = readFileSync(join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.index)).toEqual([0, 3, 6]);
    expect(rows[1]).toEqual({ step: 4, split: 'train', index: 3, prompt: 'p3', response: 'r3', reward: { overall: 3, accuracy: 1 }, ground_truth: 'A' });
  });
});

describe('phase timer', () => {
  it('sums seconds per phase per step and prints a table', async () => {
    let t = 0;
    const timer = new PhaseTimer(() => t);
    timer.start('rollout');
    t += 2000;
    timer.stop('rollout');
    await timer.time('pass2', () => {
      t += 500;
    });
    timer.start('update');
    t += 250;
    timer.stop('update');
    timer.start('update');
    t += 250;
    timer.stop('update');
    const s1 = timer.endStep(1);
    expect(s1).toEqual({ step: 1, phases: { rollout: 2, pass2: 0.5, update: 0.5 }, total: 3 });
    await expect(timer.time('rewards', async () => {
      t += 100;
      throw new Error('boom');
    })).rejects.toThrow('boom');
    t += 900;
    const s2 = timer.endStep(2);
    expect(s2.phases).toEqual({ rewards: 0.1 });
    expect(s2.total).toBe(1);
    expect(PhaseTimer.metrics(s1)).toEqual({ 'timing/rollout': 2, 'timing/pass2': 0.5, 'timing/update': 0.5, 'timing/step': 3 });
    const table = timer.table().split('\n');
    expect(table[0].split(/\s+/)).toEqual(['step', 'rollout', 's', 'pass2', 's', 'rewards', 's', 'update', 's', 'total', 's']);
    expect(table[2].trim().split(/\s+/)).toEqual(['1', '2', '0.5', '-', '0.5', '3']);
    expect(table[4].trim().split(/\s+/)).toEqual(['mean', '2', '0.5', '0.1', '0.5', '2']);
    expect(() => timer.stop('rollout')).toThrow(/not started/);
    timer.start('x');
    expect(() => timer.start('x')).toThrow(/already started/);
    expect(() => timer.endStep(3)).toThrow(/still running/);
  });
});

describe('progress', () => {
  const fakeStream = (tty: boolean) => {
    const s = new PassThrough() as unknown as NodeJS.WriteStream & { chunks: string[] };
    s.chunks = [];
    (s as unknown as PassThrough).on('data', (c) => s.chunks.push(String(c)));
    Object.assign(s, { isTTY: tty, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    return s;
  };

  it('is quiet when not a TTY or on CI', () => {
    expect(progressEnabled(fakeStream(false), {})).toBe(false);
    expect(progressEnabled(fakeStream(true), { CI: 'true' })).toBe(false);
    expect(progressEnabled(fakeStream(true), { CI: 'false' })).toBe(true);
    expect(progressEnabled(fakeStream(true), { VSR1_NO_PROGRESS: '1' })).toBe(false);
    const s = fakeStream(false);
    const p = createProgress('rollout', 10, { stream: s });
    p.increment(4);
    p.stop();
    expect(p.active).toBe(false);
    expect(p.value).toBe(4);
    expect(s.chunks.join('')).toBe('');
  });

  it('draws on a TTY', () => {
    const s = fakeStream(true);
    const p = createProgress('rollout', 10, { stream: s, quiet: false, unit: 'samples' });
    p.increment(5, 'reward 0.4');
    p.stop();
    expect(p.active).toBe(true);
    expect(s.chunks.join('')).toMatch(/rollout \|.*\| 5\/10 samples 50% .*reward 0\.4/);
  });
});
