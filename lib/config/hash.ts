/**
 * A stable fingerprint of a config, stored in checkpoints so a resume can tell whether the
 * settings changed. Key order does not matter; values do.
 */
import { createHash } from 'node:crypto';

/**
 * Key under which a wrapper of a config (a test's read-recording Proxy) exposes the plain object.
 * Hashing and saving a config go through rawConfig, so they neither count as reading every key
 * nor hand a Proxy to structuredClone (which cannot clone one).
 */
export const RAW_CONFIG = Symbol.for('vsr1.rawConfig');

/** The plain config behind a wrapper, or `config` itself. */
export function rawConfig<T>(config: T): T {
  const raw = config && typeof config === 'object' ? (config as Record<symbol, unknown>)[RAW_CONFIG] : undefined;
  return (raw ?? config) as T;
}

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
  const copy = structuredClone(rawConfig(config)) as Record<string, unknown>;
  for (const path of ignore) {
    const parts = path.split('.');
    let node: unknown = copy;
    for (let i = 0; i < parts.length - 1 && node && typeof node === 'object'; i++) node = (node as Record<string, unknown>)[parts[i]];
    if (node && typeof node === 'object') delete (node as Record<string, unknown>)[parts[parts.length - 1]];
  }
  return createHash('sha256').update(canonicalJson(copy)).digest('hex').slice(0, 16);
}
