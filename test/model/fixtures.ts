/**
 * Shared fixtures for the Qwen2.5-VL model parity tests: tiny random checkpoints built by
 * scripts/oracle/qwen_model.py, seeded inputs, oracle calls and logit comparison.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { torch } from '../../lib/index.js';
import { getRopeIndex } from '../../lib/models/qwen2_5_vl/rope_index.js';
import { runOracle } from '../helpers/oracle.js';
import { prng } from '../helpers/tensors.js';

export const SCRIPT = 'scripts/oracle/qwen_model.py';

/** Special ids of the tiny vocabulary (512), set in qwen_model.py. */
export const TOK = { imagePad: 500, videoPad: 501, visionStart: 502, visionEnd: 503, imEnd: 510, endOfText: 511 } as const;
export const VOCAB = 512;
export const PATCH_DIM = 3 * 2 * 14 * 14; // 1176

/** Max |a - b| the model's logits may differ from transformers' (fp32, CPU). */
export const LOGIT_TOL = 1e-4;

export type Preset = 'tiny' | 'tiny-untied' | 'tiny-gqa';

/** What `qwen_model.py make` prints (the fields the tests read). */
export interface MakeResult {
  preset: Preset;
  seed: number;
  dirs: { hf: string; 'module-keys': string; hub: string };
  tied: boolean;
  layout_written_by_transformers: string;
  lm_head_saved: boolean;
  hub_shards: string[];
  weights: Array<{ name: string; shape: number[]; dtype: string }>;
  self_check_max_abs_diff: Record<string, number>;
}

export interface Checkpoint {
  make: MakeResult;
  /** transformers 5.24 save_pretrained: nested config, hub key names, one file. */
  hf: string;
  /** Module-path keys (model.language_model.*, model.visual.*), nested config. */
  moduleKeys: string;
  /** Flat hub-style config.json (rope_scaling mrope), sharded with an index. */
  hub: string;
}

export const SEEDS: Record<Preset, number> = { tiny: 1, 'tiny-untied': 2, 'tiny-gqa': 3 };

/**
 * Builds (or reuses) the tiny checkpoints of `preset`. The cache folder is keyed by the oracle
 * script's hash, built in a private folder and renamed into place, so parallel test files
 * share one copy and a changed script rebuilds it.
 */
export function tinyCheckpoint(preset: Preset): Checkpoint {
  const hash = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 12);
  const base = join(tmpdir(), `vsr1-qwen-tiny-${hash}`);
  const root = join(base, preset);
  const done = join(root, 'make.json');
  if (!existsSync(done)) {
    mkdirSync(base, { recursive: true });
    const work = join(base, `.${preset}-${process.pid}-${Date.now()}`);
    const made = runOracle<MakeResult>(SCRIPT, null, ['make', work, '--seed', String(SEEDS[preset]), '--preset', preset]);
    // The oracle wrote absolute paths under `work`; store them relative to the final folder.
    const rel = JSON.stringify(made).split(work).join(root);
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'make.json'), rel);
    try {
      renameSync(work, root);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another worker won the race
    }
  }
  const make = JSON.parse(readFileSync(done, 'utf8')) as MakeResult;
  return { make, hf: make.dirs.hf, moduleKeys: make.dirs['module-keys'], hub: make.dirs.hub };
}

/** A fresh temp folder for outputs of one test file. */
export function outDir(prefix: string): string {
  const d = join(tmpdir(), `vsr1-${prefix}-${process.pid}-${Date.now()}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Seeded plain-text ids below the special range. */
export function textIds(n: number, seed: number): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => Math.floor(r() * 490));
}

/** `<vision_start> <image_pad> x (gh*gw/4) <vision_end>` for one image grid. */
export function imageBlock(grid: readonly number[]): number[] {
  const [t, h, w] = grid;
  return [TOK.visionStart, ...new Array<number>((t * h * w) / 4).fill(TOK.imagePad), TOK.visionEnd];
}

/** Standard-normal float32 pixel rows [rows, 1176] (values rounded to float32 for both sides). */
export function randomPixels(rows: number, seed: number): Float32Array {
  const r = prng(seed);
  const out = new Float32Array(rows * PATCH_DIM);
  for (let i = 0; i < out.length; i++) {
    const u = Math.max(r(), 1e-12);
    const v = r();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

/** Pixel rows needed by a list of grids (t*h*w each). */
export function pixelRows(grids: ReadonlyArray<readonly number[]>): number {
  return grids.reduce((s, [t, h, w]) => s + t * h * w, 0);
}

/** One forward request, in both the oracle's JSON form and the model's tensor form. */
export interface ForwardCase {
  inputIds: number[][];
  attentionMask?: number[][];
  positionIds?: number[][][];
  pixels?: Float32Array;
  grids?: number[][];
}

export interface OracleForward {
  logits: Array<number | null>;
  shape: [number, number, number];
  nonfinite: number;
  position_ids: number[][][];
  rope_deltas: number[];
}

function oracleJson(c: ForwardCase): Record<string, unknown> {
  return {
    input_ids: c.inputIds,
    attention_mask: c.attentionMask ?? null,
    position_ids: c.positionIds ?? null,
    pixel_values: c.pixels ? Array.from(c.pixels) : null,
    pixel_values_shape: c.pixels ? [c.pixels.length / PATCH_DIM, PATCH_DIM] : null,
    image_grid_thw: c.grids ?? null,
  };
}

/** mRoPE position ids [3][B][L] and rope deltas from getRopeIndex (masked positions get 0). */
export function ropePositions(ids: number[][], mask: number[][] | null | undefined, grids: number[][] | undefined): { nested: number[][][]; deltas: number[] } {
  const r = getRopeIndex(ids, mask ?? null, grids ?? [], { imageTokenId: TOK.imagePad, videoTokenId: TOK.videoPad, spatialMergeSize: 2 });
  const [, B, L] = r.shape;
  const nested = [0, 1, 2].map((a) => Array.from({ length: B }, (_, b) => Array.from(r.positionIds.subarray((a * B + b) * L, (a * B + b + 1) * L))));
  return { nested, deltas: Array.from(r.ropeDeltas) };
}

/** The case with explicit positionIds from getRopeIndex (how the trainer calls forward). */
export function withPositions(c: ForwardCase): ForwardCase {
  return { ...c, positionIds: ropePositions(c.inputIds, c.attentionMask, c.grids).nested };
}

/** transformers' logits for several cases in one Python process. */
export function oracleForward(dir: string, cases: ForwardCase[]): OracleForward[] {
  return runOracle<{ results: OracleForward[] }>(SCRIPT, { cases: cases.map(oracleJson) }, ['forward', dir]).results;
}

export interface OracleGenerate {
  sequences: number[][];
  log_probs: number[][];
  margins: number[][];
  min_margin: Array<number | null>;
}

/** transformers' greedy generate, one prompt at a time. */
export function oracleGenerate(
  dir: string,
  req: { prompts: number[][]; pixels?: Float32Array; grids?: number[][]; maxNewTokens: number; stopTokenIds?: number[] },
): OracleGenerate {
  return runOracle<OracleGenerate>(
    SCRIPT,
    {
      prompts: req.prompts,
      pixel_values: req.pixels ? Array.from(req.pixels) : null,
      pixel_values_shape: req.pixels ? [req.pixels.length / PATCH_DIM, PATCH_DIM] : null,
      image_grid_thw: req.grids ?? null,
      max_new_tokens: req.maxNewTokens,
      stop_token_ids: req.stopTokenIds ?? null,
    },
    ['generate', dir],
  );
}

/** The model's forward inputs as tensors (int64 ids/mask/positions, float32 pixels). */
export function forwardInputs(c: ForwardCase) {
  const B = c.inputIds.length;
  const L = c.inputIds[0].length;
  return {
    inputIds: torch.tensor(c.inputIds, { dtype: 'int64' }),
    attentionMask: c.attentionMask ? torch.tensor(c.attentionMask, { dtype: 'int64' }) : undefined,
    positionIds: c.positionIds ? torch.tensor(c.positionIds, { dtype: 'int64' }) : undefined,
    pixelValues: c.pixels ? torch.tensor(c.pixels, { shape: [c.pixels.length / PATCH_DIM, PATCH_DIM], dtype: 'float32' }) : undefined,
    imageGridThw: c.grids,
    shape: [B, L] as const,
  };
}

/** Something with the model's forward signature (keeps this file independent of model.ts). */
export interface Forwardable {
  forward(inputs: {
    inputIds: torch.Tensor;
    attentionMask?: torch.Tensor;
    positionIds?: torch.Tensor;
    pixelValues?: torch.Tensor;
    imageGridThw?: number[][];
  }): torch.Tensor;
}

/** Runs the model without grad and returns float32 logits [B, L, V] as a flat array + shape. */
export function modelLogits(model: Forwardable, c: ForwardCase): { data: Float32Array; shape: number[] } {
  const inp = forwardInputs(c);
  const { shape: _s, ...args } = inp;
  try {
    const logits = torch.noGrad(() => model.forward(args));
    try {
      expect(logits.dtype, 'logits dtype').toBe('float32');
      return { data: logits.data() as Float32Array, shape: logits.shape };
    } finally {
      logits.dispose();
    }
  } finally {
    for (const t of [inp.inputIds, inp.attentionMask, inp.positionIds, inp.pixelValues]) t?.dispose();
  }
}

/**
 * Max |ours - oracle| over the positions of row b where `valid` (default all), for logits laid
 * out [B, L, V]. Throws if the oracle has a non-finite value at a compared position.
 */
export function maxDiff(
  ours: ArrayLike<number>,
  oracle: ArrayLike<number | null>,
  opts: { B: number; L: number; V: number; valid?: (b: number, l: number) => boolean },
): number {
  let worst = 0;
  const { B, L, V } = opts;
  for (let b = 0; b < B; b++) {
    for (let l = 0; l < L; l++) {
      if (opts.valid && !opts.valid(b, l)) continue;
      for (let v = 0; v < V; v++) {
        const e = oracle[(b * L + l) * V + v];
        if (e === null || !Number.isFinite(e)) throw new Error(`oracle logit at [${b}, ${l}, ${v}] is not finite`);
        const a = ours[(b * L + l) * V + v];
        const d = Math.abs(a - e);
        if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
      }
    }
  }
  return worst;
}

/** Logits of row b, positions [from, from + n), as a flat [n, V] array. */
export function rowSlice(data: ArrayLike<number | null>, L: number, V: number, b: number, from: number, n: number): Array<number | null> {
  const out: Array<number | null> = [];
  for (let l = from; l < from + n; l++) for (let v = 0; v < V; v++) out.push(data[(b * L + l) * V + v]);
  return out;
}

/** Population standard deviation: a guard that logits are not trivially flat. */
export function std(xs: ArrayLike<number | null>): number {
  let s = 0, s2 = 0, n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === null) continue;
    s += x; s2 += x * x; n++;
  }
  const m = s / n;
  return Math.sqrt(Math.max(0, s2 / n - m * m));
}

/** Left- or right-pads unequal rows with <|endoftext|> and builds the 0/1 mask. */
export function pad(rows: number[][], side: 'left' | 'right'): { ids: number[][]; mask: number[][]; offset: number[] } {
  const L = Math.max(...rows.map((r) => r.length));
  const ids: number[][] = [], mask: number[][] = [], offset: number[] = [];
  for (const r of rows) {
    const p = new Array<number>(L - r.length).fill(TOK.endOfText);
    const ones = new Array<number>(r.length).fill(1);
    const zeros = new Array<number>(L - r.length).fill(0);
    ids.push(side === 'left' ? [...p, ...r] : [...r, ...p]);
    mask.push(side === 'left' ? [...zeros, ...ones] : [...ones, ...zeros]);
    offset.push(side === 'left' ? L - r.length : 0);
  }
  return { ids, mask, offset };
}
