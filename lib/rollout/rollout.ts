/**
 * The two generation passes of Vision-SR1 (docs/method.md, "Pass-1 prompt", "Pass-2 prompt" and "Rollout settings"):
 * - pass 1: image + question + see-think instructions -> n samples per prompt (trained);
 * - pass 2 (self-reward): each pass-1 description + the question, no image, answered by the same
 *   current policy with n = 1 and the same sampling settings; never trained.
 * Samples are prompt-major: prompt i's k-th sample is row i * n + k, its group id is i.
 */
import type { ImageSource } from '../models/qwen2_5_vl/image_processor.js';
import type { QwenVLModel } from '../models/qwen2_5_vl/model.js';
import { buildPass1Content, extractDescription, findDescription, type OnMissingDescription, prefixImageToken, type PromptTemplate } from '../prompts/index.js';
import { concatPixelValues, type EncodedPrompt, type PromptEncoder } from './collate.js';
import { checkPromptLength, responseBudget, type PromptLimits } from './prompt_limits.js';
import { planContinuous, planWaves, promptBytes, rowBytes, type WaveLimits } from './waves.js';

export interface RolloutItem {
  problem: string;
  answer: string;
  images: ImageSource[];
  /** Row identifier for logs (file:row). */
  id?: string;
}

export interface SamplingSettings {
  n: number;
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  greedy?: boolean;
  /** The method bans <|image_pad|> with -100 (docs/method.md, "Rollout settings"). */
  logitBias: Record<number, number>;
  stopTokenIds: number[];
  seed: number;
}

export interface RolloutSettings {
  sampling: SamplingSettings;
  /** Pass-1 format prompt (see-think by default; CoT for the Vision-R1 baseline). */
  template: PromptTemplate;
  /** Run pass 2 (the self-reward). */
  pass2: boolean;
  /** Builds the pass-2 user text from the description and the question (with `<image>` removed). */
  captionReasoner: (description: string, question: string) => string;
  /** What pass 2 sees when a response has no <description> (see lib/text/response.ts). */
  onMissingDescription: OnMissingDescription;
  /**
   * data.max_prompt_length / worker.rollout.max_model_len (lib/rollout/prompt_limits.ts): a pass-1
   * prompt over them is an error naming the row, and each prompt (pass 1 and pass 2) generates at
   * most min(maxNewTokens, maxModelLen − its length) tokens. Absent = no limits.
   */
  promptLimits?: PromptLimits;
  /** How much one engine call may hold (lib/rollout/waves.ts); absent = the whole batch in one call. */
  waves?: () => WaveLimits;
  /** Runs each pass's generation (e.g. inside a profiler trace: `vsr1 profile --phase pass2`). */
  aroundPass?: <T>(pass: 'rollout' | 'pass2', run: () => Promise<T>) => Promise<T>;
  /**
   * Where this batch sits in a larger one split across ranks, so each sample draws the random
   * numbers it would in one process: the index of its first prompt there, and the index there of
   * its first pass-2 sequence given how many this share asks (a data-parallel rank gathers that).
   */
  sequenceOffsets?: { firstPrompt: number; firstPass2: (asked: number) => number };
}

export interface Rollout {
  items: RolloutItem[];
  /** Per sample (prompt-major): the encoded pass-1 prompt (shared object for a prompt's n samples). */
  prompts: EncodedPrompt[];
  /** Per sample: the question after image placement, without the format prompt (reward input). */
  questions: string[];
  /** Per sample: response token ids (the stop token included when generation stopped). */
  responses: number[][];
  /** Per sample: decoded pass-1 text (special tokens skipped). */
  texts: string[];
  /** Per sample: decoded pass-2 answer ('' when pass 2 was skipped for that sample). */
  pass2Texts: string[] | null;
  /**
   * Per sample: the encoded pass-2 prompt and its response ids (null where pass 2 was skipped),
   * for losses that train the pass-2 tokens (multi-reward token mask 'pass2', docs/method.md, "Channel token masks").
   */
  pass2Sequences: Array<{ prompt: EncodedPrompt; response: number[] } | null> | null;
  groupIds: number[];
  /** Seconds in pass 1 and pass 2. */
  seconds: { rollout: number; pass2: number };
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Encodes the pass-1 prompts of `items` (images placed as the reference places them). */
export async function encodePass1(encoder: PromptEncoder, items: readonly RolloutItem[], template: PromptTemplate): Promise<EncodedPrompt[]> {
  return Promise.all(items.map((it, i) => encoder.encode({
    content: buildPass1Content(it.problem, { template, hasImages: it.images.length > 0 }),
    images: it.images,
  }, it.id ?? `item ${i}`)));
}

/**
 * Generates for encoded prompts; returns token ids per row (prompt-major when n > 1). `budgets`
 * (one per prompt) caps each prompt's new tokens below s.maxNewTokens: the engine takes one
 * limit per batch, so it runs to the largest and each row is cut to its own budget, which gives
 * the tokens a per-row limit would (a row's tokens never depend on later ones).
 */
async function generateRows(
  model: QwenVLModel, prompts: readonly EncodedPrompt[], s: SamplingSettings, n: number, seed: number, budgets?: readonly number[], limits?: WaveLimits, firstPrompt = 0,
): Promise<number[][]> {
  const maxNew = budgets ? Math.max(...budgets) : s.maxNewTokens;
  const longest = Math.max(...prompts.map((p) => p.ids.length));
  const perRow = rowBytes(model.config, model.dtype, longest + maxNew);
  const continuous = limits?.continuousBatching ? planContinuous(prompts.length, n, perRow, promptBytes(model.config, model.dtype, longest), limits) : null;
  const calls = continuous ? continuous.calls : limits ? planWaves(prompts.length, n, perRow, limits) : [[0, prompts.length] as [number, number]];
  const out: number[][] = [];
  for (const [a, b] of calls) {
    const part = prompts.slice(a, b);
    const pixels = concatPixelValues(part);
    try {
      // firstSequenceId: the call's samples are sequences a*n.. of the whole batch, so they sample what one call would.
      const r = await model.generate({
        inputIds: part.map((p) => p.ids), pixelValues: pixels, imageGridThw: part.flatMap((p) => p.imageGridThw.map((g) => [...g])),
        n, maxNewTokens: budgets ? Math.max(...budgets.slice(a, b)) : s.maxNewTokens, temperature: s.temperature, topP: s.topP, topK: s.topK, greedy: s.greedy ?? false,
        logitBias: s.logitBias, stopTokenIds: s.stopTokenIds, seed, firstSequenceId: (firstPrompt + a) * n, ...(continuous ? { maxRows: continuous.maxRows } : {}),
      });
      out.push(...(budgets ? r.sequences.map((seq, row) => seq.slice(0, budgets[a + Math.floor(row / n)])) : r.sequences));
    } finally {
      pixels?.dispose();
    }
  }
  return out;
}

/** Runs pass 1 (and pass 2 when enabled) for a batch of items. */
export async function rollout(model: QwenVLModel, encoder: PromptEncoder, items: readonly RolloutItem[], r: RolloutSettings): Promise<Rollout> {
  const n = r.sampling.n;
  const t0 = now();
  const encoded = await encodePass1(encoder, items, r.template);
  const lim = r.promptLimits;
  if (lim) encoded.forEach((e, i) => checkPromptLength(items[i].id ?? `item ${i}`, e.ids.length, lim));
  const budgets = lim ? encoded.map((e) => responseBudget(e.ids.length, r.sampling.maxNewTokens, lim.maxModelLen)) : undefined;
  const limits = r.waves?.();
  const around = r.aroundPass ?? (<T>(_: string, run: () => Promise<T>) => run());
  const offsets = r.sequenceOffsets;
  const responses = await around('rollout', () => generateRows(model, encoded, r.sampling, n, r.sampling.seed, budgets, limits, offsets?.firstPrompt ?? 0));
  const tok = encoder.tokenizer;
  const texts = responses.map((ids) => tok.decode(ids, { skipSpecialTokens: true }));
  const prompts = encoded.flatMap((p) => Array<EncodedPrompt>(n).fill(p));
  const questions = items.flatMap((it) => Array<string>(n).fill(prefixImageToken(it.problem, it.images.length > 0)));
  const groupIds = items.flatMap((_, i) => Array<number>(n).fill(i));
  const t1 = now();
  let pass2Texts: string[] | null = null;
  let pass2Sequences: Rollout['pass2Sequences'] = null;
  if (r.pass2) {
    // The description from the raw decoded response; without one, the safe default asks nothing
    // (its visual reward is 0), the reference's fallback feeds the whole response.
    const descs = texts.map((t) => (findDescription(t) !== null || r.onMissingDescription === 'whole-response' ? extractDescription(t, { onMissing: r.onMissingDescription }) : null));
    const wanted = descs.map((d, i) => (d === null ? -1 : i)).filter((i) => i >= 0);
    pass2Texts = texts.map(() => '');
    pass2Sequences = texts.map(() => null);
    const encodedP2 = await Promise.all(wanted.map((i) => encoder.encode({ content: [{ type: 'text', text: r.captionReasoner(descs[i]!, questions[i]) }], images: [] }, `pass-2 prompt ${i}`)));
    // max_model_len bounds pass 2 as well (the same engine serves both passes); a pass-2 prompt
    // that leaves no room gets no answer, as if its response had no description.
    const budget2 = encodedP2.map((e) => (lim ? responseBudget(e.ids.length, r.sampling.maxNewTokens, lim.maxModelLen) : r.sampling.maxNewTokens));
    const fits = wanted.map((_, k) => k).filter((k) => budget2[k] > 0);
    const asked = fits.map((k) => wanted[k]);
    const p2 = fits.map((k) => encodedP2[k]);
    // Every rank calls firstPass2 (it may gather across ranks), also with nothing to ask.
    const firstPass2 = offsets ? offsets.firstPass2(asked.length) : 0;
    if (asked.length) {
      const out = await around('pass2', () => generateRows(model, p2, r.sampling, 1, r.sampling.seed + 1_000_003, lim ? fits.map((k) => budget2[k]) : undefined, limits, firstPass2));
      asked.forEach((i, k) => {
        pass2Texts![i] = tok.decode(out[k], { skipSpecialTokens: true });
        pass2Sequences![i] = { prompt: p2[k], response: out[k] };
      });
    }
  }
  return { items: [...items], prompts, questions, responses, texts, pass2Texts, pass2Sequences, groupIds, seconds: { rollout: t1 - t0, pass2: now() - t1 } };
}
