"""Oracle for chat-template rendering and <|image_pad|> expansion
(TypeScript: lib/tokenizer/chat_template.ts, lib/tokenizer/image_pad.ts).

stdin JSON: {"tokenizer_dir": str, "template": str,
  "cases": [{"messages": [...], "add_generation_prompt": bool,
             "image_sizes": [[W, H]] (optional), "min_pixels": int, "max_pixels": int}]}
stdout JSON: {"results": [{"text": str, "ids": [int], "text_ids": [int],
  "expanded_ids": [int] | null, "expanded_text": str | null, "grid_thw": [[t, h, w]] | null}]}

`text`/`ids` come from tokenizer.apply_chat_template (jinja2) with the given template.
The expansion comes from transformers' Qwen2_5_VLProcessor (PIL image processor) on blank
images of the given sizes; its video-processor class check is bypassed because torchvision
is not installed and no video is used.
"""

import json
import sys

import numpy as np
from PIL import Image
from transformers import AutoTokenizer, ProcessorMixin
from transformers.models.qwen2_5_vl.processing_qwen2_5_vl import Qwen2_5_VLProcessor
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil


def as_list(x):
    # apply_chat_template(tokenize=True) returns a BatchEncoding in transformers 5, a list in 4.x.
    if isinstance(x, dict) or hasattr(x, "keys"):
        x = x["input_ids"]
    return [int(v) for v in x]


def main() -> None:
    req = json.load(sys.stdin)
    tok = AutoTokenizer.from_pretrained(req["tokenizer_dir"])
    template = req["template"]
    ProcessorMixin.check_argument_for_proper_class = lambda self, *a, **k: None
    results = []
    for case in req["cases"]:
        msgs = case["messages"]
        gen = case.get("add_generation_prompt", False)
        text = tok.apply_chat_template(msgs, chat_template=template, tokenize=False, add_generation_prompt=gen)
        ids = as_list(tok.apply_chat_template(msgs, chat_template=template, tokenize=True, add_generation_prompt=gen))
        text_ids = tok(text, add_special_tokens=False)["input_ids"]
        res = {"text": text, "ids": ids, "text_ids": text_ids, "expanded_ids": None, "expanded_text": None, "grid_thw": None}
        sizes = case.get("image_sizes") or []
        if sizes:
            ip = Qwen2VLImageProcessorPil(min_pixels=case["min_pixels"], max_pixels=case["max_pixels"])
            proc = Qwen2_5_VLProcessor(image_processor=ip, tokenizer=tok, video_processor=None, chat_template=template)
            images = [Image.fromarray(np.zeros((h, w, 3), np.uint8)) for w, h in sizes]
            out = proc(text=[text], images=images)
            exp = [int(v) for v in out["input_ids"][0]]
            res["expanded_ids"] = exp
            res["expanded_text"] = tok.decode(exp, skip_special_tokens=False)
            res["grid_thw"] = np.asarray(out["image_grid_thw"]).tolist()
        results.append(res)
    json.dump({"results": results}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
