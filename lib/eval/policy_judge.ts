/**
 * The policy as its own judge (docs/method.md, "Evaluation"): the loaded model answers the judge
 * prompts of lib/prompts/judge.ts greedily, text only. It needs no network, but a small policy
 * is a weak judge, so its verdicts are a cheap proxy, not the paper's external judge.
 */
import type { ModelStack } from '../rollout/model_stack.js';
import { type ChatFn, chatJudge, type Judge } from './judge.js';

export interface PolicyJudgeOptions {
  /** New tokens per judgement (default 256). */
  maxNewTokens?: number;
  /** Prompts generated together (default 16). */
  batchSize?: number;
}

interface Pending { text: string; resolve: (t: string) => void; reject: (e: Error) => void }

/**
 * A chat function over the policy. Calls made together are queued and generated in batches, one
 * batch at a time, since the model runs one generation at a time.
 */
export function policyChat(stack: ModelStack, o: PolicyJudgeOptions = {}): ChatFn {
  const maxNewTokens = o.maxNewTokens ?? 256, batchSize = o.batchSize ?? 16;
  const queue: Pending[] = [];
  let running: Promise<void> | null = null;
  const runBatch = async (batch: Pending[]) => {
    const prompts = await Promise.all(batch.map((p, i) => stack.encoder.encode({ content: [{ type: 'text', text: p.text }], images: [] }, `judge prompt ${i}`)));
    const cfg = stack.model.config;
    const out = await stack.model.generate({
      inputIds: prompts.map((p) => p.ids), n: 1, maxNewTokens, greedy: true, temperature: 0, topP: 1, topK: -1,
      logitBias: { [cfg.imageTokenId]: -100 }, stopTokenIds: cfg.eosTokenIds, seed: 0,
    });
    batch.forEach((p, i) => p.resolve(stack.tokenizer.decode(out.sequences[i], { skipSpecialTokens: true })));
  };
  const drain = async () => {
    // Let every call made in the same tick join the first batch.
    await new Promise((r) => setImmediate(r));
    while (queue.length) {
      const batch = queue.splice(0, batchSize);
      try {
        await runBatch(batch);
      } catch (e) {
        for (const p of batch) p.reject(e as Error);
      }
    }
    running = null;
  };
  return (text) => new Promise<string>((resolve, reject) => {
    queue.push({ text, resolve, reject });
    running ??= drain();
  }).then((t) => ({ ok: true as const, text: t }), (e: Error) => ({ ok: false as const, reason: `policy judge failed: ${e.message}` }));
}

/** The policy of `stack` as judge. */
export function policyJudge(stack: ModelStack, o: PolicyJudgeOptions = {}): Judge {
  return chatJudge('policy', policyChat(stack, o), o.batchSize ?? 16);
}
