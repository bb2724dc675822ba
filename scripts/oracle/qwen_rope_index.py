"""Oracle for Qwen2.5-VL 3D rope position ids (TypeScript: lib/models/qwen2_5_vl/rope_index.ts).

stdin JSON: {"cases": [{"input_ids": [[int]], "attention_mask": [[int]] | null,
                        "image_grid_thw": [[t, h, w]]}]}
stdout JSON: {"results": [{"position_ids": [3][B][L], "rope_deltas": [B]}]}

Calls transformers' Qwen2_5_VLModel.get_rope_index on a tiny randomly initialised model
(the method only reads the config). mm_token_type_ids (needed by transformers 5) marks the
<|image_pad|> tokens.
"""

import json
import sys

import torch
from transformers import Qwen2_5_VLConfig
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VLModel

IMAGE_PAD = 151655


def tiny_model() -> Qwen2_5_VLModel:
    cfg = Qwen2_5_VLConfig(
        text_config=dict(
            hidden_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=1,
            intermediate_size=32,
            vocab_size=151936,
            rope_parameters={"rope_type": "default", "mrope_section": [2, 1, 1], "rope_theta": 10000.0},
        ),
        vision_config=dict(depth=1, hidden_size=16, num_heads=2, intermediate_size=32, out_hidden_size=16, spatial_merge_size=2, fullatt_block_indexes=[0]),
        image_token_id=IMAGE_PAD,
        video_token_id=151656,
        vision_start_token_id=151652,
    )
    return Qwen2_5_VLModel(cfg).eval()


def main() -> None:
    req = json.load(sys.stdin)
    torch.manual_seed(0)
    model = tiny_model()
    results = []
    for case in req["cases"]:
        ids = torch.tensor(case["input_ids"], dtype=torch.long)
        mask = case.get("attention_mask")
        mask = torch.tensor(mask, dtype=torch.long) if mask is not None else None
        grid = case.get("image_grid_thw") or None
        grid = torch.tensor(grid, dtype=torch.long) if grid else None
        mm = (ids == IMAGE_PAD).int()
        with torch.no_grad():
            pos, deltas = model.get_rope_index(ids, mm_token_type_ids=mm, image_grid_thw=grid, attention_mask=mask)
        results.append({"position_ids": pos.tolist(), "rope_deltas": deltas.reshape(-1).tolist()})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
