/**
 * Periodic validation of the SFT model: greedy generation (docs/method.md, "Evaluation"; val override: temperature
 * 0, n 1) on held-out records, then the method's checks (docs/method.md, "Format rewards"): pass-1 text is whitespace-
 * normalised, then graded for format (see-think regex for see-think records, the CoT regex for
 * CoT and caption-reasoner records) and for accuracy (MathRuler on the last \boxed{}).
 * Caption-reasoner (pass-2-like) text is graded as generated, without normalisation.
 */
import type { QwenVLModel } from '../../models/qwen2_5_vl/model.js';
import { accuracyReward, cotFormatReward, normalizeResponse, seeThinkFormatReward } from '../../rewards/index.js';
import { concatPixelValues, type PromptEncoder } from '../../rollout/collate.js';
import type { DecodedImageCache } from '../../rollout/image_cache.js';
import type { SftRecord } from './data.js';

export interface ValidationSample {
  id: string;
  style: string;
  prompt: string;
  response: string;
  ground_truth: string | null;
  format: number;
  accuracy: number | null;
}

export interface ValidationResult {
  n: number;
  /** Mean format score over all records. */
  format: number;
  /** Mean accuracy over records that have an answer (NaN when none has). */
  accuracy: number;
  /** Accuracy per world question family (records with a family and an answer). */
  byFamily: Record<string, { accuracy: number; n: number }>;
  /** Mean generated tokens per record. */
  responseLength: number;
  samples: ValidationSample[];
  /** Records left out because an image did not decode (not in n). */
  skipped: number;
  seconds: number;
}

export interface ValidateOptions {
  batchSize: number;
  maxNewTokens: number;
  /** Called after each generated batch with the number of records done. */
  onProgress?: (done: number) => void;
  /** A record whose image does not decode is left out and reported here. */
  onSkip?: (record: SftRecord, reason: string) => void;
}

/** Grades one decoded response of `record` (see the file comment). */
export function gradeResponse(record: Pick<SftRecord, 'style' | 'answer'>, text: string): { format: number; accuracy: number | null } {
  const pass2 = record.style === 'caption-reasoner';
  const t = pass2 ? text : normalizeResponse(text);
  const format = record.style === 'see-think' ? seeThinkFormatReward(t) : cotFormatReward(t);
  return { format, accuracy: record.answer === null ? null : accuracyReward(t, record.answer) };
}

/** Generates greedily for every record and grades the answers. */
export async function validateSft(model: QwenVLModel, encoder: PromptEncoder, images: DecodedImageCache, records: readonly SftRecord[], o: ValidateOptions): Promise<ValidationResult> {
  const t0 = performance.now();
  const samples: ValidationSample[] = [];
  const used: SftRecord[] = [];
  let tokens = 0;
  for (let k = 0; k < records.length; k += o.batchSize) {
    const decoded = await Promise.all(records.slice(k, k + o.batchSize).map(async (r) => {
      try {
        return { r, images: await images.getAll(r.images, r.id) };
      } catch (e) {
        o.onSkip?.(r, `image does not decode: ${(e as Error).message}`);
        return null;
      }
    }));
    const ok = decoded.filter((d) => d !== null);
    const chunk = ok.map((d) => d.r);
    used.push(...chunk);
    if (!chunk.length) continue;
    const enc = await Promise.all(ok.map((d) => encoder.encode({ content: d.r.content, images: d.images }, d.r.id)));
    const pixels = concatPixelValues(enc, { dtype: model.dtype, device: model.device });
    try {
      const out = await model.generate({
        inputIds: enc.map((e) => e.ids),
        pixelValues: pixels,
        imageGridThw: enc.flatMap((e) => e.imageGridThw.map((g) => [...g])),
        maxNewTokens: o.maxNewTokens,
        greedy: true,
        temperature: 1,
        logitBias: { [model.config.imageTokenId]: -100 },
      });
      out.sequences.forEach((seq, i) => {
        const r = chunk[i];
        tokens += seq.length;
        const text = encoder.tokenizer.decode(seq, { skipSpecialTokens: true });
        const g = gradeResponse(r, text);
        samples.push({ id: r.id, style: r.style, prompt: enc[i].text, response: text, ground_truth: r.answer, format: g.format, accuracy: g.accuracy });
      });
    } finally {
      pixels?.dispose();
    }
    o.onProgress?.(Math.min(records.length, k + o.batchSize));
  }
  const graded = samples.filter((s) => s.accuracy !== null);
  const byFamily: ValidationResult['byFamily'] = {};
  used.forEach((r, i) => {
    const s = samples[i];
    if (r.family === null || s.accuracy === null) return;
    const f = (byFamily[r.family] ??= { accuracy: 0, n: 0 });
    f.accuracy += s.accuracy;
    f.n++;
  });
  for (const f of Object.values(byFamily)) f.accuracy /= f.n;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  return {
    n: samples.length,
    format: mean(samples.map((s) => s.format)),
    accuracy: mean(graded.map((s) => s.accuracy!)),
    byFamily,
    responseLength: samples.length ? tokens / samples.length : 0,
    samples,
    skipped: records.length - used.length,
    seconds: (performance.now() - t0) / 1000,
  };
}
