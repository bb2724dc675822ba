/**
 * Reward composition: named components, each a registered or inline reward with a weight, summed
 * into the scalar `overall`; or, for multi-reward training (docs/method.md, "Multi-reward variant"), weighted into
 * separate channels that get their own GRPO advantage. Every component value is returned for
 * logging (accuracy, format, description_accuracy, description_format, ...).
 */
import { getReward } from './registry.js';
import { presetSpec, type PresetName, type PresetOptions } from './presets.js';
import type { RewardFn, RewardSample } from './types.js';

/** One term of a composition. */
export interface RewardComponent {
  /** Key of this value in the result's `components` (and in logs). */
  readonly name: string;
  /** A registered reward name, or a function. */
  readonly reward: string | RewardFn;
  /** Weight in `overall` for single-channel specs; 0 (the default) logs the value only. */
  readonly weight?: number;
  /** Multi-reward specs: weight of this value in each channel it feeds, e.g. { ans: 1 }. */
  readonly channels?: Readonly<Record<string, number>>;
  /** For inline functions: whether they read `sample.pass2Response`. */
  readonly usesPass2?: boolean;
}

/** A full composition. With any `channels`, `overall` is the channelWeights-weighted channel sum. */
export interface RewardSpec {
  readonly name?: string;
  readonly components: readonly RewardComponent[];
  /** Per-channel weights (λ) for `overall`; a channel not listed weighs 1. */
  readonly channelWeights?: Readonly<Record<string, number>>;
}

/** Per-sample result. */
export interface RewardResult {
  /** The scalar reward (single-channel) or Σ_k λ_k · channel_k (multi-reward). */
  readonly overall: number;
  /** Every component's raw value, by component name. */
  readonly components: Readonly<Record<string, number>>;
  /** Multi-reward only: each channel's score, the input of that channel's advantage. */
  readonly channels?: Readonly<Record<string, number>>;
}

/** A composed reward, ready to score samples. */
export interface ComposedReward {
  readonly spec: RewardSpec;
  /** True when some component reads the pass-2 answer, i.e. the trainer must run pass 2. */
  readonly usesPass2: boolean;
  /** Channel names (empty for single-channel specs). */
  readonly channelNames: readonly string[];
  score(sample: RewardSample): Promise<RewardResult>;
  scoreBatch(samples: readonly RewardSample[]): Promise<RewardResult[]>;
}

interface Resolved { name: string; fn: RewardFn; weight: number; channels: Record<string, number> | null }

function checkWeight(w: unknown, what: string): number {
  if (typeof w !== 'number' || !Number.isFinite(w)) throw new Error(`${what} must be a finite number, got ${String(w)}`);
  return w;
}

function resolve(spec: RewardSpec): { parts: Resolved[]; usesPass2: boolean; channels: string[] } {
  const label = spec.name ? `reward spec '${spec.name}'` : 'reward spec';
  if (!spec || !Array.isArray(spec.components) || spec.components.length === 0) throw new Error(`${label}: components must be a non-empty array`);
  const seen = new Set<string>();
  const multi = spec.components.some((c) => c.channels !== undefined);
  const channels = new Set<string>();
  let usesPass2 = false;
  const parts = spec.components.map((c, i) => {
    const where = `${label}, component ${i} ('${c.name}')`;
    if (typeof c.name !== 'string' || c.name.length === 0) throw new Error(`${label}, component ${i}: name must be a non-empty string`);
    if (seen.has(c.name)) throw new Error(`${label}: duplicate component name '${c.name}'`);
    seen.add(c.name);
    let fn: RewardFn;
    if (typeof c.reward === 'string') {
      const def = getReward(c.reward);
      fn = def.fn;
      usesPass2 ||= def.usesPass2;
    } else if (typeof c.reward === 'function') {
      fn = c.reward;
      usesPass2 ||= c.usesPass2 === true;
    } else throw new Error(`${where}: reward must be a registered name or a function`);
    if (multi && c.weight !== undefined) throw new Error(`${where}: use channels, not weight, in a multi-channel spec`);
    const weight = c.weight === undefined ? 0 : checkWeight(c.weight, `${where} weight`);
    let ch: Record<string, number> | null = null;
    if (c.channels !== undefined) {
      ch = {};
      for (const [k, w] of Object.entries(c.channels)) { ch[k] = checkWeight(w, `${where} channel '${k}' weight`); channels.add(k); }
    }
    return { name: c.name, fn, weight, channels: ch };
  });
  for (const [k, w] of Object.entries(spec.channelWeights ?? {})) {
    checkWeight(w, `${label} channelWeights.${k}`);
    if (!channels.has(k)) throw new Error(`${label}: channelWeights names channel '${k}', which no component feeds (channels: ${[...channels].join(', ') || 'none'})`);
  }
  return { parts, usesPass2, channels: [...channels] };
}

/**
 * Builds a composed reward from a spec or a preset name ('vision-sr1', 'vision-r1',
 * 'no-self-reward', 'validation', 'multi-reward'; see presets.ts).
 */
export function composeReward(spec: RewardSpec | PresetName, options?: PresetOptions): ComposedReward {
  const full = typeof spec === 'string' ? presetSpec(spec, options) : spec;
  const { parts, usesPass2, channels } = resolve(full);
  const lambda = (k: string) => full.channelWeights?.[k] ?? 1;

  async function score(sample: RewardSample): Promise<RewardResult> {
    const values = await Promise.all(parts.map(async (p) => {
      const v = await p.fn(sample);
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`reward component '${p.name}' returned ${String(v)}; expected a finite number`);
      return v;
    }));
    const components: Record<string, number> = {};
    parts.forEach((p, i) => { components[p.name] = values[i]!; });
    if (channels.length === 0) {
      // Left-to-right in component order, as the reference writes (1-w)*acc + w*fmt + vis.
      const overall = parts.reduce((acc, p, i) => (p.weight === 0 ? acc : acc + p.weight * values[i]!), 0);
      return { overall, components };
    }
    const ch: Record<string, number> = {};
    for (const k of channels) {
      let s = 0;
      parts.forEach((p, i) => { const w = p.channels?.[k]; if (w !== undefined) s += w * values[i]!; });
      ch[k] = s;
    }
    const overall = channels.reduce((acc, k) => acc + lambda(k) * ch[k]!, 0);
    return { overall, components, channels: ch };
  }

  return {
    spec: full,
    usesPass2,
    channelNames: channels,
    score,
    async scoreBatch(samples) {
      return Promise.all(samples.map((s, i) => score(s).catch((e: unknown) => {
        throw new Error(`scoring sample ${i}: ${e instanceof Error ? e.message : String(e)}`);
      })));
    },
  };
}
