#!/usr/bin/env python3
"""Oracle: the Rust `tokenizers` library (and transformers' fast tokenizer) on the tiny
word-level tokenizer (lib/world/tiny_tokenizer.ts), to check the file is a valid HF tokenizer
and that encode/decode agree with @huggingface/tokenizers.

stdin JSON: {"dir": checkpoint or tokenizer folder, "texts": [str, ...], "decode": [[id, ...], ...]}
stdout JSON: {"encode": [[id, ...], ...], "decode": [str, ...], "decode_skip": [str, ...],
              "hf_encode": [[id, ...], ...], "hf_decode_skip": [str, ...]}
"""
import json
import os
import sys

from tokenizers import Tokenizer
from transformers import PreTrainedTokenizerFast


def main() -> None:
    req = json.load(sys.stdin)
    tok = Tokenizer.from_file(os.path.join(req["dir"], "tokenizer.json"))
    hf = PreTrainedTokenizerFast.from_pretrained(req["dir"])
    texts = req.get("texts", [])
    ids = req.get("decode", [])
    print(json.dumps({
        "encode": [tok.encode(t).ids for t in texts],
        "decode": [tok.decode(i, skip_special_tokens=False) for i in ids],
        "decode_skip": [tok.decode(i, skip_special_tokens=True) for i in ids],
        "hf_encode": [hf(t, add_special_tokens=True)["input_ids"] for t in texts],
        "hf_decode_skip": [hf.decode(i, skip_special_tokens=True) for i in ids],
    }))


if __name__ == "__main__":
    main()
