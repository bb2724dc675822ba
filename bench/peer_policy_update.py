"""Peer for bench/policy_update.ts: the GRPO policy update (one optimizer step over micro-batches)
in PyTorch eager on transformers' Qwen2.5-VL (sdpa), from the same batch: each micro-batch is
left-padded prompts + right-padded responses (verl's layout) with their images; log-probs of the
logits / T; the dual-clip PPO loss (clip 0.2/0.3, dual 3) plus 0.01 * low_var_kl against the given
reference log-probs, token-mean per micro-batch divided by the number of micro-batches; backward,
grad clipping to 1.0, AdamW. Exactly on-policy: log pi_old is the detached log pi.
argv: CHECKPOINT_DIR BATCH_DIR STEPS THREADS; prints JSON {"ms": [...]}."""
import json
import sys
import time

import torch
from safetensors.torch import load_file
from transformers import Qwen2_5_VLForConditionalGeneration

ckpt, bdir, steps, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
b = json.load(open(f"{bdir}/batch.json"))
pixels = load_file(f"{bdir}/pixels.safetensors")["pixel_values"]
model = Qwen2_5_VLForConditionalGeneration.from_pretrained(ckpt, dtype=torch.float32, attn_implementation="sdpa")
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-6, weight_decay=0.01, foreach=False)
pad = model.config.text_config.pad_token_id or 0
n, micro, T = b["n"], b["micro"], b["temperature"]
rows_per_prompt = [g[0][0] * g[0][1] * g[0][2] for g in b["grids"]]
starts = [sum(rows_per_prompt[:i]) for i in range(len(rows_per_prompt))]
samples = [(i // n) for i in range(len(b["responses"]))]


def micro_batch(idx):
    prompts = [b["prompts"][samples[i]] for i in idx]
    resps = [b["responses"][i] for i in idx]
    Lp, R = max(map(len, prompts)), max(map(len, resps))
    ids = torch.tensor([[pad] * (Lp - len(p)) + p + r + [pad] * (R - len(r)) for p, r in zip(prompts, resps)])
    attn = torch.tensor([[0] * (Lp - len(p)) + [1] * (len(p) + len(r)) + [0] * (R - len(r)) for p, r in zip(prompts, resps)])
    mask = torch.tensor([[1.0] * len(r) + [0.0] * (R - len(r)) for r in resps])
    pv = torch.cat([pixels[starts[samples[i]] : starts[samples[i]] + rows_per_prompt[samples[i]]] for i in idx])
    grid = torch.tensor([b["grids"][samples[i]][0] for i in idx])
    ref = torch.tensor([b["ref"][i] + [0.0] * (R - len(b["ref"][i])) for i in idx])
    adv = torch.tensor([b["advantages"][i] for i in idx])[:, None]
    return ids, attn, mask, pv, grid, ref, adv, Lp, R


batches = [micro_batch(list(range(s, min(s + micro, len(samples))))) for s in range(0, len(samples), micro)]
ms = []
for step in range(steps + 1):
    t0 = time.perf_counter()
    for ids, attn, mask, pv, grid, ref, adv, Lp, R in batches:
        logits = model(input_ids=ids, attention_mask=attn, pixel_values=pv, image_grid_thw=grid).logits[:, Lp - 1 : Lp - 1 + R].float() / T
        lp = logits.log_softmax(-1).gather(-1, ids[:, Lp:, None]).squeeze(-1)
        ratio = torch.exp(lp - lp.detach())
        pg1, pg2 = -adv * ratio, -adv * ratio.clamp(1 - 0.2, 1 + 0.3)
        clip1 = torch.maximum(pg1, pg2)
        pg = torch.where(adv < 0, torch.minimum(-adv * 3.0, clip1), clip1)
        x = ref - lp
        kl = (torch.exp(x) - x - 1).clamp(-10, 10)
        loss = ((pg + 0.01 * kl) * mask).sum() / mask.sum() / len(batches)
        loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad()
    if step > 0:
        ms.append((time.perf_counter() - t0) * 1000)
json.dump({"ms": ms}, sys.stdout)
