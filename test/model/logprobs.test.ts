/**
 * Training-side scoring: model.logProbs (chunked LM head with a custom backward that recomputes
 * logits per chunk) equals log_softmax over the full logits from model.forward, in value, entropy
 * and gradient with respect to every parameter, at temperature 1 and 0.7.
 */
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { parseQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { expectClose } from '../helpers/tensors.js';

const cfg = parseQwenConfig({
  model_type: 'qwen2_5_vl', vocab_size: 97, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, tie_word_embeddings: true, rope_scaling: { type: 'mrope', mrope_section: [1, 1, 2] },
  image_token_id: 90, eos_token_id: 96, pad_token_id: 95,
  vision_config: { depth: 1, hidden_size: 16, intermediate_size: 32, num_heads: 2, out_hidden_size: 32, fullatt_block_indexes: [0] },
}, 'logprob test config');

describe('model.logProbs', () => {
  for (const temperature of [1, 0.7]) {
    it(`equals full log_softmax in value, entropy and gradient (T=${temperature})`, () => {
      const model = QwenVLModel.fromConfig(cfg, { seed: 5, initStd: 0.2, dtype: 'float64' });
      const params = model.setTrainable(() => true);
      const g = new torch.Generator(1);
      const ids = torch.randint(0, 89, [3, 12], { generator: g });
      const mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]]);
      const start = 5, R = 7;
      const targets = ids.narrow(1, start, R);
      const weights = torch.randn([3, R], { generator: g, dtype: 'float64' });
      const grads = (fn: () => { lp: torch.Tensor; ent: torch.Tensor }) => {
        for (const p of params) p.grad = null;
        const { lp, ent } = fn();
        lp.mul(weights).sum().backward();
        return { lp: lp.toFlatArray(), ent: ent.toFlatArray(), g: params.map((p) => p.grad?.toFlatArray() ?? null) };
      };
      const ours = grads(() => {
        const r = model.logProbs({ inputIds: ids, attentionMask: mask }, targets, start, { temperature, entropy: true, chunk: 5 });
        return { lp: r.logProbs, ent: r.entropy! };
      });
      const full = grads(() => {
        const logits = model.forward({ inputIds: ids, attentionMask: mask }).narrow(1, start - 1, R).div(temperature);
        const logp = logits.logSoftmax(-1);
        return { lp: logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1), ent: logp.exp().mul(logp).sum(-1).neg().detach() };
      });
      expectClose(ours.lp, full.lp, 1e-9, 1e-10, 'log-probs');
      expectClose(ours.ent, full.ent, 1e-9, 1e-10, 'entropy');
      const names = [...model.params.keys()];
      let compared = 0;
      ours.g.forEach((gr, i) => {
        // Vision parameters get no gradient from a text-only batch, in both computations.
        expect(gr === null, `grad presence of ${names[i]}`).toBe(full.g[i] === null);
        if (gr === null) return;
        expectClose(gr, full.g[i]!, 1e-7, 1e-9, `grad of ${names[i]}`);
        compared++;
      });
      expect(compared).toBe(names.filter((n) => !n.startsWith('model.visual.')).length);
      model.dispose();
    });
  }
});
