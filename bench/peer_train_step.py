"""Peer for bench/train_step.ts: one training step of the same Qwen2.5-VL checkpoint in PyTorch
eager via transformers (forward, token log-prob loss, backward, AdamW). Prints JSON
{"ms": [per-step ms...], "loss": [...]}.
argv: DIR B L STEPS THREADS"""
import json
import sys
import time

import torch
from transformers import Qwen2_5_VLForConditionalGeneration

d, B, L, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
model = Qwen2_5_VLForConditionalGeneration.from_pretrained(d, dtype=torch.float32, attn_implementation="sdpa")
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, foreach=False)
g = torch.Generator().manual_seed(0)
ids = torch.randint(0, model.config.text_config.vocab_size - 16, (B, L), generator=g)
ms, losses = [], []
for s in range(steps + 2):
    t = time.perf_counter()
    logits = model(input_ids=ids).logits[:, :-1].float()
    lp = logits.log_softmax(-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
    loss = -lp.mean()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad()
    dt = (time.perf_counter() - t) * 1000
    if s >= 2:  # warm-up steps excluded
        ms.append(dt)
        losses.append(loss.item())
json.dump({"ms": ms, "loss": losses}, sys.stdout)
