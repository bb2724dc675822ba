/**
 * Progress bars (rollout, update, eval, data preparation) over cli-progress. They are quiet
 * when the stream is not a TTY, when CI is set, or when VSR1_NO_PROGRESS=1, so log files and CI
 * output stay clean; the caller's code is the same either way.
 */
import cliProgress from 'cli-progress';

/** A bar the caller advances; a quiet bar only keeps its counters. */
export interface Progress {
  readonly active: boolean;
  readonly value: number;
  readonly total: number;
  /** Adds `n` (default 1); `info` fills the {info} slot of the bar, e.g. "reward 0.41". */
  increment(n?: number, info?: string): void;
  update(value: number, info?: string): void;
  setTotal(total: number): void;
  stop(): void;
}

/** True when a bar would draw on `stream`. */
export function progressEnabled(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  return Boolean(stream.isTTY) && !ci && env.VSR1_NO_PROGRESS !== '1';
}

export interface ProgressOptions {
  /** Output stream (default stderr, which keeps stdout for results). */
  stream?: NodeJS.WriteStream;
  /** Force quiet (true) or drawing (false); default decides with progressEnabled. */
  quiet?: boolean;
  /** Unit shown after the counts, e.g. "samples". */
  unit?: string;
}

/** Starts a bar labelled `label` counting to `total`. */
export function createProgress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const quiet = opts.quiet ?? !progressEnabled(stream);
  let value = 0;
  let tot = total;
  let info = '';
  const bar = quiet
    ? null
    : new cliProgress.SingleBar(
        {
          stream,
          format: `${label} |{bar}| {value}/{total}${opts.unit ? ` ${opts.unit}` : ''} {percentage}% eta {eta_formatted} {info}`,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
  bar?.start(total, 0, { info });
  return {
    get active() {
      return bar !== null;
    },
    get value() {
      return value;
    },
    get total() {
      return tot;
    },
    increment(n = 1, i?: string) {
      value += n;
      if (i !== undefined) info = i;
      bar?.update(value, { info });
    },
    update(v: number, i?: string) {
      value = v;
      if (i !== undefined) info = i;
      bar?.update(value, { info });
    },
    setTotal(t: number) {
      tot = t;
      bar?.setTotal(t);
    },
    stop() {
      bar?.stop();
    },
  };
}
