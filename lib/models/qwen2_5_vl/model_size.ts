/**
 * How much memory a config's weights take, checked before the addon allocates them: a
 * checkpoint too large for this machine's RAM is an error naming the sizes, not an
 * out-of-memory kill minutes into random init or loading. (The addon refuses absurd sizes,
 * 1e13 parameters and up, on its own.)
 */
import { totalmem } from 'node:os';
import type { QwenVLConfig } from './config.js';

/** About how many parameters the model has (the addon's parameterCount, same terms). */
export function parameterCount(c: QwenVLConfig): number {
  const t = c.text, v = c.vision;
  const h = t.hiddenSize, kv = t.numKvHeads * (t.hiddenSize / t.numHeads);
  const layer = h * (h + 2 * kv) + (h + 2 * kv) + h * h + 3 * h * t.intermediateSize + 2 * h;
  const vh = v.hiddenSize, merged = vh * v.spatialMergeSize ** 2;
  const block = 4 * vh * vh + 4 * vh + 3 * vh * v.intermediateSize + 2 * vh;
  const patchDim = v.inChannels * v.temporalPatchSize * v.patchSize ** 2;
  return t.vocabSize * h * (t.tieWordEmbeddings ? 1 : 2) + t.numLayers * layer + h + patchDim * vh + v.depth * block + merged * merged + merged * v.outHiddenSize + vh;
}

/** Bytes of K and V over all layers for one token of one sequence, at `bytesPerElement`. */
export function kvBytesPerToken(c: QwenVLConfig, bytesPerElement: number): number {
  const t = c.text;
  return 2 * t.numLayers * t.numKvHeads * (t.hiddenSize / t.numHeads) * bytesPerElement;
}

/** Throws when the weights alone would not fit in this machine's RAM (CPU models only). */
export function assertFitsInMemory(c: QwenVLConfig, bytesPerParameter: number, device: string, ram = totalmem()): void {
  if (device !== 'cpu') return;
  const bytes = parameterCount(c) * bytesPerParameter;
  if (bytes > ram) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
    throw new Error(`model: the config describes about ${parameterCount(c).toExponential(2)} parameters (${gib(bytes)} of weights), more than this machine's ${gib(ram)} of RAM`);
  }
}
