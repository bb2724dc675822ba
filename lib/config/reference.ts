/**
 * The configuration reference (docs/config.md), rendered from the zod schemas themselves so it
 * cannot drift from what the loader accepts: one section per config kind, one table per top-level
 * section, one row per leaf key with its type, default, allowed values and description.
 *
 * Descriptions come from the schema (`.describe()`) and, through `ReferenceOptions.note`, from
 * whatever the caller can say about a key (scripts/config-docs.ts reads the comment next to the
 * key in lib/config/*.ts). The walker only reads zod's definition objects (`_zod.def`), which is
 * zod v4's introspection surface.
 */
import type { z } from 'zod';
import * as common from './common.js';
import * as sft from './sft.js';
import * as train from './train.js';

/** One leaf key of a config. */
export interface ConfigRow {
  /** Dotted path; list elements appear as `[]` (e.g. `data.train_files[].style`). */
  path: string;
  type: string;
  /** The default as YAML/JSON text; 'required' when the key must be given, '' when it may be left out without one. */
  default: string;
  /** Enum values, ranges and other checks, '' when any value of the type is accepted. */
  allowed: string;
  description: string;
}

/**
 * Where a key is declared, for looking up what the source says about it: `owner` is the schema
 * object's export name followed by the keys of inline objects inside it (e.g. ['SftData', 'world']),
 * `alsoDeclaredIn` the owners of other exported objects holding the very same key schema (spread
 * or `.omit()` copies).
 */
export interface SchemaSite {
  path: string;
  owner: readonly string[];
  key: string;
  alsoDeclaredIn: readonly (readonly string[])[];
}

export interface ReferenceOptions {
  /** Extra description of a key (appended to its `.describe()` text). */
  note?: (site: SchemaSite) => string | undefined;
}

/** A config kind: its command, schema and the paragraph that opens its section. */
export interface ConfigKind {
  title: string;
  schema: z.ZodType;
  intro: string;
}

export const CONFIG_KINDS: readonly ConfigKind[] = [
  {
    title: '`vsr1 train`: GRPO with the self-visual reward',
    schema: train.TrainConfigSchema,
    intro: 'Schema `TrainConfigSchema` (lib/config/train.ts). `data` and `worker.actor.model.model_path` are required; every other key has the method\'s default. At load the batch sizes must divide evenly: `data.rollout_batch_size` by `worker.actor.global_batch_size`, and `global_batch_size × worker.rollout.n` by the process count and then by `micro_batch_size_per_device_for_update` (see method.md, "Batch arithmetic").',
  },
  {
    title: '`vsr1 sft`: cold-start supervised fine-tuning',
    schema: sft.SftConfigSchema,
    intro: 'Schema `SftConfigSchema` (lib/config/sft.ts). `data.train_files` and `model.model_path` are required; the defaults follow the LLaMA-Factory cold-start recipe.',
  },
];

interface Def {
  type: string;
  innerType?: Node;
  defaultValue?: unknown;
  shape?: Record<string, Node>;
  element?: Node;
  items?: Node[];
  options?: Node[];
  keyType?: Node;
  valueType?: Node;
  entries?: Record<string, unknown>;
  values?: unknown[];
  checks?: Array<{ _zod: { def: CheckDef } }>;
}
interface CheckDef { check: string; value?: number; inclusive?: boolean; minimum?: number; maximum?: number; format?: string; error?: () => unknown }
interface Node { _zod: { def: Def }; description?: string }

const node = (s: unknown): Node => s as Node;
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly']);

/** A schema with its wrappers peeled off: what they said, and the core type under them. */
interface Peeled { core: Node; def: Def; nullable: boolean; optional: boolean; hasDefault: boolean; defaultValue: unknown; prefault: boolean; descriptions: string[] }

function peel(s: Node): Peeled {
  const out: Peeled = { core: s, def: s._zod.def, nullable: false, optional: false, hasDefault: false, defaultValue: undefined, prefault: false, descriptions: [] };
  let cur = s;
  for (;;) {
    if (cur.description) out.descriptions.push(cur.description);
    const d = cur._zod.def;
    if (!WRAPPERS.has(d.type) || !d.innerType) break;
    if ((d.type === 'default' || d.type === 'prefault') && !out.hasDefault) { out.hasDefault = true; out.defaultValue = d.defaultValue; out.prefault = d.type === 'prefault'; }
    if (d.type === 'nullable') out.nullable = true;
    if (d.type === 'optional') out.optional = true;
    cur = d.innerType;
  }
  out.core = cur;
  out.def = cur._zod.def;
  return out;
}

function typeName(s: Node): string {
  const p = peel(s);
  const d = p.def;
  let t: string;
  switch (d.type) {
    case 'string': t = 'string'; break;
    case 'number': t = (d.checks ?? []).some((c) => c._zod.def.format === 'safeint') ? 'integer' : 'number'; break;
    case 'boolean': t = 'boolean'; break;
    case 'enum': t = 'enum'; break;
    case 'literal': t = 'literal'; break;
    case 'array': t = `list of ${typeName(d.element!)}`; break;
    case 'tuple': t = `[${d.items!.map(typeName).join(', ')}]`; break;
    case 'record': t = `map of ${typeName(d.keyType!)} to ${typeName(d.valueType!)}`; break;
    case 'union': t = d.options!.map(typeName).join(' or '); break;
    case 'object': t = 'object'; break;
    default: t = d.type;
  }
  return p.nullable ? `${t} or null` : t;
}

function fmtNumber(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential().replace(/\.?0*e/, 'e').replace('e+', 'e') : String(v);
}

/** A value as compact JSON (also valid YAML flow), small numbers in exponent form. */
export function formatValue(v: unknown): string {
  if (typeof v === 'number') return fmtNumber(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${formatValue(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

/** The checks of a schema as text: enum values, bounds, lengths, custom checks' messages. */
function constraints(s: Node): string[] {
  const d = peel(s).def;
  const out: string[] = [];
  if (d.type === 'enum') out.push(Object.values(d.entries ?? {}).map((v) => `\`${String(v)}\``).join(', '));
  if (d.type === 'literal') out.push((d.values ?? []).map((v) => `\`${formatValue(v)}\``).join(', '));
  for (const c of d.checks ?? []) {
    const k = c._zod.def;
    if (k.check === 'greater_than') out.push(`${k.inclusive ? '≥' : '>'} ${fmtNumber(k.value!)}`);
    else if (k.check === 'less_than') out.push(`${k.inclusive ? '≤' : '<'} ${fmtNumber(k.value!)}`);
    else if (k.check === 'min_length') out.push(d.type === 'string' && k.minimum === 1 ? 'non-empty' : `at least ${k.minimum} ${d.type === 'string' ? 'character' : 'item'}${k.minimum === 1 ? '' : 's'}`);
    else if (k.check === 'max_length') out.push(`at most ${k.maximum}`);
    else if (k.check === 'custom') {
      const msg = typeof k.error === 'function' ? k.error() : undefined;
      out.push(typeof msg === 'string' ? `refused: ${msg}` : 'checked at load');
    }
  }
  if (d.type === 'array') out.push(...constraints(d.element!).map((x) => `each ${x}`));
  if (d.type === 'record') out.push(...constraints(d.valueType!).map((x) => `values ${x}`));
  if (d.type === 'tuple') {
    const each = d.items!.map((i) => constraints(i).join(', '));
    if (each.every((x) => x === each[0]) && each[0]) out.push(`each ${each[0]}`);
    else each.forEach((x, i) => { if (x) out.push(`item ${i + 1} ${x}`); });
  }
  if (d.type === 'union') {
    // Per option when the options differ ("string: non-empty; list of string: at least 1 item, each non-empty").
    const per = d.options!.map((o) => [typeName(o), constraints(o).join(', ')] as const).filter(([, c]) => c);
    out.push(...(new Set(per.map(([, c]) => c)).size <= 1 ? per.slice(0, 1).map(([, c]) => c) : per.map(([t, c]) => `${t}: ${c}`)));
  }
  return out.filter((x) => x.length > 0);
}

/** Exported schema objects (and plain records of schemas) of the config modules, by identity. */
function exportedNames(): Map<unknown, string> {
  const names = new Map<unknown, string>();
  for (const mod of [common, train, sft] as Array<Record<string, unknown>>) {
    for (const [name, v] of Object.entries(mod)) if (v !== null && typeof v === 'object' && !names.has(v)) names.set(v, name);
  }
  return names;
}

/** Owners of each key schema held by an exported object (or plain record of schemas). */
function keyOwners(names: Map<unknown, string>): Map<unknown, string[][]> {
  const owners = new Map<unknown, string[][]>();
  for (const [v, name] of names) {
    const d = (v as Partial<Node>)._zod?.def;
    const shape = d ? (d.type === 'object' ? d.shape : undefined) : (v as Record<string, unknown>);
    if (!shape) continue;
    for (const [k, s] of Object.entries(shape)) {
      if (!(s as Partial<Node>)?._zod) continue;
      const list = owners.get(s) ?? [];
      list.push([name, k]);
      owners.set(s, list);
    }
  }
  return owners;
}

/** Every leaf row of a config schema, in declaration order. */
export function configRows(schema: z.ZodType, options: ReferenceOptions = {}): ConfigRow[] {
  const names = exportedNames();
  const owners = keyOwners(names);
  const rows: ConfigRow[] = [];
  const describe = (p: Peeled, site: SchemaSite) => {
    const parts = [...new Set(p.descriptions)];
    const extra = options.note?.(site);
    if (extra && !parts.includes(extra)) parts.push(extra);
    return parts.join(' ');
  };
  const row = (path: string, s: Node, p: Peeled, site: SchemaSite) => {
    const def = p.hasDefault ? formatValue(p.defaultValue) : p.optional ? '' : 'required';
    rows.push({ path, type: typeName(s), default: def, allowed: constraints(s).join('; '), description: describe(p, site) });
  };
  const walkObject = (obj: Node, prefix: string, owner: string[]) => {
    for (const [key, s] of Object.entries(obj._zod.def.shape ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      const p = peel(s);
      const site: SchemaSite = { path, owner, key, alsoDeclaredIn: (owners.get(s) ?? []).map((o) => o.slice(0, -1)).filter((o) => o.join('.') !== owner.join('.')) };
      const childOwner = (n: Node) => (names.has(n) ? [names.get(n)!] : [...owner, key]);
      if (p.def.type === 'object') {
        // A row of its own when the object may be null or absent, or has a default of its own (not just `prefault({})`).
        if (p.nullable || p.optional || (p.hasDefault && !p.prefault)) row(path, s, p, site);
        walkObject(p.core, path, childOwner(p.core));
      } else if (p.def.type === 'array' && peel(p.def.element!).def.type === 'object') {
        row(path, s, p, site);
        const el = peel(p.def.element!).core;
        walkObject(el, `${path}[]`, childOwner(el));
      } else {
        row(path, s, p, site);
      }
    }
  };
  const root = peel(node(schema));
  if (root.def.type !== 'object') throw new Error(`configRows: expected an object schema, got ${root.def.type}`);
  walkObject(root.core, '', names.has(root.core) ? [names.get(root.core)!] : []);
  return rows;
}

/** GitHub's anchor of a heading. */
export function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

/** A docs citation: `docs/`, the page, a comma, then one quoted heading or several joined by ", " and " and ". */
const CITATION = /docs\/([\w-]+\.md), ("[^"]+"(?:(?:, | and )"[^"]+")*)/g;

/** Table-cell text: pipes escaped, docs citations turned into links. */
function cell(text: string): string {
  return text
    .replace(CITATION, (_, file: string, headings: string) => headings.replace(/"([^"]+)"/g, (__, h: string) => `[${file}, "${h}"](${file}#${headingAnchor(h)})`))
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
}

const code = (s: string) => (s ? `\`${s}\`` : '');

/** The markdown of docs/config.md. */
export function renderConfigReference(options: ReferenceOptions = {}, kinds: readonly ConfigKind[] = CONFIG_KINDS): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from the zod schemas in lib/config/ by `npx tsx scripts/config-docs.ts`; edit the schemas, not this file. -->',
    '',
    'Every key that `vsr1 train` and `vsr1 sft` accept, generated from the schemas the loader validates with. Keys are written as dotted paths: in YAML they nest, and on the command line they are given as `key.path=value` overrides. Objects are strict, so a misspelt key is an error that names the closest real key.',
    '',
    'The description of a key is its schema description, else the comment beside it in lib/config/*.ts. Source tags in those comments: `yaml` = the reference\'s RL config file, `sh` = its 7B launch script, `lf` = the LLaMA-Factory cold-start recipe, EasyR1 = the upstream framework\'s default (see method.md, "Reference names").',
    '',
  ];
  for (const kind of kinds) {
    out.push(`## ${kind.title}`, '', kind.intro.replace(/method\.md, "([^"]+)"/g, (_, h: string) => `[method.md, "${h}"](method.md#${headingAnchor(h)})`), '');
    const rows = configRows(kind.schema, options);
    const sections = [...new Set(rows.map((r) => r.path.split('.')[0]!))];
    for (const section of sections) {
      const top = peel(node((peel(node(kind.schema)).def.shape ?? {})[section]));
      out.push(`### \`${section}\``, '', top.hasDefault ? 'May be left out: every key then takes its default.' : 'Required section.', '');
      out.push('| key | type | default | allowed | description |', '|---|---|---|---|---|');
      for (const r of rows.filter((x) => x.path.split('.')[0] === section)) {
        out.push(`| ${cell(code(r.path))} | ${cell(r.type)} | ${cell(r.default === 'required' || r.default === '' ? r.default : code(r.default))} | ${cell(r.allowed)} | ${cell(r.description)} |`);
      }
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
