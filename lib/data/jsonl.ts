/**
 * Reading row files: JSON Lines (one object per line, streamed, so large files are fine) and
 * JSON files holding one array of objects (LLaMA-Factory style). Lines that do not parse are
 * reported with their line number instead of aborting the load.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** A row and where it came from: the 1-based line of a JSONL file, the 0-based index in a JSON array. */
export interface SourcedRow {
  row: number;
  value: unknown;
}

/** A row that could not be read at all. */
export interface RowReadError {
  row: number;
  reason: string;
}

/**
 * Streams the rows of a JSONL file. Blank lines are skipped; a line that is not valid JSON is
 * passed to `onError` and skipped.
 */
export async function* readJsonlRows(path: string, onError: (e: RowReadError) => void): AsyncGenerator<SourcedRow> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      onError({ row: line, reason: `invalid JSON (${(e as Error).message})` });
      continue;
    }
    yield { row: line, value };
  }
}

/** The rows of a `.json` file that holds one array. A file that is not an array is an error naming it. */
export async function* readJsonArrayRows(path: string): AsyncGenerator<SourcedRow> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw new Error(`${path}: expected a JSON array of rows, received ${data === null ? 'null' : typeof data}`);
  for (let i = 0; i < data.length; i++) yield { row: i, value: data[i] };
}
