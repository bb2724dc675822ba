/**
 * The reward compositions of the Vision-SR1 paper and code (docs/method.md, "Reward presets" and "Multi-reward variant").
 */
import type { RewardSpec } from './compose.js';

export type PresetName = 'vision-sr1' | 'vision-r1' | 'no-self-reward' | 'validation' | 'multi-reward';
export const PRESET_NAMES: readonly PresetName[] = ['vision-sr1', 'vision-r1', 'no-self-reward', 'validation', 'multi-reward'];

export interface PresetOptions {
  /** Format weight w: answer terms are (1 - w)·acc + w·fmt. Default 0.1 (0 for 'validation'). */
  readonly formatWeight?: number;
  /** multi-reward: α, the format weight added to the ans channel (and to vis unless visAlpha is given). Default 0 (CODE-MR drops format). */
  readonly alpha?: number;
  /** multi-reward: the format weight of the vis channel (default: alpha). */
  readonly visAlpha?: number;
  /** multi-reward: λ per channel. Default { ans: 1, vis: 1 } (CODE-MR); the paper uses 0.5 / 0.5. */
  readonly channelWeights?: Readonly<{ ans?: number; vis?: number }>;
  /**
   * Pass-1 responses without `<description>`: 'empty' (default) scores description_accuracy 0;
   * 'whole-response' grades pass 2 anyway, as CODE-MAIN does after feeding it the whole response.
   */
  readonly onMissingDescription?: 'empty' | 'whole-response';
}

/**
 * The spec of a preset:
 * - 'vision-sr1': overall = (1-w)·accuracy + w·format + 1.0·description_accuracy (range [0, 2]);
 *   description_format is logged with weight 0. Needs pass 2.
 * - 'vision-r1': (1-w)·accuracy + w·cot format; no pass 2.
 * - 'no-self-reward': (1-w)·accuracy + w·see-think format; pass 2 is not needed.
 * - 'validation': overall = accuracy; the see-think format is logged only.
 * - 'multi-reward': channels ans = accuracy + α·format and vis = description_accuracy + α_vis·format
 *   (format is the pass-1 see-think format in both), overall = λ_ans·ans + λ_vis·vis.
 */
export function presetSpec(name: PresetName, options: PresetOptions = {}): RewardSpec {
  const w = options.formatWeight ?? (name === 'validation' ? 0 : 0.1);
  const vis = options.onMissingDescription === 'whole-response' ? 'description_accuracy_reference' : 'description_accuracy';
  switch (name) {
    case 'vision-sr1':
      return {
        name,
        components: [
          { name: 'accuracy', reward: 'accuracy', weight: 1 - w },
          { name: 'format', reward: 'see_think_format', weight: w },
          { name: 'description_accuracy', reward: vis, weight: 1.0 },
          { name: 'description_format', reward: 'description_format', weight: 0 },
        ],
      };
    case 'vision-r1':
      return {
        name,
        components: [
          { name: 'accuracy', reward: 'accuracy', weight: 1 - w },
          { name: 'format', reward: 'cot_format', weight: w },
        ],
      };
    case 'no-self-reward':
      return {
        name,
        components: [
          { name: 'accuracy', reward: 'accuracy', weight: 1 - w },
          { name: 'format', reward: 'see_think_format', weight: w },
        ],
      };
    case 'validation':
      return {
        name,
        components: [
          { name: 'accuracy', reward: 'accuracy', weight: 1 - w },
          { name: 'format', reward: 'see_think_format', weight: w },
        ],
      };
    case 'multi-reward': {
      const alpha = options.alpha ?? 0;
      const visAlpha = options.visAlpha ?? alpha;
      return {
        name,
        components: [
          { name: 'accuracy', reward: 'accuracy', channels: { ans: 1 } },
          { name: 'format', reward: 'see_think_format', channels: { ans: alpha, vis: visAlpha } },
          { name: 'description_accuracy', reward: vis, channels: { vis: 1 } },
          { name: 'description_format', reward: 'description_format' },
        ],
        channelWeights: { ans: options.channelWeights?.ans ?? 1, vis: options.channelWeights?.vis ?? 1 },
      };
    }
    default:
      throw new Error(`unknown reward preset '${String(name)}'; expected one of ${PRESET_NAMES.join(', ')}`);
  }
}
