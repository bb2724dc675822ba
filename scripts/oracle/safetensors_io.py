"""Oracle for safetensors compatibility.

argv[1] = "write DIR": writes DIR/py.safetensors with known tensors (all dtypes) and prints their values.
argv[1] = "read FILE": prints every tensor of FILE (values as float64/int64 lists, dtype, shape) and metadata.
argv[1] = "resave FILE OUT": loads FILE with safetensors.torch and saves it to OUT (for byte comparison).
"""
import json
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file


def describe(t):
    v = t.to(torch.float64) if t.is_floating_point() else t.to(torch.int64)
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "data": v.reshape(-1).tolist()}


cmd = sys.argv[1]
if cmd == "write":
    g = torch.Generator().manual_seed(0)
    ts = {
        "f32": torch.randn(3, 4, generator=g),
        "f64": torch.randn(5, generator=g, dtype=torch.float64),
        "bf16": torch.randn(2, 3, generator=g).to(torch.bfloat16),
        "f16": torch.randn(4, generator=g).to(torch.float16),
        "i64": torch.arange(-3, 3, dtype=torch.int64).reshape(2, 3),
        "i32": torch.arange(4, dtype=torch.int32),
        "u8": torch.arange(250, 256, dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(1.5),
        "empty": torch.zeros(0, 3),
    }
    save_file(ts, sys.argv[2] + "/py.safetensors", metadata={"format": "pt", "note": "oracle"})
    json.dump({k: describe(v) for k, v in ts.items()}, sys.stdout)
elif cmd == "read":
    out = {k: describe(v) for k, v in load_file(sys.argv[2]).items()}
    with safe_open(sys.argv[2], "pt") as f:
        meta = f.metadata()
    json.dump({"tensors": out, "metadata": meta}, sys.stdout)
elif cmd == "resave":
    with safe_open(sys.argv[2], "pt") as f:
        meta = f.metadata()
    save_file(load_file(sys.argv[2]), sys.argv[3], metadata=meta)
    json.dump({"ok": True}, sys.stdout)
