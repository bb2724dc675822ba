/**
 * CLI-style dotted overrides, as in EasyR1's `python -m verl.trainer.main config=x.yaml trainer.max_steps=3`.
 * The value is parsed as a YAML scalar or flow collection, so `3` is a number, `true` a boolean,
 * `null` null and `[jsonl, tensorboard]` a list; quote it (`'"3"'`) to force a string.
 */
import { parse as parseYaml } from 'yaml';

/** One parsed override. */
export interface Override {
  path: (string | number)[];
  value: unknown;
  /** The original text, for error messages. */
  text: string;
}

/** Parses `a.b.c=value` (also `a.list[0].b=value`). Throws naming the bad override. */
export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`override "${text}": expected key.path=value`);
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  const parts = key.replace(/\[(\d+)\]/g, '.$1').split('.');
  if (parts.some((p) => p === '')) throw new Error(`override "${text}": empty segment in key path "${key}"`);
  let value: unknown;
  try {
    value = raw.trim() === '' ? null : parseYaml(raw);
  } catch (e) {
    throw new Error(`override "${text}": value is not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  return { path: parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p)), value, text };
}

/**
 * Sets `value` at `path` inside `target` (mutated), creating missing objects on the way.
 * A path that runs through a scalar is an error naming the override.
 */
export function applyOverride(target: Record<string, unknown>, o: Override): void {
  let node: Record<string | number, unknown> = target;
  for (let i = 0; i < o.path.length - 1; i++) {
    const k = o.path[i];
    const next = node[k];
    if (next === undefined || next === null) {
      node[k] = typeof o.path[i + 1] === 'number' ? [] : {};
    } else if (typeof next !== 'object') {
      throw new Error(`override "${o.text}": ${o.path.slice(0, i + 1).join('.')} is ${typeof next}, not a section`);
    }
    node = node[k] as Record<string | number, unknown>;
  }
  node[o.path[o.path.length - 1]] = o.value;
}

/** Applies overrides in order to a deep copy of `base` and returns the copy. */
export function withOverrides(base: Record<string, unknown>, overrides: readonly string[]): Record<string, unknown> {
  const out = structuredClone(base);
  for (const text of overrides) applyOverride(out, parseOverride(text));
  return out;
}
