#!/usr/bin/env bash
# The GPU check, one bounded script for the bare GPU machine (no Node, no npm, no network): prints
# what it relies on, unpacks node and the production node_modules, builds the addon with plain
# cmake against the machine's torch, then runs bench/gpu_check (ops and AdamW on cuda:0 against
# the CPU path, a profiler trace with CUDA kernels, runSft and runGrpo on a tiny world with
# trainer.device=cuda, and one GRPO step of a random-weight Qwen2.5-VL-3B-shaped model in bf16
# through the trainer's functions, packed and checkpointed, with seconds, tokens/s and peak
# memory per phase). Results go to $OUT.
# Needs the carried folders from scripts/gpu-prepare.sh (.gpu/ and dist/).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-results}
DEVICE=${VSR1_GPU_DEVICE:-cuda:0}
PRESET=${VSR1_GPU_PRESET:-3b}
mkdir -p "$OUT"
{
  nvidia-smi || true
  g++ --version | head -1
  cmake --version | head -1
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
} 2>&1 | tee "$OUT/env.txt"
mkdir -p .gpu/bin
xz -dc .gpu/node.xz > .gpu/bin/node && chmod +x .gpu/bin/node
[ -d node_modules ] || xz -dc .gpu/node_modules.tar.xz | tar -xf -
.gpu/bin/node --version | tee -a "$OUT/env.txt"
TORCH_ROOT=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
ABI=$(python3 -c 'import torch;print(int(torch.compiled_with_cxx11_abi()))')
GEN=""; command -v ninja >/dev/null && GEN="-G Ninja"
start=$(date +%s)
VSR1_NCCL=1 cmake -S . -B build-gpu $GEN -DCMAKE_BUILD_TYPE=Release -DTORCH_ROOT="$TORCH_ROOT" -DVSR1_CXX11_ABI="$ABI" \
  -DCMAKE_JS_INC="$PWD/.gpu/napi-include;$PWD/.gpu/node-addon-api" > "$OUT/build.log" 2>&1 &&
  cmake --build build-gpu -j "$(nproc)" >> "$OUT/build.log" 2>&1
status=$?
echo "build: exit $status in $(( $(date +%s) - start )) s" | tee -a "$OUT/env.txt"
[ $status -eq 0 ] || { tail -30 "$OUT/build.log"; exit 1; }
export VSR1_ADDON="$PWD/build-gpu/vsr1.node"
timeout "${VSR1_GPU_TIMEOUT:-360}" .gpu/bin/node dist/bench/gpu_check.js --device "$DEVICE" --preset "$PRESET" --out "$OUT" > "$OUT/gpu_check.log" 2>&1
status=$?
tail -60 "$OUT/gpu_check.log"
echo "gpu_check: exit $status"
exit $status
