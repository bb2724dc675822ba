#!/usr/bin/env bash
# The TRL peer of bench/grpo_step.ts: a venv in the repo root (.venv-trl) on top of the system
# torch 2.11 and transformers 5.24, with TRL 1.16 and the torchvision its Qwen2.5-VL processor
# path needs (0.26.0 matches torch 2.11).
#   bash bench/setup_trl.sh            then   OMP_NUM_THREADS=2 npx tsx bench/grpo_step.ts
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv-trl/bin/python ] || python3 -m venv --system-site-packages .venv-trl
.venv-trl/bin/pip install trl==1.16.0 torchvision==0.26.0
.venv-trl/bin/python -c 'import torch, transformers, trl, torchvision; print("torch", torch.__version__, "transformers", transformers.__version__, "trl", trl.__version__, "torchvision", torchvision.__version__)'
