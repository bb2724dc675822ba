/**
 * Generation samples as JSONL (samples.jsonl): per sample the prompt, the response, the
 * reward and anything else the trainer attaches (ground truth, pass-2 answer, reward parts).
 * The evidence behind a reward curve, e.g. to spot the description leaking the answer (docs/method.md, "Missing description").
 */
import { JsonlWriter } from './jsonl.js';

/** One logged sample. Extra keys are kept as they are. */
export interface SampleRecord {
  prompt: string;
  response: string;
  /** The overall reward, or its named parts (`{overall, accuracy, format, description_accuracy}`). */
  reward: number | Record<string, number>;
  ground_truth?: string;
  /**
   * Fields the GRPO trainer adds for `vsr1 report` and TensorBoard (absent in older runs): the
   * prompt images (file paths; relative ones are under the run folder), the parsed response parts
   * (null when the response lacks them) and the pass-2 answer parsed from `pass2`.
   */
  images?: string[];
  description?: string | null;
  think?: string | null;
  answer?: string | null;
  pass2_answer?: string | null;
  [key: string]: unknown;
}

export class SampleLogger {
  private readonly out: JsonlWriter;

  /**
   * @param path the JSONL file (appended to)
   * @param maxPerStep samples kept per log() call; -1 keeps all, 0 disables (config trainer.log_samples)
   */
  constructor(path: string, readonly maxPerStep = -1) {
    this.out = new JsonlWriter(path);
  }

  get path(): string {
    return this.out.path;
  }

  /**
   * Writes up to maxPerStep samples of `step`, taken evenly across the batch so that every
   * part of it (all prompts, not just the first group) is represented.
   */
  log(step: number, samples: readonly SampleRecord[], split: 'train' | 'val' = 'train'): number {
    const picked = this.pick(samples.length);
    this.logPicked(step, picked.map((i) => [i, samples[i]] as const), split);
    return picked.length;
  }

  /** The batch indices log() keeps of a batch of `total` (so a caller can build only those records). */
  pick(total: number): number[] {
    const k = this.maxPerStep < 0 ? total : Math.min(this.maxPerStep, total);
    return Array.from({ length: k }, (_, j) => (k === total ? j : Math.floor((j * total) / k)));
  }

  /** Writes samples chosen with pick(), each with its index in the batch. */
  logPicked(step: number, picked: ReadonlyArray<readonly [number, SampleRecord]>, split: 'train' | 'val' = 'train'): void {
    for (const [index, sample] of picked) this.out.write({ step, split, index, ...sample });
  }

  close(): void {
    this.out.close();
  }
}
