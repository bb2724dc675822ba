"""Reference GRPO math in torch, written from docs/method.md, "GRPO advantage", "Policy update" and "Multi-reward variant", and EasyR1 semantics.

Independent of lib/grpo (the TypeScript under test): plain torch, float64, following the
formulas of the method text.

stdin: {"cases": [case, ...]}; each case has "op":
  "advantages": scores, group_ids, eps, unbiased, norm_by_std, singleton -> {"advantages"}
  "kl": log_probs, ref_log_probs (tensors), type, clamp_log_diff -> {"kl", "grad"} (grad of kl.sum())
  "loss": log_probs, old_log_probs, ref_log_probs|null, advantages, mask (tensors), clip {low, high, dual,
          clamp_log_ratio}, kl {coef, type, clamp_log_diff}|null, aggregation, context
          -> {"loss", "grad", "pg_losses", "metrics"}
  "multi": like "loss" but "channels": [{name, advantages, mask|null, weight, kl_coef}] instead of advantages
          -> {"loss", "grad", "metrics"}
A tensor is {"data": [flat], "shape": [...]}. stdout: {"results": [...]}; non-finite floats are
written as the strings "NaN", "Infinity", "-Infinity" (JSON has no NaN).
"""
import json
import math
import sys

import torch

torch.set_num_threads(1)
F64 = torch.float64


def T(x, grad=False):
    t = torch.tensor(x["data"], dtype=F64).reshape(x["shape"])
    return t.requires_grad_(grad)


def enc(v):
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def flat(t):
    return enc(t.detach().reshape(-1).tolist())


# ---- advantage, docs/method.md, "GRPO advantage" ---------------------------------------------------------------------------
def advantages(c):
    scores = torch.tensor(c["scores"], dtype=F64)
    eps = c.get("eps", 1e-6)
    out = torch.zeros_like(scores)
    groups = {}
    for i, g in enumerate(c["group_ids"]):
        groups.setdefault(g, []).append(i)
    for g, idx in groups.items():
        s = scores[idx]
        if len(idx) == 1:
            mode = c.get("singleton", "error")
            if mode == "error":
                raise ValueError(f"group {g} has one sample")
            if mode == "verl":  # verl: mean 0, std 1
                out[idx] = (s - 0.0) / (1.0 + eps) if c.get("norm_by_std", True) else s
            continue
        if bool(torch.all(s == s[0])):
            continue  # docs/method.md, "GRPO advantage": all equal -> A = 0
        mu = torch.mean(s)
        sigma = torch.std(s, correction=1 if c.get("unbiased", True) else 0)
        out[idx] = (s - mu) / (sigma + eps) if c.get("norm_by_std", True) else s - mu
    return {"advantages": out.tolist()}


# ---- KL, docs/method.md, "KL loss" --------------------------------------------------------------------------------
def kl_tokens(logp, ref, kind, clamp_log_diff=None):
    if kind == "kl":
        return logp - ref
    if kind == "abs":
        return (logp - ref).abs()
    if kind == "mse":
        return 0.5 * (logp - ref) ** 2
    if kind == "low_var_kl":
        x = ref - logp
        if clamp_log_diff is not None:
            x = torch.clamp(x, -clamp_log_diff, clamp_log_diff)
        return torch.clamp(torch.exp(x) - x - 1, -10.0, 10.0)
    raise ValueError(kind)


def kl_case(c):
    logp = T(c["log_probs"], True)
    k = kl_tokens(logp, T(c["ref_log_probs"]), c["type"], c.get("clamp_log_diff"))
    k.sum().backward()
    return {"kl": flat(k), "grad": flat(logp.grad)}


# ---- PPO clip / dual clip, docs/method.md, "PPO loss" --------------------------------------------------------------
def masked_mean(v, m, dim=None):
    if dim is None:
        return (v * m).sum() / (m.sum() + 1e-8)
    return (v * m).sum(dim) / (m.sum(dim) + 1e-8)


def ppo_tokens(logp, old, adv, clip):
    delta = logp - old
    cl = clip.get("clamp_log_ratio")
    rho = torch.exp(delta if cl is None else torch.clamp(delta, -cl, cl))
    rho_hat = torch.exp(torch.clamp(delta, math.log(1 - clip["low"]), math.log(1 + clip["high"])))
    l1, l2 = -adv * rho, -adv * rho_hat
    lclip = torch.maximum(l1, l2)
    if clip.get("dual") is None:
        return lclip, delta, l1, l2, None, lclip
    l3 = -adv * clip["dual"]
    return torch.where(adv < 0, torch.minimum(lclip, l3), lclip), delta, l1, l2, l3, lclip


def ppo_metrics(delta, l1, l2, l3, lclip, adv, mask, clip):
    with torch.no_grad():
        f = lambda b: masked_mean(b.to(F64), mask).item()
        return {
            "pg_clipfrac_higher": f(l1 < l2),
            "pg_clipfrac_lower": 0.0 if l3 is None else f((lclip > l3) & (adv < 0)),
            "ratio_clipfrac_high": f((adv > 0) & (torch.exp(delta) > 1 + clip["high"])),
            "ratio_clipfrac_low": f((adv < 0) & (torch.exp(delta) < 1 - clip["low"])),
            "ppo_kl": masked_mean(-delta, mask).item(),
        }


# ---- aggregation, docs/method.md, "Loss aggregation" -------------------------------------------------------------------
def reduce(v, m, mode):
    if mode in ("micro-token-mean", "token"):
        return masked_mean(v, m)
    if mode == "seq-mean-token-mean":
        return masked_mean(v, m, -1).mean()
    if mode == "seq-mean-token-sum":
        return (v * m).sum(-1).mean()
    raise ValueError(mode)


def scale(mode, ctx, m):
    if mode == "token":
        micro = ctx["microTokens"] if ctx.get("microTokens") is not None else m.sum().item()
        return micro * ctx.get("worldSize", 1) / ctx["globalTokens"]
    return 1.0 / ctx["gradAccum"]


def adv_of(x, shape):
    a = T(x)
    return a.unsqueeze(-1) if a.dim() == 1 else a


def loss_case(c):
    logp = T(c["log_probs"], True)
    old, mask = T(c["old_log_probs"]), T(c["mask"])
    adv = adv_of(c["advantages"], logp.shape)
    mode, ctx = c.get("aggregation", "micro-token-mean"), c["context"]
    L, delta, l1, l2, l3, lclip = ppo_tokens(logp, old, adv, c["clip"])
    pg = reduce(L, mask, mode)
    total = pg
    metrics = ppo_metrics(delta, l1, l2, l3, lclip, adv, mask, c["clip"])
    metrics["pg_loss"] = pg.item()
    if c.get("kl"):
        k = reduce(kl_tokens(logp, T(c["ref_log_probs"]), c["kl"]["type"], c["kl"].get("clamp_log_diff")), mask, mode)
        total = pg + c["kl"]["coef"] * k
        metrics["kl_loss"] = k.item()
    loss = total * scale(mode, ctx, mask)
    loss.backward()
    metrics.update(total_loss=total.item(), loss=loss.item(), entropy_loss=-masked_mean(logp, mask).item(),
                   response_tokens=mask.sum().item())
    return {"loss": enc(loss.item()), "grad": flat(logp.grad), "pg_losses": flat(L), "metrics": {k: enc(v) for k, v in metrics.items()}}


# ---- multi-reward, docs/method.md, "Multi-reward loss" ----------------------------------------------------------------
def multi_case(c):
    logp = T(c["log_probs"], True)
    old, mask = T(c["old_log_probs"]), T(c["mask"])
    ref = T(c["ref_log_probs"]) if c.get("ref_log_probs") else None
    mode, ctx = c.get("aggregation", "micro-token-mean"), c["context"]
    metrics, loss, pg_sum, total = {}, 0.0, 0.0, 0.0
    for ch in c["channels"]:
        m = T(ch["mask"]) if ch.get("mask") else mask
        adv = adv_of(ch["advantages"], logp.shape)
        L, delta, l1, l2, l3, lclip = ppo_tokens(logp, old, adv, c["clip"])
        for k, v in ppo_metrics(delta, l1, l2, l3, lclip, adv, m, c["clip"]).items():
            metrics[f"{ch['name']}/{k}"] = v
        pg = reduce(L, m, mode)
        metrics[f"{ch['name']}/pg_loss"] = pg.item()
        term = ch.get("weight", 1.0) * pg
        pg_sum = pg_sum + term
        if ch.get("kl_coef"):
            k = reduce(kl_tokens(logp, ref, c["kl"]["type"], c["kl"].get("clamp_log_diff")), m, mode)
            metrics[f"{ch['name']}/kl_loss"] = k.item()
            term = term + ch["kl_coef"] * k
        total = total + term
        loss = loss + term * scale(mode, ctx, m)
    metrics["pg_loss"] = pg_sum.item()
    if c.get("kl") and c["kl"]["coef"] != 0:
        k = reduce(kl_tokens(logp, ref, c["kl"]["type"], c["kl"].get("clamp_log_diff")), mask, mode)
        metrics["kl_loss"] = k.item()
        total = total + c["kl"]["coef"] * k
        loss = loss + c["kl"]["coef"] * k * scale(mode, ctx, mask)
    loss.backward()
    metrics.update(total_loss=total.item(), loss=loss.item())
    return {"loss": enc(loss.item()), "grad": flat(logp.grad), "metrics": {k: enc(v) for k, v in metrics.items()}}


OPS = {"advantages": advantages, "kl": kl_case, "loss": loss_case, "multi": multi_case}
req = json.load(sys.stdin)
json.dump({"results": [OPS[c["op"]](c) for c in req["cases"]]}, sys.stdout)
