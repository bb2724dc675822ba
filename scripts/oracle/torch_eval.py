"""Oracle for the op tests: evaluates PyTorch expressions on given inputs.

stdin: {"cases": [{"expr": "torch.matmul(x0, x1)", "inputs": [{"data": [...], "shape": [...],
        "dtype": "float64"}], "grad": true, "upstream": [[...], ...] | null}]}
stdout: {"results": [{"outs": [{"data", "shape", "dtype"}], "grads": [[...] | null]} | {"error": str}]}

With grad, the loss is sum_k sum(out_k * upstream_k) (upstream = given weights), so the
input gradients are comparable to the ones the TS side computes the same way.
"""
import json
import sys

import torch
import torch.nn.functional as F  # noqa: F401  (used inside expressions)

torch.set_num_threads(1)

DT = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16,
      "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool}
NAME = {v: k for k, v in DT.items()}


def to_tensor(spec):
    t = torch.tensor(spec["data"], dtype=torch.float64).reshape(spec["shape"]).to(DT[spec["dtype"]])
    if spec.get("requires_grad"):
        t.requires_grad_(True)
    return t


def out_spec(t):
    t = t.detach()
    dtype = NAME[t.dtype]
    v = t.to(torch.float64) if t.dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64) else t.to(torch.int64)
    if t.dtype == torch.bool:
        v = t.to(torch.int64)
    return {"data": v.reshape(-1).tolist(), "shape": list(t.shape), "dtype": dtype}


def run(case):
    xs = [to_tensor(s) for s in case["inputs"]]
    env = {"torch": torch, "F": F, "math": __import__("math")}
    for i, x in enumerate(xs):
        env[f"x{i}"] = x
    out = eval(case["expr"], env)  # the expression is test code of this repository
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    res = {"outs": [out_spec(o) for o in outs]}
    if case.get("grad"):
        loss = 0
        for o, up in zip(outs, case["upstream"]):
            if o.is_floating_point() and o.requires_grad:
                loss = loss + (o * torch.tensor(up, dtype=torch.float64).reshape(o.shape).to(o.dtype)).sum()
        loss.backward()
        res["grads"] = [x.grad.to(torch.float64).reshape(-1).tolist() if x.grad is not None else None for x in xs]
    return res


def main():
    req = json.load(sys.stdin)
    results = []
    for case in req["cases"]:
        try:
            results.append(run(case))
        except Exception as e:  # reported per case so one bad case does not hide the rest
            results.append({"error": f"{type(e).__name__}: {e}"})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
