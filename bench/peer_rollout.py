"""Peer for bench/rollout.ts: transformers `generate` on the same checkpoint and request, sampled:
all prompts in one batch with num_return_sequences = n, temperature 1, top_p 1, top_k off, the
same logit bias on the stop token (sequence_bias), stop at that token. A sequence's tokens
count up to and including its stop token, as ours do.
argv: CHECKPOINT_DIR THREADS; stdin JSON {prompts, n, max_new, eos, pad, bias: [[id, value]], seed, repeats};
prints JSON {"runs": [{"secs": s, "tokens": t}, ...]}."""
import json
import sys
import time

import torch
from transformers import GenerationConfig, Qwen2_5_VLForConditionalGeneration

ckpt, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
req = json.load(sys.stdin)
model = Qwen2_5_VLForConditionalGeneration.from_pretrained(ckpt, dtype=torch.float32, attn_implementation="sdpa")
model.eval()
ids = torch.tensor(req["prompts"])
mask = torch.ones_like(ids)
eos, pad = req["eos"], req["pad"]
model.generation_config = GenerationConfig(
    do_sample=True, temperature=1.0, top_p=1.0, top_k=0, max_new_tokens=req["max_new"], num_return_sequences=req["n"],
    eos_token_id=eos, pad_token_id=pad, sequence_bias={(int(i),): float(v) for i, v in req["bias"]},
)


def once(seed):
    torch.manual_seed(seed)
    t0 = time.perf_counter()
    with torch.no_grad():
        out = model.generate(input_ids=ids, attention_mask=mask)
    secs = time.perf_counter() - t0
    new = out[:, ids.shape[1]:]
    tokens = 0
    for row in new.tolist():
        tokens += row.index(eos) + 1 if eos in row else len(row)
    return {"secs": secs, "tokens": tokens}


once(req["seed"])  # warm-up
print(json.dumps({"runs": [once(req["seed"] + 1 + r) for r in range(req["repeats"])]}))
