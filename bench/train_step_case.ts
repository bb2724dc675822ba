/**
 * One case of bench/train_step.ts in its own process (so its peak memory is its own): training
 * steps of the bench model on a micro-batch of unequal lengths, through the trainer's own code
 * (trainingBatch -> scoreResponses -> token-mean NLL -> backward -> clip -> AdamW).
 *   npx tsx bench/train_step_case.ts DIR LAYOUT(padded|packed|packed-ckpt) L B STEPS THREADS
 * Prints JSON {ms: [...], rssBeforeMb, peakRssMb, tokens, paddedTokens}.
 */
import { torch } from '../lib/index.js';
import { QwenVLModel } from '../lib/models/qwen2_5_vl/model.js';
import type { EncodedPrompt } from '../lib/rollout/collate.js';
import { trainingBatch } from '../lib/rollout/training_batch.js';
import { scoreResponses } from '../lib/rollout/score_responses.js';
import { benchLengths } from './train_step_shapes.js';

const [dir, layout, Ls, Bs, stepsS, threadsS] = process.argv.slice(2);
const L = Number(Ls), B = Number(Bs), STEPS = Number(stepsS);
torch.setNumThreads(Number(threadsS));
const model = await QwenVLModel.load(dir);
model.setGradientCheckpointing(layout === 'packed-ckpt');
const params = model.setTrainable(() => true);
const opt = new torch.AdamW(params, { lr: 1e-5, weightDecay: 0.01 });
const { prompts: promptIds, responses } = benchLengths(L, B, model.config.text.vocabSize - 16);
const prompts: EncodedPrompt[] = promptIds.map((ids) => ({ text: '', ids, rawIds: ids, pixelValues: null, numPatches: 0, imageGridThw: [] }));
const opts = { padId: model.config.padTokenId, imageTokenId: model.config.imageTokenId, mergeSize: 2, packed: layout !== 'padded' };
const ms: number[] = [];
const rssBefore = process.memoryUsage().rss;
for (let s = 0; s < STEPS + 1; s++) {
  const t = process.hrtime.bigint();
  const batch = trainingBatch(prompts, responses, opts);
  try {
    torch.scope(() => {
      const { logProbs } = scoreResponses(model, batch);
      const mask = batch.responseMask!;
      logProbs.mul(mask).sum().div(mask.sum()).neg().backward();
      torch.clipGradNorm(params, 1.0);
      opt.step();
      opt.zeroGrad();
    });
  } finally {
    batch.dispose();
  }
  if (s >= 1) ms.push(Number(process.hrtime.bigint() - t) / 1e6); // step 0 warms up (and allocates AdamW state)
}
const tokens = prompts.reduce((a, p, b) => a + p.ids.length + responses[b].length, 0);
console.log(JSON.stringify({ ms, rssBeforeMb: rssBefore / 2 ** 20, peakRssMb: process.resourceUsage().maxRSS / 1024, tokens, paddedTokens: B * L }));
opt.dispose();
model.dispose();
