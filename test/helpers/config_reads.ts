/**
 * Which keys of a validated config a trainer reads. recordReads wraps the config in Proxies that
 * note the dotted path of every property read (array positions as `[]`); the plain object stays
 * reachable through lib/config/hash.ts RAW_CONFIG, which configHash and the checkpoint's stored
 * config use, so hashing or serialising does not count as reading. schemaLeaves lists the keys a
 * schema defines for a given config, unreadLeaves those that were never read.
 */
import type { z } from 'zod';
import { RAW_CONFIG, rawConfig } from '../../lib/config/hash.js';

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The plain config behind recordReads' proxy (or the value itself). */
export function unwrapRecorded<T>(config: T): T {
  return rawConfig(config);
}

/**
 * A recording view of `config` and the set of paths read through it. Objects and arrays of
 * objects are wrapped; scalar arrays (betas, logger, file lists) are handed out as they are, as
 * native code may be given them and a Proxy is not an array to it.
 */
export function recordReads<T extends object>(config: T): { config: T; reads: Set<string> } {
  const reads = new Set<string>();
  const wrap = (target: object, path: string): object => new Proxy(target, {
    get(t, key, receiver) {
      if (key === RAW_CONFIG) return t;
      const value = Reflect.get(t, key, receiver) as unknown;
      if (typeof key === 'symbol') return value;
      const isIndex = Array.isArray(t) && /^\d+$/.test(key);
      if (Array.isArray(t) && !isIndex) return value; // length, map, ...: reading the array itself was recorded
      const p = isIndex ? `${path}[]` : path ? `${path}.${key}` : key;
      reads.add(p);
      if (isPlain(value) || (Array.isArray(value) && value.some((x) => isPlain(x)))) return wrap(value, p);
      return value;
    },
  });
  return { config: wrap(config, '') as T, reads };
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function unwrapSchema(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = defOf(s);
    if (d.innerType && ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(d.type)) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/**
 * The leaf keys of `schema` for the config `value`: every scalar, list or record key; the keys
 * inside each object (an object that is null in this config is one leaf); for lists of objects
 * the keys of their items as `list[].key` (an empty list is one leaf).
 */
export function schemaLeaves(schema: z.ZodType, value: unknown, path = ''): string[] {
  const d = defOf(unwrapSchema(schema));
  if (d.type === 'object' && d.shape) {
    if (!isPlain(value)) return path ? [path] : [];
    const shape = d.shape;
    return Object.keys(shape).flatMap((k) => schemaLeaves(shape[k], value[k], path ? `${path}.${k}` : k));
  }
  if (d.type === 'array' && d.element && defOf(unwrapSchema(d.element)).type === 'object') {
    if (!Array.isArray(value) || value.length === 0) return [path];
    return [...new Set(value.flatMap((v) => schemaLeaves(d.element!, v, `${path}[]`)))];
  }
  return [path];
}

/** Leaves never read: a leaf counts as read when its path, or a path below it, was read. */
export function unreadLeaves(leaves: readonly string[], reads: ReadonlySet<string>): string[] {
  const all = [...reads];
  return leaves.filter((l) => !reads.has(l) && !all.some((r) => r.startsWith(`${l}.`) || r.startsWith(`${l}[`)));
}
