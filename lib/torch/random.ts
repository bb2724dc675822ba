/** Seeded random number generators (libtorch's, so seeds reproduce PyTorch's streams). */
import { native } from '../native.js';
import { Tensor, wrap } from './tensor.js';

/** Seeds the default generator(s), like torch.manual_seed. */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) throw new TypeError(`manualSeed: expected a non-negative integer seed, got ${seed}`);
  native.manualSeed(seed);
}

/** A generator of its own, for streams that must not depend on other code's draws. */
export class Generator {
  /** @internal index in the addon's generator table */
  readonly index: number;
  constructor(seed: number, device = 'cpu', index?: number) {
    this.index = index ?? native.generatorNew(seed, device);
  }
  /** The default CPU generator (what manualSeed seeds). */
  static default(): Generator {
    return new Generator(0, 'cpu', native.defaultGenerator());
  }
  /** Opaque state (a uint8 tensor) for checkpoints. */
  getState(): Tensor { return wrap(native.generatorGetState(this.index)); }
  setState(state: Tensor): void { native.generatorSetState(this.index, state.handle); }
}
