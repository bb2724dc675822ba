"""Peer for bench/dispatch.ts: PyTorch eager per-op cost on the same libtorch (ns per op).
Prints JSON {op: ns} for one run of each op."""
import json
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
N = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
a = torch.randn(8, 8)
b = torch.randn(8, 8)
idx = torch.tensor([0, 3, 5, 7])
cases = {
    "add": lambda: a + b,
    "add_scalar": lambda: a + 1.5,
    "matmul": lambda: a @ b,
    "softmax": lambda: a.softmax(-1),
    "index_select": lambda: a.index_select(0, idx),
    "narrow": lambda: a.narrow(0, 1, 4),
}
out = {}
for name, fn in cases.items():
    for _ in range(2000):
        fn()
    t = time.perf_counter_ns()
    for _ in range(N):
        fn()
    out[name] = (time.perf_counter_ns() - t) / N
json.dump(out, sys.stdout)
