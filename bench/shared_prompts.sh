#!/usr/bin/env bash
# The GRPO step with worker.actor.share_prompts on and off, alternating processes, on the main
# job's recipe (configs/world_train_b32.yaml: 32 prompts x 8 samples) from a world SFT model.
# Prints, per side, the median over rounds of each run's median phase seconds (first step of
# each run left out), with the range over rounds.
#   bash bench/shared_prompts.sh RUN_DIR [rounds=3] [steps=8]
# RUN_DIR is a `vsr1 pipeline` output folder (its world/ and sft/latest_model).
set -euo pipefail
run=${1:?usage: bash bench/shared_prompts.sh RUN_DIR [rounds] [steps]}
rounds=${2:-3}
steps=${3:-8}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$rounds"); do
  for side in true false; do
    node "$here/dist/lib/cli/main.js" train "$here/configs/world_train_b32.yaml" \
      data.train_files="$run/world/rl.jsonl" data.val_files="$run/world/val.jsonl" \
      worker.actor.model.model_path="$run/sft/latest_model" trainer.save_checkpoint_path="$tmp/$side-$r" \
      trainer.max_steps="$steps" trainer.val_before_train=false trainer.val_freq=-1 trainer.save_freq=-1 \
      'trainer.logger=[jsonl]' worker.actor.share_prompts=$side > "$tmp/$side-$r.log" 2>&1
  done
done
python3 - "$tmp" "$rounds" <<'PY'
import json, statistics as st, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
keys = ('rollout', 'pass2', 'logprobs', 'update', 'step')
med = {}
for side in ('true', 'false'):
    runs = []
    for r in range(1, rounds + 1):
        rows = [json.loads(l) for l in open(f'{tmp}/{side}-{r}/metrics.jsonl')]
        rows = [x for x in rows if 'timing_s/step' in x][1:]
        runs.append({k: st.median(x['timing_s/' + k] for x in rows) for k in keys})
    med[side] = {k: st.median(x[k] for x in runs) for k in keys}
    print(f'share_prompts={side:5}  ' + '  '.join(f'{k} {med[side][k]:.3f} ({min(x[k] for x in runs):.3f}-{max(x[k] for x in runs):.3f})' for k in keys))
print('on/off: ' + '  '.join(f'{k} {med["true"][k] / med["false"][k]:.3f}' for k in keys))
PY
