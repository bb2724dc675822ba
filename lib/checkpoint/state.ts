/**
 * trainer_state.json: everything besides tensors that a resumed run needs to continue where
 * it stopped: the step, the data position, the RNG state and the config fingerprint.
 */
import { z } from 'zod';

export const TRAINER_STATE_FILE = 'trainer_state.json';
/** Checkpoint folders are `global_step_<N>`, as in EasyR1/verl. */
export const CHECKPOINT_PREFIX = 'global_step_';

const SamplerStateSchema = z.strictObject({
  epoch: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  seed: z.number().int(),
});

export const TrainerStateSchema = z.object({
  format: z.literal(1),
  /** RL (or SFT) steps completed. */
  step: z.number().int().nonnegative(),
  /** DataLoader.state() after the last batch consumed; null when the trainer has no loader. */
  data: SamplerStateSchema.nullable(),
  /** The trainer's own RNG state, any JSON value (e.g. a seed and counter, or base64 bytes). */
  rng: z.unknown(),
  /** configHash() of the run's config, to notice a changed config on resume. */
  config_hash: z.string(),
  /** ISO time of the save. */
  saved_at: z.string(),
  /** Anything else the trainer wants back (best reward so far, phase timings, ...). */
  extra: z.record(z.string(), z.unknown()).optional(),
});

/** Contents of trainer_state.json. */
export type TrainerState = z.infer<typeof TrainerStateSchema>;

/** What the trainer supplies when saving; format, step and saved_at are filled in. */
export type TrainerStateInput = Omit<TrainerState, 'format' | 'step' | 'saved_at'>;

/** Parses trainer_state.json text; errors name the file and the field. */
export function parseTrainerState(text: string, file: string): TrainerState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = TrainerStateSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

/** The step encoded in a checkpoint folder name, or null when the name is not one. */
export function stepOfName(name: string): number | null {
  const m = /^global_step_(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}
