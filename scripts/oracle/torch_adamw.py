"""Oracle for the optimizer tests: torch.optim.AdamW trajectories and clip_grad_norm_.

stdin: {"params": [{"data": [...], "shape": [...]}], "groups": [{"idx": [0, 1], "lr", "weight_decay", "betas", "eps"}],
        "grads": [[[...] per param] per step], "clip": null | max_norm}
stdout: {"params": [[...] per param after every step], "norms": [...]} (float64 throughout)
"""
import json
import sys

import torch

torch.set_num_threads(1)
req = json.load(sys.stdin)
params = [torch.tensor(p["data"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True) for p in req["params"]]
groups = [{"params": [params[i] for i in g["idx"]], "lr": g["lr"], "weight_decay": g["weight_decay"], "betas": tuple(g["betas"]), "eps": g["eps"]}
          for g in req["groups"]]
opt = torch.optim.AdamW(groups, foreach=False)
traj, norms = [], []
for step_grads in req["grads"]:
    for p, g in zip(params, step_grads):
        p.grad = torch.tensor(g, dtype=torch.float64).reshape(p.shape)
    if req.get("clip") is not None:
        norms.append(float(torch.nn.utils.clip_grad_norm_(params, req["clip"])))
    opt.step()
    opt.zero_grad()
    traj.append([p.detach().reshape(-1).tolist() for p in params])
json.dump({"params": traj, "norms": norms}, sys.stdout)
