/**
 * Writes rows in the Vision-SR1-47K parquet schema:
 *   problem: string, answer: string, images: list<struct<bytes: binary, path: string>>
 * plus optional extra string columns (description, think, ...). The key-value metadata holds
 * the Hugging Face `datasets` feature description, so `load_dataset("parquet", ...)` decodes
 * the images column as a sequence of Image features, as on the Hub.
 */
import { writeFile } from 'node:fs/promises';
import { parquetWriteBuffer, type SchemaElement } from 'hyparquet-writer';

/** One image of a row: encoded file bytes and the path it came from. */
export interface ImageCell {
  bytes: Uint8Array;
  path: string;
}

/** One Vision-SR1-47K row; `extra` keys become string columns. */
export interface Vsr1Row {
  problem: string;
  answer: string;
  images: ImageCell[];
  extra?: Record<string, string>;
}

function hfFeatures(extraNames: string[]): string {
  const str = { dtype: 'string', _type: 'Value' };
  const features: Record<string, unknown> = { problem: str, answer: str, images: { feature: { _type: 'Image' }, _type: 'Sequence' } };
  for (const name of extraNames) features[name] = str;
  return JSON.stringify({ info: { features } });
}

/**
 * Encodes rows as a parquet file in memory. Every row must carry the same extra columns
 * (`extraNames`, in that order); a missing one is an error naming the row and column.
 */
export function vsr1ParquetBuffer(rows: readonly Vsr1Row[], extraNames: string[] = []): ArrayBuffer {
  rows.forEach((r, i) => {
    if (typeof r.problem !== 'string' || typeof r.answer !== 'string') throw new Error(`parquet row ${i}: problem and answer must be strings`);
    if (!Array.isArray(r.images)) throw new Error(`parquet row ${i}: images must be a list of {bytes, path}`);
    for (const name of extraNames) {
      if (typeof r.extra?.[name] !== 'string') throw new Error(`parquet row ${i}: extra column "${name}" must be a string`);
    }
  });
  const schema: SchemaElement[] = [
    { name: 'root', num_children: 3 + extraNames.length },
    { name: 'problem', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'answer', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'images', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
    { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ...extraNames.map((name): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' })),
  ];
  return parquetWriteBuffer({
    columnData: [
      { name: 'problem', data: rows.map((r) => r.problem) },
      { name: 'answer', data: rows.map((r) => r.answer) },
      { name: 'images', data: rows.map((r) => r.images.map((im) => ({ bytes: im.bytes, path: im.path }))) },
      ...extraNames.map((name) => ({ name, data: rows.map((r) => r.extra![name]!) })),
    ],
    schema,
    kvMetadata: [{ key: 'huggingface', value: hfFeatures(extraNames) }],
    createdBy: 'vision-sr1',
  });
}

/** Writes rows to a parquet file (see vsr1ParquetBuffer). */
export async function writeVsr1Parquet(path: string, rows: readonly Vsr1Row[], extraNames: string[] = []): Promise<void> {
  await writeFile(path, new Uint8Array(vsr1ParquetBuffer(rows, extraNames)));
}
