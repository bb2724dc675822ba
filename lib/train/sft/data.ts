/**
 * Cold-start SFT data (docs/method.md, "Cold-start data"): each source file holds rows of one response style
 * (see-think, CoT only, caption-reasoner text-only). Rows become records: one user turn (text and
 * image parts in order, image placement as in docs/method.md, "Image placement") and the assistant response.
 *
 * Row formats:
 * - `sharegpt` (LLaMA-Factory, Cold-9K see-think/reasoner files): `messages` [{role, content}] or
 *   [{from, value}] with one user turn then one assistant turn; `<image>` marks where images go.
 * - `alpaca` (Cold-9K caption-reasoner file): instruction, input, output; no images.
 * - `columns`: the RL schema (problem, answer, images) plus a response column; the style's format
 *   prompt wraps the problem (caption-reasoner rows also need a `description` column).
 * - `world`: rows of the built-in world (problem, answer, images, description, think); the
 *   response is built from the gold description and think (lib/world/sft.ts).
 * Bad rows are reported with file, row and reason and skipped, as the RL datasets do.
 */
import { dirname } from 'node:path';
import type { SftStyle } from '../../config/sft.js';
import { imageFromCell, type ImageSource } from '../../data/image_source.js';
import { readJsonArrayRows, readJsonlRows, type SourcedRow } from '../../data/jsonl.js';
import { captionReasonerResponse, cotResponse, seeThinkResponse } from '../../world/sft.js';
import { buildCaptionReasonerPrompt } from '../../prompts/caption_reasoner.js';
import { COT_TEMPLATE } from '../../prompts/cot.js';
import { buildPass1Content, type UserContentPart } from '../../prompts/pass1.js';
import { SEE_THINK_TEMPLATE } from '../../prompts/see_think.js';
import { jinjaTemplate, type PromptTemplate } from '../../prompts/template.js';
import { buildWorldCaptionReasonerPrompt, worldCotTemplate, worldSeeThinkTemplate } from '../../prompts/world.js';

/** One training (or validation) example. */
export interface SftRecord {
  /** `file:row`. */
  id: string;
  style: SftStyle;
  content: UserContentPart[];
  images: ImageSource[];
  response: string;
  /** Ground truth for validation grading, when the row has one. */
  answer: string | null;
  /** Question family of world rows (for per-family validation metrics). */
  family: string | null;
}

export type SftRowFormat = 'sharegpt' | 'alpaca' | 'columns' | 'world';
/** Which wording wraps `columns`/`world` problems: the method's byte-exact prompts or the world's short ones. */
export type PromptSet = 'method' | 'world';

export interface SftSourceSpec {
  files: string[];
  style: SftStyle;
  format: SftRowFormat;
  maxSamples: number | null;
  promptKey?: string;
  answerKey?: string;
  responseKey?: string;
  imageKey?: string;
  promptSet?: PromptSet;
}

export interface SftBadRow {
  file: string;
  row: number;
  reason: string;
}

interface Prompts {
  seeThink: PromptTemplate;
  cot: PromptTemplate;
  caption: (description: string, question: string) => string;
}

const PROMPTS: Record<PromptSet, Prompts> = {
  method: { seeThink: jinjaTemplate(SEE_THINK_TEMPLATE), cot: jinjaTemplate(COT_TEMPLATE), caption: buildCaptionReasonerPrompt },
  world: { seeThink: worldSeeThinkTemplate, cot: worldCotTemplate, caption: buildWorldCaptionReasonerPrompt },
};

function str(row: Record<string, unknown>, key: string, allowNumber = false): string {
  const v = row[key];
  if (typeof v === 'string') return v;
  if (allowNumber && typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new Error(v === undefined ? `missing key "${key}"` : `"${key}" must be a string, received ${v === null ? 'null' : typeof v}`);
}

function imagesOf(row: Record<string, unknown>, key: string, baseDir: string): ImageSource[] {
  const raw = row[key];
  const cells = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  return cells.map((c, i) => {
    try {
      return imageFromCell(c, baseDir);
    } catch (e) {
      throw new Error(`${key}[${i}]: ${(e as Error).message}`);
    }
  });
}

/** User parts for a text with `<image>` markers kept where they are (sharegpt rows). */
function partsAtMarkers(text: string): UserContentPart[] {
  const parts: UserContentPart[] = [];
  text.split('<image>').forEach((piece, i) => {
    if (i > 0) parts.push({ type: 'image' });
    if (piece) parts.push({ type: 'text', text: piece });
  });
  return parts;
}

/** Prompt parts for a problem under the style's format prompt (see-think / cot) or the caption reasoner. */
function styledContent(style: SftStyle, problem: string, hasImages: boolean, description: string | null, p: Prompts): UserContentPart[] {
  if (style === 'caption-reasoner') {
    if (description === null) throw new Error('caption-reasoner rows need a "description" column');
    return [{ type: 'text', text: p.caption(description, problem) }];
  }
  return buildPass1Content(problem, { template: style === 'see-think' ? p.seeThink : p.cot, hasImages });
}

function sharegptRecord(row: Record<string, unknown>, spec: SftSourceSpec, baseDir: string): Omit<SftRecord, 'id' | 'style'> {
  const msgs = row.messages ?? row.conversations;
  if (!Array.isArray(msgs)) throw new Error('missing "messages" list');
  const turns = msgs.map((m, i) => {
    if (!m || typeof m !== 'object') throw new Error(`messages[${i}] is not an object`);
    const o = m as Record<string, unknown>;
    const role = String(o.role ?? o.from ?? '');
    const content = o.content ?? o.value;
    if (typeof content !== 'string') throw new Error(`messages[${i}] has no string content`);
    return { role: role === 'human' ? 'user' : role === 'gpt' ? 'assistant' : role, content };
  });
  if (turns.length !== 2 || turns[0].role !== 'user' || turns[1].role !== 'assistant') {
    throw new Error(`expected one user turn then one assistant turn, got roles [${turns.map((t) => t.role).join(', ')}]`);
  }
  const images = imagesOf(row, spec.imageKey ?? 'images', baseDir);
  const content = partsAtMarkers(turns[0].content);
  const slots = content.filter((c) => c.type === 'image').length;
  if (slots !== images.length) throw new Error(`the user turn has ${slots} <image> marker(s) but the row has ${images.length} image(s)`);
  return { content, images, response: turns[1].content, answer: null, family: null };
}

function alpacaRecord(row: Record<string, unknown>): Omit<SftRecord, 'id' | 'style'> {
  const instruction = str(row, 'instruction');
  const input = typeof row.input === 'string' ? row.input : '';
  // LLaMA-Factory joins instruction and input with a newline.
  const text = input ? `${instruction}\n${input}` : instruction;
  return { content: [{ type: 'text', text }], images: [], response: str(row, 'output'), answer: null, family: null };
}

function columnsRecord(row: Record<string, unknown>, spec: SftSourceSpec, baseDir: string, world: boolean): Omit<SftRecord, 'id' | 'style'> {
  const p = PROMPTS[spec.promptSet ?? 'method'];
  const problem = str(row, spec.promptKey ?? 'problem');
  const answer = row[spec.answerKey ?? 'answer'] === undefined && !world ? null : str(row, spec.answerKey ?? 'answer', true);
  const description = typeof row.description === 'string' ? row.description : null;
  const textOnly = spec.style === 'caption-reasoner';
  const images = textOnly ? [] : imagesOf(row, spec.imageKey ?? 'images', baseDir);
  let response: string;
  if (world) {
    const gold = { description: str(row, 'description'), think: str(row, 'think'), answer: answer! };
    response = spec.style === 'see-think' ? seeThinkResponse(gold) : spec.style === 'cot' ? cotResponse(gold) : captionReasonerResponse(gold);
  } else {
    response = str(row, spec.responseKey ?? 'response');
  }
  const content = styledContent(spec.style, problem, images.length > 0, description, p);
  const slots = content.filter((c) => c.type === 'image').length;
  if (slots !== images.length) throw new Error(`the problem has ${slots} image slot(s) but the row has ${images.length} image(s)`);
  return { content, images, response, answer, family: typeof row.family === 'string' ? row.family : null };
}

function rowsOf(file: string, onError: (b: SftBadRow) => void): AsyncGenerator<SourcedRow> {
  if (file.endsWith('.jsonl')) return readJsonlRows(file, (e) => onError({ file, ...e }));
  if (file.endsWith('.json')) return readJsonArrayRows(file);
  throw new Error(`SFT data ${file}: expected a .jsonl or .json file`);
}

/** Reads every row of a source; bad rows go to `onBadRow` and are skipped. */
export async function loadSftSource(spec: SftSourceSpec, onBadRow: (b: SftBadRow) => void = () => {}): Promise<SftRecord[]> {
  const out: SftRecord[] = [];
  const max = spec.maxSamples ?? Infinity;
  for (const file of spec.files) {
    for await (const { row, value } of rowsOf(file, onBadRow)) {
      if (out.length >= max) return out;
      try {
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('row must be an object');
        const r = value as Record<string, unknown>;
        const base = dirname(file);
        const rec = spec.format === 'sharegpt' ? sharegptRecord(r, spec, base)
          : spec.format === 'alpaca' ? alpacaRecord(r)
            : columnsRecord(r, spec, base, spec.format === 'world');
        out.push({ id: `${file}:${row}`, style: spec.style, ...rec });
      } catch (e) {
        onBadRow({ file, row, reason: (e as Error).message });
      }
    }
  }
  return out;
}

/**
 * The training mix: source i contributes round(weight_i · n_i) records (a seeded subset when the
 * weight is below 1, whole repeats plus a subset above 1). The sampler shuffles the mix each
 * epoch, so the weights set the style ratio of every batch on average.
 */
export function buildMix(sources: readonly SftRecord[][], weights: readonly number[], seed: number): SftRecord[] {
  const out: SftRecord[] = [];
  sources.forEach((recs, si) => {
    const want = Math.round((weights[si] ?? 1) * recs.length);
    const order = seededPermutation(recs.length, seed * 7919 + si);
    for (let k = 0; k < want; k++) out.push(recs[order[k % recs.length]]);
  });
  return out;
}

/** A permutation of 0..n-1 from a small seeded PRNG (mulberry32), stable across runs. */
function seededPermutation(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
