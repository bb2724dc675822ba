/**
 * Training step of a small transformer (a Qwen2.5-VL-architecture model, text-only batch):
 * forward, token log-prob loss, backward, grad clipping and AdamW, ours (C++ model in the addon,
 * loss in TS) against the same checkpoint in PyTorch eager (transformers) on the same libtorch.
 * Prints the median ms per step of each and the ratio ours/peer over RUNS alternating runs.
 * Target (PERFORMANCE.md): <= 0.8.
 *   npx tsx bench/train_step.ts [runs=3] [steps=5] [threads=2]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { torch } from '../lib/index.js';
import { QwenVLModel } from '../lib/models/qwen2_5_vl/model.js';
import { parseQwenConfig } from '../lib/models/qwen2_5_vl/config.js';
import { median, printRatios, runPeer } from './stats.js';

const RUNS = Number(process.argv[2] ?? 3);
const STEPS = Number(process.argv[3] ?? 5);
const THREADS = Number(process.argv[4] ?? 2);
const B = 8, L = 64;
torch.setNumThreads(THREADS);

const cfg = parseQwenConfig({
  model_type: 'qwen2_5_vl', vocab_size: 2048, hidden_size: 256, intermediate_size: 704, num_hidden_layers: 4,
  num_attention_heads: 8, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: true,
  rope_scaling: { type: 'mrope', mrope_section: [4, 6, 6] }, image_token_id: 2040, video_token_id: 2041,
  vision_start_token_id: 2042, vision_end_token_id: 2043, eos_token_id: 2044,
  vision_config: { depth: 2, hidden_size: 64, intermediate_size: 128, num_heads: 2, out_hidden_size: 256, fullatt_block_indexes: [1] },
}, 'bench config');
const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-bench-'));
{
  const m = QwenVLModel.fromConfig(cfg, { seed: 1, initStd: 0.05 });
  m.save(dir);
  m.dispose();
}

function runOurs(): number[] {
  const model = QwenVLModel.fromConfig(cfg, { seed: 1 });
  const params = model.setTrainable(() => true);
  const opt = new torch.AdamW(params, { lr: 1e-4, weightDecay: 0.01 });
  const g = new torch.Generator(0);
  const ids = torch.randint(0, cfg.text.vocabSize - 16, [B, L], { generator: g });
  const targets = ids.narrow(1, 1, L - 1);
  const ms: number[] = [];
  for (let s = 0; s < STEPS + 2; s++) {
    const t = process.hrtime.bigint();
    torch.scope(() => {
      const { logProbs } = model.logProbs({ inputIds: ids }, targets, 1);
      const loss = logProbs.mean().neg();
      loss.backward();
      torch.clipGradNorm(params, 1.0);
      opt.step();
      opt.zeroGrad();
    });
    if (s >= 2) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  opt.dispose();
  model.dispose();
  return ms;
}

const ours: number[] = [], peer: number[] = [];
for (let r = 0; r < RUNS; r++) {
  ours.push(median(runOurs()));
  peer.push(median(runPeer<{ ms: number[] }>('bench/peer_train_step.py', [dir, String(B), String(L), String(STEPS), String(THREADS)]).ms));
}
printRatios(`training step, Qwen2.5-VL-arch 4x256 (vocab 2048), batch ${B}x${L}, fp32, ${THREADS} threads, median of ${RUNS} runs x ${STEPS} steps`, 'ms',
  [{ name: 'fwd+bwd+clip+AdamW', ours: median(ours), peer: median(peer) }]);
