/**
 * Loading configs: YAML file (or a plain object) + dotted overrides -> validated, fully
 * defaulted config. Relative paths inside the config are left as written and resolve against
 * the working directory, as in EasyR1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { builtinConfigs, resolveConfigPath } from './builtin.js';
import { ConfigError, formatIssues } from './errors.js';
import { withOverrides } from './overrides.js';
import { TrainConfigSchema, type TrainConfig } from './train.js';
import { SftConfigSchema, type SftConfig } from './sft.js';

/**
 * Reads a YAML file that must hold a mapping; errors name the file and line. A path that does
 * not exist may name a built-in config (builtin.ts).
 */
export function readYamlFile(file: string): Record<string, unknown> {
  const path = resolveConfigPath(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const hint = code === 'ENOENT' ? `; built-in configs: ${builtinConfigs().join(', ')}` : '';
    throw new Error(`config ${path}: cannot read (${code})${hint}`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const err = doc.errors[0];
    const at = err.linePos?.[0] ? `:${err.linePos[0].line}:${err.linePos[0].col}` : '';
    throw new Error(`config ${path}${at}: invalid YAML: ${err.message.split('\n')[0]}`);
  }
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`config ${path}: expected a mapping of sections (data, trainer, ...) at top level, received ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Validates `input` against `schema`. Throws ConfigError listing every problem with its key
 * path; `source` (a file name) is added to the message.
 */
export function validateConfig<S extends z.ZodType>(schema: S, input: unknown, source?: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ConfigError(formatIssues(r.error.issues, schema, input), source);
}

function loadWith<S extends z.ZodType>(schema: S, source: string | Record<string, unknown> | undefined, overrides: readonly string[]): z.output<S> {
  const base = typeof source === 'string' ? readYamlFile(source) : source ?? {};
  const merged = withOverrides(base, overrides);
  const where = typeof source === 'string' ? `(${source}${overrides.length ? ' + overrides' : ''})` : overrides.length ? '(overrides)' : undefined;
  return validateConfig(schema, merged, where);
}

/**
 * Loads a `vsr1 train` config.
 * @param source YAML path, an already parsed object, or undefined (overrides only)
 * @param overrides dotted `key.path=value` strings applied after the file, in order
 */
export function loadTrainConfig(source?: string | Record<string, unknown>, overrides: readonly string[] = []): TrainConfig {
  return loadWith(TrainConfigSchema, source, overrides);
}

/** Loads a `vsr1 sft` config; same arguments as loadTrainConfig. */
export function loadSftConfig(source?: string | Record<string, unknown>, overrides: readonly string[] = []): SftConfig {
  return loadWith(SftConfigSchema, source, overrides);
}

/** The checkpoint folder of a run: trainer.save_checkpoint_path or checkpoints/<project>/<experiment> (EasyR1). */
export function checkpointRoot(c: { trainer: { save_checkpoint_path: string | null; project_name: string; experiment_name: string } }): string {
  return c.trainer.save_checkpoint_path ?? join('checkpoints', c.trainer.project_name, c.trainer.experiment_name);
}
