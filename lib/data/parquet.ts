/**
 * Parquet row access over hyparquet, row group by row group so a multi-GB shard never sits in
 * memory at once. Image bytes need `utf8: false`: hyparquet otherwise decodes unannotated
 * BYTE_ARRAY columns (HF's images.bytes) as text and corrupts them.
 * Also lists the parquet shards of a Hugging Face dataset folder.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

/** An open parquet file and the row ranges of its row groups. */
export interface ParquetFile {
  path: string;
  numRows: number;
  /** [start, end) row range of each row group. */
  rowGroups: Array<{ start: number; end: number }>;
  /** Top-level column names. */
  columns: string[];
  file: AsyncBuffer;
  metadata: FileMetaData;
}

/** Opens a parquet file (reads only the footer). Errors name the file. */
export async function openParquet(path: string): Promise<ParquetFile> {
  try {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    const rowGroups: Array<{ start: number; end: number }> = [];
    let start = 0;
    for (const rg of metadata.row_groups) {
      const n = Number(rg.num_rows);
      rowGroups.push({ start, end: start + n });
      start += n;
    }
    // The schema is a flattened tree: top-level columns are the root's direct children.
    const columns: string[] = [];
    const schema = metadata.schema;
    let i = 1;
    const skip = (): void => {
      const n = schema[i].num_children ?? 0;
      i++;
      for (let k = 0; k < n; k++) skip();
    };
    while (i < schema.length) {
      columns.push(schema[i].name);
      skip();
    }
    return { path, numRows: Number(metadata.num_rows), rowGroups, columns, file, metadata };
  } catch (e) {
    throw new Error(`${path}: cannot read as parquet (${(e as Error).message})`);
  }
}

const readRange = async (pf: ParquetFile, start: number, end: number, columns?: string[]) =>
  (await parquetReadObjects({ file: pf.file, metadata: pf.metadata, rowStart: start, rowEnd: end, columns, compressors, utf8: false })) as Array<Record<string, unknown>>;

/**
 * Rows [start, end) as objects, limited to `columns` when given. Binary stays Uint8Array. A
 * damaged page is an Error naming the file, the row group and the column (found by reading the
 * columns one by one once the whole read has failed).
 */
export async function readParquetRows(pf: ParquetFile, start: number, end: number, columns?: string[]): Promise<Array<Record<string, unknown>>> {
  try {
    return await readRange(pf, start, end, columns);
  } catch (e) {
    const group = pf.rowGroups.findIndex((g) => start >= g.start && start < g.end);
    let culprit: string | null = null;
    for (const c of columns ?? pf.columns) {
      if (await readRange(pf, start, end, [c]).then(() => false, () => true)) {
        culprit = c;
        break;
      }
    }
    const where = `row group ${group} (rows ${start}-${end - 1})${culprit === null ? '' : `, column '${culprit}'`}`;
    throw new Error(`${pf.path}: cannot read ${where}: ${(e as Error).message}`);
  }
}

/** Yields each row group's rows in order, with the index of its first row. */
export async function* readParquetRowGroups(pf: ParquetFile, columns?: string[]): AsyncGenerator<{ start: number; rows: Array<Record<string, unknown>> }> {
  for (const rg of pf.rowGroups) {
    if (rg.end > rg.start) yield { start: rg.start, rows: await readParquetRows(pf, rg.start, rg.end, columns) };
  }
}

const DATA_EXT = /\.(parquet|jsonl|json)$/i;

function walk(dir: string, out: string[]): void {
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    if (ent.name.startsWith('.')) continue; // .cache, .git, our own .tmp dirs
    const p = join(dir, ent.name);
    if (ent.isDirectory()) walk(p, out);
    else if (DATA_EXT.test(ent.name) && !/^(dataset_info|state|dataset_dict)\.json$/.test(ent.name)) out.push(p);
  }
}

/** True when a file of a HF folder belongs to `split`: named `train-0000-of-0004.parquet`, `train.jsonl`, or under `train/`. */
function inSplit(root: string, file: string, split: string): boolean {
  const name = basename(file).toLowerCase();
  const s = split.toLowerCase();
  if (name.startsWith(`${s}-`) || name.startsWith(`${s}.`) || name.startsWith(`${s}_`)) return true;
  return relative(root, file).toLowerCase().split(sep).slice(0, -1).includes(s);
}

/**
 * Resolves one data spec to files: a file path; a folder (every .parquet/.jsonl/.json inside,
 * recursively, sorted); or `folder@split` (only that split's shards, as EasyR1's
 * `name@split`). A folder without `@split` takes its `train` shards when it has any, else all.
 */
export function resolveDataFiles(spec: string): string[] {
  let path = spec;
  let split: string | null = null;
  const at = spec.lastIndexOf('@');
  if (at > 0 && !exists(spec)) [path, split] = [spec.slice(0, at), spec.slice(at + 1)];
  if (!exists(path)) throw new Error(`data ${spec}: no such file or folder${split ? ` (${path})` : ''}`);
  if (!statSync(path).isDirectory()) {
    if (split) throw new Error(`data ${spec}: @${split} needs a folder of shards, ${path} is a file`);
    return [path];
  }
  const files: string[] = [];
  walk(path, files);
  files.sort();
  if (files.length === 0) throw new Error(`data ${spec}: folder has no .parquet, .jsonl or .json files`);
  const want = split ?? 'train';
  const picked = files.filter((f) => inSplit(path, f, want));
  if (picked.length > 0) return picked;
  if (split === null) return files;
  throw new Error(`data ${spec}: no shard of split "${split}" among ${files.length} files (e.g. ${relative(path, files[0])})`);
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
