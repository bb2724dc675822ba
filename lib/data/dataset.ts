/**
 * RL datasets in the Vision-SR1-47K schema (docs/method.md, "RL data"): a question (`problem`), a short
 * ground truth (`answer`) and a list of images (`images`), column names configurable
 * (data.prompt_key / answer_key / image_key). Sources: JSONL, JSON arrays, parquet files and
 * Hugging Face folders of parquet shards. Images are file paths (relative to the data file) or
 * embedded bytes (`{bytes, path}` dicts or raw bytes).
 *
 * A bad row (missing key, wrong type, missing or corrupt image) never stops a run: it is
 * reported with file, row and reason, and skipped.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkImageSource, imageFromCell, type ImageSource } from './image_source.js';
import { readJsonArrayRows, readJsonlRows, type SourcedRow } from './jsonl.js';
import { openParquet, readParquetRowGroups, readParquetRows, resolveDataFiles, type ParquetFile } from './parquet.js';

/** One usable example. `id` is `file:row`. */
export interface Example {
  id: string;
  /** Position in the dataset (what the sampler hands out). */
  index: number;
  problem: string;
  answer: string;
  images: ImageSource[];
  /** The row's values of DatasetOptions.keepColumns, as text (absent when the row lacks one). */
  columns: Record<string, string>;
}

/**
 * A skipped row. `row` is the 1-based line of a JSONL file, else the 0-based row index
 * (parquet) or array index (JSON).
 */
export interface BadRow {
  file: string;
  row: number;
  reason: string;
}

/** A `file:row` id (Example.id, SFT record ids) back to its file and row; `row` when the id has no ':' (file paths may hold ':'). */
export function rowOfId(id: string, row: number): { file: string; row: number } {
  const k = id.lastIndexOf(':');
  return k < 0 ? { file: id, row } : { file: id.slice(0, k), row: Number(id.slice(k + 1)) };
}

export interface DatasetOptions {
  /** Files, folders or `folder@split` specs (data.train_files). */
  files: string | readonly string[];
  promptKey?: string;
  answerKey?: string;
  imageKey?: string;
  /** A row without images is bad (default true: the method is for image questions). */
  requireImages?: boolean;
  /** Check each image's existence and signature at load (default true). */
  checkImages?: boolean;
  /** Images above this many pixels are bad rows (data.image_pixel_limit; default PIL's bomb threshold). */
  imagePixelLimit?: number;
  /**
   * Keep parquet image bytes in memory (true), re-read them on access (false), or decide by
   * the parquet bytes on disk, keeping them up to 1 GiB (default 'auto').
   */
  keepImageBytes?: boolean | 'auto';
  /** Other columns to keep per example, as text (e.g. the built-in world's `family`). */
  keepColumns?: readonly string[];
  /** Stop after this many good rows (LLaMA-Factory max_samples). */
  maxRows?: number | null;
  /** Called for each bad row as it is found (e.g. to print it). */
  onBadRow?: (b: BadRow) => void;
}

interface Entry {
  file: number;
  row: number;
  problem: string;
  answer: string;
  /** null = parquet images not kept; re-read by row. */
  images: ImageSource[] | null;
  columns: Record<string, string>;
}

const KEEP_BYTES_LIMIT = 1 << 30;
const decoder = new TextDecoder('utf-8', { fatal: true });
/** Kept columns are informative only: invalid UTF-8 becomes U+FFFD instead of failing the row. */
const lenientDecoder = new TextDecoder('utf-8');

function textField(row: Record<string, unknown>, key: string, allowNumber: boolean): string {
  if (!(key in row)) throw new Error(`missing key "${key}"`);
  const v = row[key];
  if (typeof v === 'string') return v;
  if (allowNumber && typeof v === 'number' && Number.isFinite(v)) return String(v); // JSON answers like 3
  if (typeof v === 'bigint' && allowNumber) return v.toString();
  if (v instanceof Uint8Array) {
    try {
      return decoder.decode(v); // parquet text without a UTF8 annotation, read with utf8: false
    } catch {
      throw new Error(`"${key}" is bytes that are not valid UTF-8`);
    }
  }
  const got = v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v;
  throw new Error(`"${key}" must be a string${allowNumber ? ' or number' : ''}, received ${got}`);
}

/** The image cells of a row as sources; throws with the reason when one is unusable. */
function parseImages(row: Record<string, unknown>, imageKey: string, requireImages: boolean, baseDir: string): ImageSource[] {
  let cells: unknown[];
  if (!(imageKey in row)) {
    if (requireImages) throw new Error(`missing key "${imageKey}"`);
    cells = [];
  } else {
    const raw = row[imageKey];
    cells = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  }
  if (requireImages && cells.length === 0) throw new Error(`"${imageKey}" is empty`);
  return cells.map((c, i) => {
    try {
      return imageFromCell(c, baseDir);
    } catch (e) {
      throw new Error(`${imageKey}[${i}]: ${(e as Error).message}`);
    }
  });
}

/** Parses and checks one row; throws an Error whose message is the reason it is bad. */
function parseRow(value: unknown, o: Required<Pick<DatasetOptions, 'promptKey' | 'answerKey' | 'imageKey' | 'requireImages' | 'keepColumns'>>, baseDir: string) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`row must be an object, received ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
  const row = value as Record<string, unknown>;
  const problem = textField(row, o.promptKey, false);
  const answer = textField(row, o.answerKey, true);
  const images = parseImages(row, o.imageKey, o.requireImages, baseDir);
  // EasyR1 (docs/method.md, "Image placement") keeps 2+ <image> placeholders in place and otherwise puts one image
  // after the question; any other count cannot be matched to the images.
  const k = problem.split('<image>').length - 1;
  const slots = k >= 2 ? k : k === 1 || images.length > 0 ? 1 : 0;
  if (slots !== images.length) throw new Error(`"${o.promptKey}" has ${k} <image> placeholder(s) but the row has ${images.length} image(s)`);
  const columns: Record<string, string> = {};
  for (const c of o.keepColumns) if (c in row && row[c] !== null && row[c] !== undefined) columns[c] = columnText(row[c]);
  return { problem, answer, images, columns };
}

/** A kept column's value as text: strings as they are, bytes as UTF-8, anything else as JSON. */
function columnText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return lenientDecoder.decode(v);
  return typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
}

/** A loaded, validated dataset. Build with VisionDataset.load. */
export class VisionDataset {
  private readonly parquet = new Map<number, ParquetFile>();
  private cache: { file: number; start: number; rows: Array<Record<string, unknown>> } | null = null;

  private constructor(
    readonly files: readonly string[],
    private readonly entries: Entry[],
    readonly badRows: readonly BadRow[],
    private readonly imageKey: string,
  ) {}

  /** Reads every source, validates each row, and keeps the good ones in source order. */
  static async load(opts: DatasetOptions): Promise<VisionDataset> {
    const specs = typeof opts.files === 'string' ? [opts.files] : [...opts.files];
    const files = specs.flatMap((s) => resolveDataFiles(s));
    const o = { promptKey: opts.promptKey ?? 'problem', answerKey: opts.answerKey ?? 'answer', imageKey: opts.imageKey ?? 'images', requireImages: opts.requireImages ?? true, keepColumns: opts.keepColumns ?? [] };
    const checkImages = opts.checkImages ?? true;
    const maxRows = opts.maxRows ?? Infinity;
    const parquetBytes = files.filter((f) => f.endsWith('.parquet')).reduce((a, f) => a + statSync(f).size, 0);
    const keep = opts.keepImageBytes === undefined || opts.keepImageBytes === 'auto' ? parquetBytes <= KEEP_BYTES_LIMIT : opts.keepImageBytes;
    const entries: Entry[] = [];
    const bad: BadRow[] = [];
    const report = (b: BadRow) => {
      bad.push(b);
      opts.onBadRow?.(b);
    };
    const ds = new VisionDataset(files, entries, bad, o.imageKey);

    // Rows are validated in chunks so image checks run concurrently while order is kept.
    const accept = async (fileIdx: number, batch: SourcedRow[], lazy: boolean) => {
      const file = files[fileIdx];
      const parsed = batch.map((r) => {
        try {
          return { r, ok: parseRow(r.value, o, dirname(file)) };
        } catch (e) {
          return { r, err: (e as Error).message };
        }
      });
      const reasons = await Promise.all(parsed.map(async (p) => {
        if (p.err !== undefined || !checkImages) return p.err;
        for (const im of p.ok!.images) {
          const why = await checkImageSource(im, opts.imagePixelLimit);
          if (why) return why;
        }
        return undefined;
      }));
      parsed.forEach((p, i) => {
        if (reasons[i] !== undefined) return report({ file, row: p.r.row, reason: reasons[i]! });
        if (entries.length >= maxRows) return;
        const { problem, answer, images, columns } = p.ok!;
        entries.push({ file: fileIdx, row: p.r.row, problem, answer, images: lazy ? null : images, columns });
      });
    };

    for (let f = 0; f < files.length && entries.length < maxRows; f++) {
      const file = files[f];
      if (file.endsWith('.parquet')) {
        const pf = await openParquet(file);
        ds.parquet.set(f, pf);
        for await (const { start, rows } of readParquetRowGroups(pf)) {
          await accept(f, rows.map((value, i) => ({ row: start + i, value })), !keep);
          if (entries.length >= maxRows) break;
        }
        continue;
      }
      const rows = file.endsWith('.jsonl') ? readJsonlRows(file, (e) => report({ file, ...e })) : readJsonArrayRows(file);
      let chunk: SourcedRow[] = [];
      for await (const r of rows) {
        chunk.push(r);
        if (chunk.length === 256) {
          await accept(f, chunk, false);
          chunk = [];
          if (entries.length >= maxRows) break;
        }
      }
      await accept(f, chunk, false);
    }
    // Unparseable JSONL lines are reported while streaming, the rest per chunk: restore file order.
    bad.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.row - b.row);
    return ds;
  }

  /**
   * The examples at `indices` (dataset positions, in that order) as a dataset of their own, e.g.
   * without the rows whose prompt is too long. It shares this one's files and bad-row list.
   */
  subset(indices: readonly number[]): VisionDataset {
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= this.entries.length) throw new RangeError(`dataset index ${i} out of range [0, ${this.entries.length})`);
    }
    const ds = new VisionDataset(this.files, indices.map((i) => this.entries[i]), this.badRows, this.imageKey);
    for (const [k, v] of this.parquet) ds.parquet.set(k, v);
    return ds;
  }

  /** Number of good examples. */
  get size(): number {
    return this.entries.length;
  }

  /** Number of skipped rows. */
  get skipped(): number {
    return this.badRows.length;
  }

  /** One line for the log: counts and the first few bad rows. */
  summary(maxBad = 5): string {
    const head = `loaded ${this.size} examples from ${this.files.length} file(s); skipped ${this.skipped} bad row(s)`;
    const lines = this.badRows.slice(0, maxBad).map((b) => `  ${b.file}:${b.row}: ${b.reason}`);
    if (this.skipped > maxBad) lines.push(`  ... and ${this.skipped - maxBad} more`);
    return [head, ...lines].join('\n');
  }

  /** The example at `index` with its images ready to read. */
  async get(index: number): Promise<Example> {
    return (await this.getBatch([index]))[0];
  }

  /** Several examples; parquet images not kept in memory are read one row group at a time. */
  async getBatch(indices: readonly number[]): Promise<Example[]> {
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= this.entries.length) throw new RangeError(`dataset index ${i} out of range [0, ${this.entries.length})`);
    }
    const out: Example[] = new Array(indices.length);
    const lazy: number[] = [];
    indices.forEach((idx, k) => {
      const e = this.entries[idx];
      if (e.images) out[k] = this.example(idx, e.images);
      else lazy.push(k);
    });
    // Visit lazy rows grouped by file and row so each row group is decoded once.
    lazy.sort((a, b) => this.entries[indices[a]].file - this.entries[indices[b]].file || this.entries[indices[a]].row - this.entries[indices[b]].row);
    for (const k of lazy) {
      const e = this.entries[indices[k]];
      const row = await this.parquetRow(e.file, e.row);
      out[k] = this.example(indices[k], parseImages(row, this.imageKey, false, dirname(this.files[e.file])));
    }
    return out;
  }

  private example(index: number, images: ImageSource[]): Example {
    const e = this.entries[index];
    return { id: `${this.files[e.file]}:${e.row}`, index, problem: e.problem, answer: e.answer, images, columns: e.columns };
  }

  private async parquetRow(file: number, row: number): Promise<Record<string, unknown>> {
    const pf = this.parquet.get(file)!;
    const rg = pf.rowGroups.find((g) => row >= g.start && row < g.end)!;
    if (!this.cache || this.cache.file !== file || this.cache.start !== rg.start) {
      this.cache = { file, start: rg.start, rows: await readParquetRows(pf, rg.start, rg.end, [this.imageKey]) };
    }
    return this.cache.rows[row - rg.start];
  }
}
