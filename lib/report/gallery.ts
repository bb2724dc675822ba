/**
 * The sample gallery of report.html: logged samples (samples.jsonl lines) read into one shape,
 * their prompt images inlined as data: URIs, one card each. Cards carry their category as data
 * attributes for the page's filter: `shortcut` is a right answer from a wrong description (the
 * pass-2 answer from the description alone is wrong: the language shortcut, docs/method.md,
 * "Language-shortcut rate"), `wrong` a wrong answer, `right-description` a description that
 * alone gives the right answer. Every text from a file goes through escapeHtml.
 */
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { formatNumber } from './table.js';

/** Parsed response parts; records from runs that did not store them are parsed with a ResponseParser. */
export interface ParsedParts {
  description: string | null;
  think: string | null;
  answer: string | null;
  pass2_answer: string | null;
}
export type ResponseParser = (response: string, pass2: string | null) => ParsedParts;

/** One gallery card's data. */
export interface GallerySample {
  run: string;
  step: number | null;
  split: string;
  index: number | null;
  id: string | null;
  question: string;
  gold: string | null;
  response: string;
  pass2: string | null;
  parts: ParsedParts;
  rewards: Record<string, number>;
  /** Image references as recorded (paths; relative ones are under the run folder). */
  images: string[];
  runDir: string;
}

export type SampleCategory = 'shortcut' | 'wrong' | 'right-description';

/** HTML-escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Without a parser (report/ sits beside text/ and rewards/ is above it), unrecorded parts show as none. */
export const noParser: ResponseParser = () => ({ description: null, think: null, answer: null, pass2_answer: null });

/**
 * Reads one samples.jsonl line. Old lines (prompt, response, reward, ground_truth, pass2) work:
 * the parts they lack are parsed from the response; `where` names the line in errors.
 */
export function gallerySample(raw: Record<string, unknown>, run: { name: string; dir: string }, where: string, parse: ResponseParser = noParser): GallerySample {
  const response = str(raw.response);
  if (response === null) throw new Error(`${where}: sample has no "response" string`);
  const pass2 = str(raw.pass2);
  const parsed = parse(response, pass2);
  const pick = <K extends keyof ParsedParts>(k: K) => (k in raw ? str(raw[k]) : parsed[k]);
  const rewards: Record<string, number> = {};
  if (typeof raw.reward === 'number') rewards.overall = raw.reward;
  else if (raw.reward && typeof raw.reward === 'object') for (const [k, v] of Object.entries(raw.reward)) if (num(v) !== null) rewards[k] = v as number;
  return {
    run: run.name, runDir: run.dir, step: num(raw.step), split: str(raw.split) ?? 'train', index: num(raw.index), id: str(raw.id),
    question: str(raw.prompt) ?? str(raw.question) ?? '', gold: str(raw.ground_truth), response, pass2,
    parts: { description: pick('description'), think: pick('think'), answer: pick('answer'), pass2_answer: pick('pass2_answer') },
    rewards, images: Array.isArray(raw.images) ? raw.images.filter((x): x is string => typeof x === 'string') : [],
  };
}

/** The categories a sample falls in (empty when its rewards do not say). */
export function categories(s: GallerySample): Set<SampleCategory> {
  const acc = s.rewards.accuracy, desc = s.rewards.description_accuracy;
  const out = new Set<SampleCategory>();
  if (acc === 1 && desc === 0) out.add('shortcut');
  if (acc !== undefined && acc < 1) out.add('wrong');
  if (desc === 1) out.add('right-description');
  return out;
}

/** Up to `max` of `n` indices, evenly spread (first included), so early and late steps both show. */
export function spreadIndices(n: number, max: number): number[] {
  const k = Math.max(0, Math.min(n, max));
  return Array.from({ length: k }, (_, j) => (k === n ? j : Math.floor((j * n) / k)));
}

/**
 * The MIME type browsers need for a data: URI, from the first bytes (the formats they display).
 * Kept here rather than taken from data/ because floor-1 folders do not import each other.
 */
function imageMime(b: Uint8Array): string | null {
  const at = (sig: number[], from = 0) => sig.every((x, i) => b[from + i] === x);
  if (at([0x89, 0x50, 0x4e, 0x47])) return 'image/png';
  if (at([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at([0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (at([0x52, 0x49, 0x46, 0x46]) && at([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (at([0x42, 0x4d])) return 'image/bmp';
  return null;
}

/** Images as data: URIs, read once per path; null where the file is gone or not an image. */
export class ImageInliner {
  private readonly cache = new Map<string, string | null>();

  dataUri(ref: string, runDir: string): string | null {
    const path = isAbsolute(ref) ? ref : join(runDir, ref);
    if (!this.cache.has(path)) {
      let uri: string | null = null;
      try {
        const bytes = readFileSync(path);
        const mime = imageMime(bytes);
        if (mime) uri = `data:${mime};base64,${bytes.toString('base64')}`;
      } catch {
        uri = null; // a moved world folder: the card says which file is missing
      }
      this.cache.set(path, uri);
    }
    return this.cache.get(path)!;
  }
}

const field = (label: string, value: string | null, cls = '') =>
  `<dt>${escapeHtml(label)}</dt><dd class="${cls}">${value === null ? '<span class="none">none</span>' : escapeHtml(value)}</dd>`;

/** One card. */
export function cardHtml(s: GallerySample, images: ImageInliner): string {
  const cats = categories(s);
  const flag = (c: SampleCategory) => (cats.has(c) ? '1' : '0');
  const imgs = s.images.length === 0
    ? '<div class="noimg">no image recorded</div>'
    : s.images.map((ref, k) => {
      const uri = images.dataUri(ref, s.runDir);
      return uri ? `<img src="${uri}" alt="prompt image ${k + 1}">` : `<div class="noimg">image not found: ${escapeHtml(basename(ref))}</div>`;
    }).join('');
  // Row ids are `<file>:<row>`; the card shows the file name, the tooltip the whole id.
  const where = [s.run, s.step === null ? null : `step ${s.step}`, `${s.split}${s.index === null ? '' : ` #${s.index}`}`, s.id === null ? null : basename(s.id)].filter((x) => x !== null).join(' · ');
  const badges = [...cats].map((c) => `<span class="badge ${c}">${c === 'shortcut' ? 'right answer, wrong description' : c === 'wrong' ? 'wrong answer' : 'right description'}</span>`).join('');
  const acc = s.rewards.accuracy, desc = s.rewards.description_accuracy;
  const mark = (v: number | undefined) => (v === undefined ? '' : v >= 1 ? 'ok' : 'bad');
  const chips = Object.entries(s.rewards).map(([k, v]) => `<span class="chip">${escapeHtml(k)} ${escapeHtml(formatNumber(v))}</span>`).join('');
  return `<article class="card" data-shortcut="${flag('shortcut')}" data-wrong="${flag('wrong')}" data-right-description="${flag('right-description')}" data-step="${s.step ?? ''}">
<div class="imgs">${imgs}</div>
<div class="body">
<div class="meta"${s.id === null ? '' : ` title="${escapeHtml(s.id)}"`}>${escapeHtml(where)}</div>
<div class="badges">${badges}</div>
<dl>${field('question', s.question)}${field('gold', s.gold)}${field('answer', s.parts.answer, mark(acc))}${field('pass-2 answer', s.pass2 === null ? null : s.parts.pass2_answer, mark(desc))}${field('description', s.parts.description)}${field('think', s.parts.think)}</dl>
<div class="rewards">${chips}</div>
<details><summary>full response</summary><pre>${escapeHtml(s.response)}</pre></details>
${s.pass2 === null ? '' : `<details><summary>pass 2 (from the description alone)</summary><pre>${escapeHtml(s.pass2)}</pre></details>`}
</div>
</article>`;
}
