/**
 * Turns zod issues into messages a user can act on: the dotted key path, what was expected,
 * what was received, and for an unknown key the nearest valid one.
 */
import type { z } from 'zod';
import { KEY_HINTS, KEY_REASONS } from './common.js';

/** A config that failed validation; `issues` holds one line per problem. */
export class ConfigError extends Error {
  constructor(readonly issues: string[], source?: string) {
    super(`invalid config${source ? ` ${source}` : ''}:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type AnySchema = z.ZodType;
type Def = { type: string; innerType?: AnySchema; in?: AnySchema; shape?: Record<string, AnySchema>; element?: AnySchema; items?: AnySchema[]; valueType?: AnySchema; options?: AnySchema[] };

const defOf = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strips wrappers (default, optional, nullable, ...) that do not change the shape. */
function unwrap(s: AnySchema): AnySchema {
  for (;;) {
    const d = defOf(s);
    if (d.innerType && ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(d.type)) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/** The schema found at a key path, or undefined when the path leaves the schema. */
export function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let s: AnySchema | undefined = schema;
  for (const key of path) {
    if (!s) return undefined;
    const d = defOf(unwrap(s));
    if (d.type === 'object') s = d.shape?.[String(key)];
    else if (d.type === 'array') s = d.element;
    else if (d.type === 'tuple') s = d.items?.[Number(key)];
    else if (d.type === 'record') s = d.valueType;
    else if (d.type === 'union') s = d.options?.map(unwrap).find((o) => ['object', 'array'].includes(defOf(o).type));
    else return undefined;
  }
  return s;
}

/** Keys of the object schema at `path` (empty when it is not an object). */
export function keysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  const s = schemaAt(schema, path);
  if (!s) return [];
  const d = defOf(unwrap(s));
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

/** Damerau-free Levenshtein distance; keys are short so the O(n·m) table is fine. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** Dotted path, array indices in brackets: `data.train_files[0].style`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(root)';
}

/**
 * The nearest valid key for an unknown `key` under `parent`, as a full dotted path: a known
 * rename first (KEY_HINTS), else the key under the same parent that shares a prefix with it or
 * has the smallest edit distance.
 */
export function suggestKey(schema: AnySchema, parent: readonly PropertyKey[], key: string): string | undefined {
  for (const cand of KEY_HINTS[key] ?? []) {
    const full = cand.startsWith('/') ? cand.slice(1).split('.') : [...parent, ...cand.split('.')];
    if (schemaAt(schema, full)) return formatPath(full);
  }
  const keys = keysAt(schema, parent);
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of keys) {
    const [a, b] = [key.toLowerCase(), k.toLowerCase()];
    // A truncated or over-long key ("temp", "max_steps_total") is closer than its edit distance says.
    const d = a.length >= 3 && (b.startsWith(a) || a.startsWith(b)) ? 0.5 : editDistance(a, b);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best === undefined ? undefined : formatPath([...parent, best]);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Short description of a received value: its type and, for scalars, the value itself. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const shown = typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v) : String(v);
  return `${typeof v} ${shown}`;
}

/** One readable line per zod issue. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], schema: AnySchema, input: unknown): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const where = formatPath(path);
    const got = valueAt(input, path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const full = formatPath([...path, key]);
          const reason = KEY_REASONS[full.replace(/\[\d+\]/g, '[]')];
          const hint = reason ? undefined : suggestKey(schema, path, key);
          out.push(`unknown key ${full}${reason ? `: ${reason}` : hint ? `; nearest valid key: ${hint}` : ''}`);
        }
        break;
      case 'invalid_type':
        out.push(got === undefined
          ? `${where}: required, expected ${issue.expected}`
          : `${where}: expected ${issue.expected}, received ${describeValue(got)}`);
        break;
      case 'invalid_value':
        out.push(`${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, received ${describeValue(got)}`);
        break;
      case 'invalid_union':
        out.push(`${where}: ${unionExpectation(schemaAt(schema, path))}, received ${describeValue(got)}`);
        break;
      case 'custom':
        out.push(`${where}: ${issue.message}`);
        break;
      default:
        out.push(`${where}: ${issue.message.replace(/^(Invalid input|Too small|Too big): /, '')}, received ${describeValue(got)}`);
    }
  }
  return out;
}

function unionExpectation(s: AnySchema | undefined): string {
  if (!s) return 'invalid value';
  const d = defOf(unwrap(s));
  if (d.type !== 'union' || !d.options) return 'invalid value';
  const names = d.options.map((o) => {
    const od = defOf(unwrap(o));
    return od.type === 'array' ? `a list of ${defOf(unwrap(od.element!)).type}s` : `a ${od.type}`;
  });
  return `expected ${names.join(' or ')}`;
}
