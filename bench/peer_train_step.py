"""Peer for bench/train_step.ts: training steps of the same checkpoint in PyTorch eager through
transformers (sdpa attention; optional gradient checkpointing), on the same micro-batch: the
samples right-padded to the longest, with an attention mask; token-mean NLL of the response
tokens, backward, grad clipping, AdamW. transformers offers padding-free batches only with the
flash-attention-2 kernels, which do not run on a CPU, so the peer is always padded.
stdin: JSON {"prompts": [[ids]], "responses": [[ids]]}
argv: DIR LAYOUT(padded|padded-ckpt) STEPS THREADS
Prints JSON {"ms": [...], "rssBeforeMb", "peakRssMb"}."""
import json
import os
import resource
import sys
import time

import torch
from transformers import Qwen2_5_VLForConditionalGeneration


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


d, layout, steps, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
batch = json.load(sys.stdin)
model = Qwen2_5_VLForConditionalGeneration.from_pretrained(d, dtype=torch.float32, attn_implementation="sdpa")
model.train()
if layout == "padded-ckpt":
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
opt = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01, foreach=False)
seqs = [p + r for p, r in zip(batch["prompts"], batch["responses"])]
L = max(len(s) for s in seqs)
pad = model.config.text_config.pad_token_id or 0
ids = torch.tensor([s + [pad] * (L - len(s)) for s in seqs])
attn = torch.tensor([[1] * len(s) + [0] * (L - len(s)) for s in seqs])
# loss mask over targets 1..L-1: response tokens only
mask = torch.zeros(len(seqs), L - 1)
for b, (p, r) in enumerate(zip(batch["prompts"], batch["responses"])):
    mask[b, len(p) - 1 : len(p) - 1 + len(r)] = 1
ms = []
before = rss_mb()
for s in range(steps + 1):
    t = time.perf_counter()
    logits = model(input_ids=ids, attention_mask=attn).logits[:, :-1].float()
    lp = logits.log_softmax(-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
    loss = -(lp * mask).sum() / mask.sum()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad()
    if s >= 1:  # step 0 warms up (and allocates AdamW state)
        ms.append((time.perf_counter() - t) * 1000)
json.dump({"ms": ms, "rssBeforeMb": before, "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, sys.stdout)
