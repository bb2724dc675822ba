"""Oracle for the tokenizer wrapper (TypeScript: lib/tokenizer/tokenizer.ts).

stdin JSON: {"tokenizer_dir": str, "texts": [str], "decode": [{"ids": [int]}]}
stdout JSON: {"encode_tokenizers": [[int]], "encode_transformers": [[int]],
  "decode": [{"plain": str, "skip": str}], "special_ids": {token: id}, "eos_id": int, "pad_id": int}

Encodes with both the Rust `tokenizers` library (tokenizer.json only) and transformers'
AutoTokenizer (tokenizer.json + tokenizer_config.json); decodes with transformers.
"""

import json
import os
import sys

from tokenizers import Tokenizer
from transformers import AutoTokenizer


def main() -> None:
    req = json.load(sys.stdin)
    d = req["tokenizer_dir"]
    raw = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    hf = AutoTokenizer.from_pretrained(d)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]
    out = {
        "encode_tokenizers": [raw.encode(t, add_special_tokens=True).ids for t in req["texts"]],
        "encode_transformers": [hf(t, add_special_tokens=True)["input_ids"] for t in req["texts"]],
        "decode": [
            {
                "plain": hf.decode(x["ids"], skip_special_tokens=False),
                "skip": hf.decode(x["ids"], skip_special_tokens=True),
            }
            for x in req["decode"]
        ],
        "special_ids": {s: hf.convert_tokens_to_ids(s) for s in specials},
        "eos_id": hf.eos_token_id,
        "pad_id": hf.pad_token_id,
    }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
