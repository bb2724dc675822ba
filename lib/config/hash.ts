/**
 * A stable fingerprint of a config, stored in checkpoints so a resume can tell whether the
 * settings changed. Key order does not matter; values do.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/**
 * First 16 hex digits of sha256(canonical JSON). `ignore` lists dotted paths to leave out,
 * e.g. `trainer.max_steps`, which a resumed run may legitimately change.
 */
export function configHash(config: unknown, ignore: readonly string[] = []): string {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const path of ignore) {
    const parts = path.split('.');
    let node: unknown = copy;
    for (let i = 0; i < parts.length - 1 && node && typeof node === 'object'; i++) node = (node as Record<string, unknown>)[parts[i]];
    if (node && typeof node === 'object') delete (node as Record<string, unknown>)[parts[parts.length - 1]];
  }
  return createHash('sha256').update(canonicalJson(copy)).digest('hex').slice(0, 16);
}
