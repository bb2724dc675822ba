/**
 * What report.html is built from, read from a folder: a GRPO run (metrics.jsonl, samples.jsonl,
 * summary.json with validation before/after), an SFT run (metrics.jsonl, validation
 * samples.jsonl), or a pipeline output folder (summary.json with `scores`, and run folders such
 * as sft/ and grpo-seed0/ inside). Evaluation JSON (`vsr1 eval --out`) adds tables.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonlRows } from './plot.js';
import type { Cell } from './table.js';

export type Rows = Array<Record<string, unknown>>;

export interface RunData {
  name: string;
  dir: string;
  kind: 'grpo' | 'sft';
  metrics: Rows;
  samples: Rows;
}

export interface ReportTable {
  title: string;
  headers: string[];
  rows: Cell[][];
  notes?: string[];
}

export interface ReportData {
  dir: string;
  kind: 'grpo' | 'sft' | 'pipeline';
  runs: RunData[];
  tables: ReportTable[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** Rates as percent with one decimal (the pipeline's summary.md convention). */
const pct = (v: unknown): string | null => (num(v) === null ? null : (100 * (v as number)).toFixed(1));

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not readable JSON (${(e as Error).message})`);
  }
}

const isRunDir = (dir: string) => existsSync(join(dir, 'metrics.jsonl')) || existsSync(join(dir, 'samples.jsonl'));

function loadRun(dir: string, name: string): RunData {
  const rows = (f: string) => (existsSync(join(dir, f)) ? readJsonlRows(join(dir, f)) : []);
  const metrics = rows('metrics.jsonl');
  const summary = existsSync(join(dir, 'summary.json')) ? readJson(join(dir, 'summary.json')) : null;
  const grpo = (isObj(summary) && ('valBefore' in summary || 'valAfter' in summary)) || metrics.some((r) => 'reward/overall' in r);
  return { name, dir, kind: grpo ? 'grpo' : 'sft', metrics, samples: rows('samples.jsonl') };
}

const EVAL_HEADERS = ['n', 'accuracy %', 'format %', 'description acc. %', 'shortcut rate %', 'description rate %', 'response tokens'];
const evalCells = (r: Json): Cell[] => [num(r.n), pct(r.accuracy), pct(r.format), pct(r.descriptionAccuracy), pct(r.languageShortcutRate), pct(r.descriptionRate), num(r.responseLength)];

/** Validation of a run: summary.json's before/after when there, else the val/* lines of metrics.jsonl. */
function validationTable(run: RunData): ReportTable | null {
  const path = join(run.dir, 'summary.json');
  const summary = existsSync(path) ? readJson(path) : null;
  if (isObj(summary) && (isObj(summary.valBefore) || isObj(summary.valAfter))) {
    const rows: Cell[][] = [];
    if (isObj(summary.valBefore)) rows.push(['before RL', ...evalCells(summary.valBefore)]);
    if (isObj(summary.valAfter)) rows.push([`after RL (step ${num(summary.steps) ?? '?'})`, ...evalCells(summary.valAfter)]);
    return { title: `${run.name}: validation`, headers: ['model', ...EVAL_HEADERS], rows };
  }
  const val = run.metrics.filter((r) => num(r['val/accuracy']) !== null);
  if (!val.length) return null;
  const keys = ['val/accuracy', 'val/format', 'val/description_accuracy', 'val/language_shortcut_rate', 'val/description_rate'].filter((k) => val.some((r) => k in r));
  return {
    title: `${run.name}: validation by step`, headers: ['step', ...keys.map((k) => `${k.slice(4).replace(/_/g, ' ')} %`)],
    rows: val.map((r) => [num(r.step), ...keys.map((k) => pct(r[k]))]),
  };
}

/** The pipeline's summary.json: scores before/after RL per split, gains against the seed spread. */
function pipelineTables(s: Json): ReportTable[] {
  const base = isObj(s.textOnlyBaseline) ? s.textOnlyBaseline : {};
  const scores = (s.scores as unknown[]).filter(isObj);
  const tables: ReportTable[] = [{
    title: 'held-out evaluation (greedy, with the self-reward pass)',
    headers: ['split', 'model', ...EVAL_HEADERS, 'text-only guess %'],
    rows: scores.map((x) => [String(x.split), x.stage === 'sft' ? 'SFT' : `SFT + GRPO seed ${String(x.seed)}`, ...evalCells(isObj(x.result) ? x.result : {}), pct(base[String(x.split)])]),
    notes: isObj(s.seconds) ? [`seconds: ${Object.entries(s.seconds).map(([k, v]) => `${k} ${num(v)?.toFixed(0) ?? '-'}`).join(', ')}`] : undefined,
  }];
  const gains = Array.isArray(s.gains) ? s.gains.filter(isObj) : [];
  if (gains.length) {
    tables.push({
      title: 'GRPO gain over SFT against the spread of the seeds',
      headers: ['split', 'metric', 'gain (points)', 'seed spread (points)', 'gain > spread'],
      rows: gains.map((g) => [String(g.split), String(g.metric), num(g.gain) === null ? null : (100 * (g.gain as number)).toFixed(1), num(g.spread) === null ? null : (100 * (g.spread as number)).toFixed(1), g.beatsSpread ? 'yes' : 'no']),
    });
  }
  return tables;
}

/** An EvalResult file (`vsr1 eval --out`): the whole set, then its groups. */
function evalFileTable(path: string): ReportTable {
  const r = readJson(path);
  if (!isObj(r) || num(r.n) === null || num(r.accuracy) === null) throw new Error(`${path}: expected an evaluation result (vsr1 eval --out) with numeric "n" and "accuracy"`);
  const groups = isObj(r.groups) ? Object.entries(r.groups).filter((e): e is [string, Json] => isObj(e[1])) : [];
  return { title: `evaluation: ${basename(path)}`, headers: ['subset', ...EVAL_HEADERS], rows: [['all', ...evalCells(r)], ...groups.map(([k, g]) => [k, ...evalCells(g)])] };
}

/** Reads `dir` (a run or a pipeline folder) plus extra evaluation files. */
export function loadReportData(dir: string, evalFiles: readonly string[] = []): ReportData {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`report: ${dir} is not a folder`);
  const summaryPath = join(dir, 'summary.json');
  const summary = existsSync(summaryPath) ? readJson(summaryPath) : null;
  let data: ReportData;
  if (isObj(summary) && Array.isArray(summary.scores)) {
    const runs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && isRunDir(join(dir, e.name)))
      .map((e) => e.name).sort().map((n) => loadRun(join(dir, n), n));
    data = { dir, kind: 'pipeline', runs, tables: pipelineTables(summary) };
  } else if (isRunDir(dir)) {
    const run = loadRun(dir, basename(dir));
    data = { dir, kind: run.kind, runs: [run], tables: [] };
  } else {
    throw new Error(`report: ${dir} is neither a run folder (metrics.jsonl or samples.jsonl) nor a pipeline folder (summary.json with "scores")`);
  }
  for (const run of data.runs) {
    const t = validationTable(run);
    if (t) data.tables.push(t);
  }
  const auto = readdirSync(dir).filter((f) => /^eval.*\.json$/.test(f)).map((f) => join(dir, f));
  for (const f of [...new Set([...auto, ...evalFiles])]) data.tables.push(evalFileTable(f));
  return data;
}
