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
    const k = this.maxPerStep < 0 ? samples.length : Math.min(this.maxPerStep, samples.length);
    for (let j = 0; j < k; j++) {
      const i = k === samples.length ? j : Math.floor((j * samples.length) / k);
      this.out.write({ step, split, index: i, ...samples[i] });
    }
    return k;
  }

  close(): void {
    this.out.close();
  }
}
