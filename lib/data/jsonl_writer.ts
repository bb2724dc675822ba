/** Writes JSON Lines: one JSON object per line, UTF-8, newline-terminated. */
import { writeFile } from 'node:fs/promises';

/** Serialises rows as JSONL text; a row that is not a plain object is an error naming its index. */
export function toJsonl(rows: readonly unknown[]): string {
  return rows
    .map((r, i) => {
      if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new Error(`jsonl row ${i}: expected an object`);
      return `${JSON.stringify(r)}\n`;
    })
    .join('');
}

/** Writes rows to `path` as JSONL. */
export async function writeJsonl(path: string, rows: readonly unknown[]): Promise<void> {
  await writeFile(path, toJsonl(rows), 'utf8');
}
