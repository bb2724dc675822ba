"""Oracle for the Qwen2.5-VL model (TypeScript: lib/models/qwen2_5_vl/model.ts).

Subcommands (JSON on stdin where inputs are needed, JSON on stdout):

  make OUTDIR --seed S [--preset tiny|tiny-untied|tiny-gqa]
      Builds a tiny random Qwen2_5_VLForConditionalGeneration and writes three copies of it:
        OUTDIR/hf           transformers' own save_pretrained (nested text_config/vision_config)
        OUTDIR/module-keys  the same weights under the in-memory module paths
                            (model.language_model.*, model.visual.*), as a raw state_dict dump has them
        OUTDIR/hub          hub-style flat config.json (rope_scaling {type: mrope}) and a sharded
                            checkpoint (model.safetensors.index.json), like Qwen/Qwen2.5-VL-*-Instruct
      Each copy has generation_config.json and preprocessor_config.json. Prints the config, the
      key layout transformers wrote, the weight names/shapes and a self-check (HF reloads every
      copy and must give the in-memory model's logits).

  forward DIR [--attn sdpa|eager]
      stdin {input_ids [[int]], attention_mask?, position_ids? [3][B][L], pixel_values? (flat list),
             pixel_values_shape? [N, 1176], image_grid_thw? [[t,h,w]],
             positions?: "rope_index" (default) | "model"}, or {cases: [such objects]}
      With positions "rope_index" and no position_ids given, positions come from
      model.model.get_rope_index(input_ids, mm_token_type_ids, grid, attention_mask) and are passed
      explicitly (what verl does). "model" lets HF pick: with images it calls get_rope_index
      itself (same ids); text-only it uses 0..L-1 whatever the mask says (same logits, since a
      per-row shift of every position cancels in RoPE, but other position ids).
      stdout {logits (flat, non-finite -> null), shape [B,L,V], position_ids [3][B][L],
              rope_deltas [B], nonfinite}, or {results: [...]} for cases

  generate DIR [--attn sdpa|eager]
      stdin {prompts [[int]] (unpadded), pixel_values?, pixel_values_shape?, image_grid_thw?,
             max_new_tokens, stop_token_ids? [int]}  (absent/null: generation_config.json eos ids,
             as HF does by default; []: never stop early)
      Greedy HF generate, one prompt at a time (batch 1: no padding). Images are handed to
      prompts in order: a prompt takes one grid per run of image-pad tokens it holds.
      stdout {sequences [[int]] (new tokens only, a stop token included), log_probs [[float]]
              (log-softmax of the chosen token), margins [[float]] (top1 - top2 logit gap per step,
              to judge tie risk), min_margin [float] per prompt, rope_deltas [[int]]}

  bench DIR
      stdin (optional) {prompt_len: 64, max_new_tokens: 32, batches: [1, 16], repeats: 3}
      HF generate throughput (greedy, min_new_tokens = max_new_tokens) and prefill time.

  corrupt SRC DST (--drop KEY | --reshape KEY | --model-type NAME)
      Copies checkpoint folder SRC to DST with one defect, for the loader's bad-input tests.

  keys DIR
      Weight names, shapes and dtypes of a checkpoint folder (single file or sharded).

Threads: torch.set_num_threads(OMP_NUM_THREADS or 2).
"""

import argparse
import json
import math
import os
import shutil
import sys
import time

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import GenerationConfig, Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration
from transformers.utils import logging as hf_logging

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or 2))
hf_logging.disable_progress_bar()

# Token ids of the tiny vocabulary (Qwen's real ids do not fit a 512 vocab).
VOCAB = 512
IMAGE_PAD = 500
VIDEO_PAD = 501
VISION_START = 502
VISION_END = 503
IM_END = 510  # plays <|im_end|>
END_OF_TEXT = 511  # plays <|endoftext|> (bos / pad)

PRESETS = {
    # 4 heads / 2 kv heads (GQA group 2), tied lm_head.
    "tiny": dict(hidden=64, layers=2, heads=4, kv=2, inter=128, tied=True),
    # separate lm_head.weight, one more layer.
    "tiny-untied": dict(hidden=64, layers=3, heads=4, kv=2, inter=128, tied=False),
    # 6 heads / 2 kv heads (group 3, not a power of two), head_dim 16 still.
    "tiny-gqa": dict(hidden=96, layers=2, heads=6, kv=2, inter=160, tied=True),
}

QWEN_IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073]
QWEN_IMAGE_STD = [0.26862954, 0.26130258, 0.27577711]


def out(obj) -> None:
    json.dump(obj, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")


def fail(msg: str) -> None:
    sys.stderr.write(f"qwen_model.py: {msg}\n")
    sys.exit(2)


# ---------------------------------------------------------------------------------------------
# make


def build_config(preset: str) -> Qwen2_5_VLConfig:
    p = PRESETS[preset]
    head_dim = p["hidden"] // p["heads"]
    assert head_dim == 16, "mrope_section [2, 3, 3] needs head_dim 16"
    return Qwen2_5_VLConfig(
        text_config=dict(
            vocab_size=VOCAB,
            hidden_size=p["hidden"],
            intermediate_size=p["inter"],
            num_hidden_layers=p["layers"],
            num_attention_heads=p["heads"],
            num_key_value_heads=p["kv"],
            hidden_act="silu",
            max_position_embeddings=4096,
            rms_norm_eps=1e-6,
            rope_parameters={"rope_type": "default", "mrope_section": [2, 3, 3], "rope_theta": 1000000.0},
            bos_token_id=END_OF_TEXT,
            eos_token_id=IM_END,
            pad_token_id=None,
        ),
        vision_config=dict(
            depth=4,
            hidden_size=32,
            intermediate_size=64,
            num_heads=2,
            in_channels=3,
            patch_size=14,
            temporal_patch_size=2,
            spatial_merge_size=2,
            # window_size // merge // patch = 2: windows of 2x2 merged tokens.
            window_size=56,
            fullatt_block_indexes=[1, 3],
            out_hidden_size=p["hidden"],
            hidden_act="silu",
            tokens_per_second=2,
        ),
        image_token_id=IMAGE_PAD,
        video_token_id=VIDEO_PAD,
        vision_start_token_id=VISION_START,
        vision_end_token_id=VISION_END,
        tie_word_embeddings=p["tied"],
    )


def init_weights(model: torch.nn.Module, seed: int) -> None:
    """Normal(0, 0.2) everywhere (biases too); norm weights 1 + N(0, 0.1) so a skipped norm
    weight changes the output. Iterates in name order so the result only depends on the seed.
    With std 0.02 (HF's default) or 0.1 the tiny model's logits are nearly flat and greedy
    decoding repeats one token; 0.2 gives varied tokens and top1-top2 gaps well above fp32 noise."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters(), key=lambda kv: kv[0]):
            noise = torch.randn(p.shape, generator=g, dtype=torch.float32)
            is_norm = p.ndim == 1 and ("norm" in name or "ln_q" in name)
            p.copy_(1.0 + 0.1 * noise if is_norm else 0.2 * noise)


def hub_flat_config(cfg: Qwen2_5_VLConfig) -> dict:
    """config.json as the original Qwen2.5-VL hub checkpoints have it: text fields at the top
    level, rope_scaling {type: mrope}, rope_theta top level, vision in_chans."""
    t, v = cfg.text_config, cfg.vision_config
    return {
        "architectures": ["Qwen2_5_VLForConditionalGeneration"],
        "attention_dropout": 0.0,
        "bos_token_id": t.bos_token_id,
        "eos_token_id": t.eos_token_id,
        "vision_start_token_id": cfg.vision_start_token_id,
        "vision_end_token_id": cfg.vision_end_token_id,
        "vision_token_id": 499,
        "image_token_id": cfg.image_token_id,
        "video_token_id": cfg.video_token_id,
        "hidden_act": t.hidden_act,
        "hidden_size": t.hidden_size,
        "initializer_range": 0.02,
        "intermediate_size": t.intermediate_size,
        "max_position_embeddings": t.max_position_embeddings,
        "max_window_layers": t.num_hidden_layers,
        "model_type": "qwen2_5_vl",
        "num_attention_heads": t.num_attention_heads,
        "num_hidden_layers": t.num_hidden_layers,
        "num_key_value_heads": t.num_key_value_heads,
        "rms_norm_eps": t.rms_norm_eps,
        "rope_theta": t.rope_parameters["rope_theta"],
        "sliding_window": 32768,
        "tie_word_embeddings": cfg.tie_word_embeddings,
        "torch_dtype": "float32",
        "transformers_version": "4.41.2",
        "use_cache": True,
        "use_sliding_window": False,
        "vision_config": {
            "depth": v.depth,
            "hidden_act": v.hidden_act,
            "hidden_size": v.hidden_size,
            "intermediate_size": v.intermediate_size,
            "num_heads": v.num_heads,
            "in_chans": v.in_channels,
            "out_hidden_size": v.out_hidden_size,
            "patch_size": v.patch_size,
            "spatial_merge_size": v.spatial_merge_size,
            "spatial_patch_size": v.patch_size,
            "window_size": v.window_size,
            "fullatt_block_indexes": list(v.fullatt_block_indexes),
            "tokens_per_second": v.tokens_per_second,
            "temporal_patch_size": v.temporal_patch_size,
        },
        "rope_scaling": {"type": "mrope", "mrope_section": list(t.rope_parameters["mrope_section"])},
        "vocab_size": t.vocab_size,
    }


def write_side_files(d: str) -> None:
    # Qwen's real generation_config uses sampling defaults; greedy here keeps `generate` simple.
    with open(os.path.join(d, "generation_config.json"), "w") as f:
        json.dump(
            {
                "bos_token_id": END_OF_TEXT,
                "pad_token_id": END_OF_TEXT,
                "eos_token_id": [IM_END, END_OF_TEXT],
                "do_sample": False,
                "transformers_version": "5.24.0",
            },
            f,
            indent=2,
        )
    with open(os.path.join(d, "preprocessor_config.json"), "w") as f:
        json.dump(
            {
                "min_pixels": 3136,
                "max_pixels": 12845056,
                "patch_size": 14,
                "temporal_patch_size": 2,
                "merge_size": 2,
                "image_mean": QWEN_IMAGE_MEAN,
                "image_std": QWEN_IMAGE_STD,
                "image_processor_type": "Qwen2VLImageProcessor",
                "processor_class": "Qwen2_5_VLProcessor",
            },
            f,
            indent=2,
        )


def weight_files(d: str) -> list:
    idx = os.path.join(d, "model.safetensors.index.json")
    if os.path.exists(idx):
        with open(idx) as f:
            return sorted(set(json.load(f)["weight_map"].values()))
    if os.path.exists(os.path.join(d, "model.safetensors")):
        return ["model.safetensors"]
    fail(f"{d}: no model.safetensors or model.safetensors.index.json")


def read_state(d: str) -> dict:
    state = {}
    for fn in weight_files(d):
        with safe_open(os.path.join(d, fn), "pt") as f:
            for k in f.keys():
                state[k] = f.get_tensor(k)
    return state


def key_list(d: str) -> list:
    rows = []
    for fn in weight_files(d):
        with safe_open(os.path.join(d, fn), "pt") as f:
            for k in f.keys():
                sl = f.get_slice(k)
                rows.append({"name": k, "shape": list(sl.get_shape()), "dtype": sl.get_dtype(), "file": fn})
    return sorted(rows, key=lambda r: r["name"])


def to_module_key(k: str) -> str:
    if k.startswith("visual."):
        return "model." + k
    if k.startswith("model."):
        return "model.language_model." + k[len("model.") :]
    return k


def layout_of(names) -> str:
    if any(n.startswith("model.language_model.") for n in names):
        return "module (model.language_model.*, model.visual.*)"
    if any(n.startswith("model.layers.") for n in names) and any(n.startswith("visual.") for n in names):
        return "legacy hub (model.layers.*, model.embed_tokens, model.norm, visual.*, lm_head)"
    return "unknown"


def load(d: str, attn: str = "sdpa") -> Qwen2_5_VLForConditionalGeneration:
    """from_pretrained, refusing any missing / unexpected / mismatched key (HF would otherwise
    silently initialise missing weights at random and the oracle would compare against noise)."""
    model, info = Qwen2_5_VLForConditionalGeneration.from_pretrained(
        d, dtype=torch.float32, attn_implementation=attn, output_loading_info=True
    )
    bad = {k: sorted(map(str, v)) for k, v in info.items() if v}
    if bad:
        fail(f"loading {d}: {bad}")
    return model.eval()


def sample_inputs(cfg: Qwen2_5_VLConfig, seed: int) -> dict:
    g = torch.Generator().manual_seed(seed + 1)
    grid = [[1, 10, 14]]
    n_img = 10 * 14 // 4
    ids = [1, 2, 3, VISION_START] + [IMAGE_PAD] * n_img + [VISION_END, 4, 5, 6]
    return dict(
        input_ids=torch.tensor([ids]),
        pixel_values=torch.randn(10 * 14, 1176, generator=g),
        image_grid_thw=torch.tensor(grid),
        mm_token_type_ids=(torch.tensor([ids]) == IMAGE_PAD).int(),
    )


def cmd_make(args) -> None:
    cfg = build_config(args.preset)
    torch.manual_seed(args.seed)
    model = Qwen2_5_VLForConditionalGeneration(cfg)
    init_weights(model, args.seed)
    if cfg.tie_word_embeddings:
        model.tie_weights()
    model.eval()

    root = args.outdir
    os.makedirs(root, exist_ok=True)
    dirs = {name: os.path.join(root, name) for name in ("hf", "module-keys", "hub")}
    for d in dirs.values():
        if os.path.exists(d):
            shutil.rmtree(d)

    # 1. transformers' own layout.
    model.save_pretrained(dirs["hf"], safe_serialization=True)
    write_side_files(dirs["hf"])
    hf_keys = key_list(dirs["hf"])

    # 2. module-path keys (as in model.state_dict()), same config.
    os.makedirs(dirs["module-keys"])
    state = read_state(dirs["hf"])
    save_file({to_module_key(k): v.contiguous() for k, v in state.items()}, os.path.join(dirs["module-keys"], "model.safetensors"), metadata={"format": "pt"})
    shutil.copy(os.path.join(dirs["hf"], "config.json"), dirs["module-keys"])
    write_side_files(dirs["module-keys"])

    # 3. hub-style flat config, sharded weights.
    model.save_pretrained(dirs["hub"], safe_serialization=True, max_shard_size="200KB")
    with open(os.path.join(dirs["hub"], "config.json"), "w") as f:
        json.dump(hub_flat_config(cfg), f, indent=2)
    write_side_files(dirs["hub"])

    # Self-check: every copy reloads in HF to the same logits as the in-memory model.
    inputs = sample_inputs(cfg, args.seed)
    with torch.no_grad():
        ref = model(**inputs).logits
        checks = {}
        for name, d in dirs.items():
            other = load(d)
            checks[name] = float((other(**inputs).logits - ref).abs().max())
    if max(checks.values()) > 0:
        fail(f"reloaded copies differ from the in-memory model: {checks}")

    out(
        {
            "preset": args.preset,
            "seed": args.seed,
            "dirs": dirs,
            "tied": cfg.tie_word_embeddings,
            "layout_written_by_transformers": layout_of([r["name"] for r in hf_keys]),
            "lm_head_saved": any(r["name"] == "lm_head.weight" for r in hf_keys),
            "hub_shards": weight_files(dirs["hub"]),
            "token_ids": {
                "image_pad": IMAGE_PAD,
                "video_pad": VIDEO_PAD,
                "vision_start": VISION_START,
                "vision_end": VISION_END,
                "im_end": IM_END,
                "endoftext": END_OF_TEXT,
            },
            "config": cfg.to_dict(),
            "weights": hf_keys,
            "self_check_max_abs_diff": checks,
        }
    )


# ---------------------------------------------------------------------------------------------
# forward / generate


def pixel_tensor(req: dict):
    pv = req.get("pixel_values")
    if pv is None:
        return None
    t = torch.tensor(pv, dtype=torch.float32)
    shape = req.get("pixel_values_shape")
    if shape is not None:
        t = t.reshape(shape)
    if t.ndim != 2:
        fail(f"pixel_values must be 2-D [N, C*T*P*P] (give pixel_values_shape), got {list(t.shape)}")
    return t


def grid_tensor(req: dict):
    grid = req.get("image_grid_thw")
    return torch.tensor(grid, dtype=torch.long) if grid else None


def finite_list(t: torch.Tensor) -> tuple:
    flat = t.reshape(-1).tolist()
    bad = 0
    for i, x in enumerate(flat):
        if not math.isfinite(x):
            flat[i] = None
            bad += 1
    return flat, bad


def forward_one(model, req: dict, attn: str) -> dict:
    ids = torch.tensor(req["input_ids"], dtype=torch.long)
    mask = req.get("attention_mask")
    mask = torch.tensor(mask, dtype=torch.long) if mask is not None else None
    pixels = pixel_tensor(req)
    grid = grid_tensor(req)
    mm = (ids == model.config.image_token_id).int()
    with torch.no_grad():
        pos, deltas = model.model.get_rope_index(ids, mm_token_type_ids=mm, image_grid_thw=grid, attention_mask=mask)
        if req.get("position_ids") is not None:
            use_pos = torch.tensor(req["position_ids"], dtype=torch.long)
        elif req.get("positions", "rope_index") == "rope_index":
            use_pos = pos
        else:
            use_pos = None
        # rope_deltas is state kept on the module between calls (for decoding); start clean.
        model.model.rope_deltas = None
        res = model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=use_pos,
            pixel_values=pixels,
            image_grid_thw=grid,
            mm_token_type_ids=mm,
            use_cache=False,
        )
    logits, bad = finite_list(res.logits.float())
    return {
        "logits": logits,
        "shape": list(res.logits.shape),
        "nonfinite": bad,
        "position_ids": pos.tolist(),
        "rope_deltas": deltas.reshape(-1).tolist(),
        "attn_implementation": attn,
    }


def cmd_forward(args) -> None:
    req = json.load(sys.stdin)
    model = load(args.dir, args.attn)
    if "cases" in req:
        out({"results": [forward_one(model, c, args.attn) for c in req["cases"]]})
    else:
        out(forward_one(model, req, args.attn))


def split_images(prompts, grid):
    """Per prompt: (row offset into pixel_values, row count, its grids), in order of appearance."""
    grids = grid.tolist() if grid is not None else []
    res, gi, row = [], 0, 0
    for p in prompts:
        runs = sum(1 for i, t in enumerate(p) if t == IMAGE_PAD and (i == 0 or p[i - 1] != IMAGE_PAD))
        mine = grids[gi : gi + runs]
        if len(mine) != runs:
            fail(f"prompts hold more image runs than the {len(grids)} grid(s) given")
        rows = sum(t * h * w for t, h, w in mine)
        res.append((row, rows, mine))
        gi += runs
        row += rows
    if gi != len(grids):
        fail(f"{len(grids)} grid(s) given but the prompts hold {gi} image run(s)")
    return res


def cmd_generate(args) -> None:
    req = json.load(sys.stdin)
    model = load(args.dir, args.attn)
    pixels = pixel_tensor(req)
    grid = grid_tensor(req)
    # Absent/null: the checkpoint's generation_config.json eos ids (HF's default); []: no stopping.
    stop = req.get("stop_token_ids")
    if stop is None:
        stop = model.generation_config.eos_token_id
    stop = list(stop) if isinstance(stop, (list, tuple)) else ([stop] if stop is not None else [])
    n_new = int(req["max_new_tokens"])
    # Replaces the model's generation config: generate(generation_config=...) fills fields left at
    # None (eos_token_id) from generation_config.json, so [] could not turn stopping off.
    model.generation_config = GenerationConfig(
        do_sample=False,
        max_new_tokens=n_new,
        eos_token_id=stop or None,
        pad_token_id=END_OF_TEXT,
        bos_token_id=END_OF_TEXT,
        num_beams=1,
        return_dict_in_generate=True,
        output_logits=True,
    )
    sequences, log_probs, margins, deltas = [], [], [], []
    for p, (r0, nr, grids) in zip(req["prompts"], split_images(req["prompts"], grid)):
        ids = torch.tensor([p], dtype=torch.long)
        kw = dict(input_ids=ids, attention_mask=torch.ones_like(ids), mm_token_type_ids=(ids == IMAGE_PAD).int())
        if grids:
            kw["pixel_values"] = pixels[r0 : r0 + nr]
            kw["image_grid_thw"] = torch.tensor(grids, dtype=torch.long)
        model.model.rope_deltas = None
        with torch.no_grad():
            g = model.generate(**kw)
        new = g.sequences[0, ids.shape[1] :].tolist()
        lp, mg = [], []
        for step, tok in enumerate(new):
            logit = g.logits[step][0].float()
            lp.append(float(torch.log_softmax(logit, -1)[tok]))
            top2 = torch.topk(logit, 2).values
            mg.append(float(top2[0] - top2[1]))
        sequences.append(new)
        log_probs.append(lp)
        margins.append(mg)
        deltas.append(model.model.rope_deltas.reshape(-1).tolist() if model.model.rope_deltas is not None else None)
    out(
        {
            "sequences": sequences,
            "log_probs": log_probs,
            "margins": margins,
            "min_margin": [min(m) if m else None for m in margins],
            "rope_deltas": deltas,
            "stop_token_ids": stop,
        }
    )


# ---------------------------------------------------------------------------------------------
# bench


def cmd_bench(args) -> None:
    raw = sys.stdin.read().strip()
    req = json.loads(raw) if raw else {}
    req = req or {}
    prompt_len = int(req.get("prompt_len", 64))
    n_new = int(req.get("max_new_tokens", 32))
    batches = req.get("batches", [1, 16])
    repeats = int(req.get("repeats", 3))
    model = load(args.dir, args.attn)
    vocab = model.config.text_config.vocab_size
    g = torch.Generator().manual_seed(0)
    results = []
    for b in batches:
        # Plain text ids below the special range: no image tokens, no padding.
        ids = torch.randint(0, min(vocab, IMAGE_PAD), (b, prompt_len), generator=g)
        mask = torch.ones_like(ids)
        model.generation_config = GenerationConfig(
            do_sample=False, max_new_tokens=n_new, min_new_tokens=n_new, eos_token_id=None, pad_token_id=END_OF_TEXT
        )
        with torch.no_grad():
            model(input_ids=ids, attention_mask=mask, use_cache=False)  # warm-up
            model.generate(input_ids=ids, attention_mask=mask)
            prefill, gen = [], []
            for _ in range(repeats):
                t0 = time.perf_counter()
                model(input_ids=ids, attention_mask=mask, use_cache=False)
                prefill.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                s = model.generate(input_ids=ids, attention_mask=mask)
                gen.append(time.perf_counter() - t0)
        produced = (s.shape[1] - prompt_len) * b
        best = min(gen)
        results.append(
            {
                "batch": b,
                "prompt_len": prompt_len,
                "new_tokens": n_new,
                "prefill_s": min(prefill),
                "generate_s": best,
                "tokens_per_s": produced / best,
            }
        )
    out({"threads": torch.get_num_threads(), "attn_implementation": args.attn, "results": results})


# ---------------------------------------------------------------------------------------------
# corrupt / keys


def cmd_corrupt(args) -> None:
    if os.path.exists(args.dst):
        shutil.rmtree(args.dst)
    shutil.copytree(args.src, args.dst)
    if args.model_type:
        path = os.path.join(args.dst, "config.json")
        with open(path) as f:
            cfg = json.load(f)
        cfg["model_type"] = args.model_type
        with open(path, "w") as f:
            json.dump(cfg, f, indent=2)
        out({"dst": args.dst, "changed": "config.json model_type", "value": args.model_type})
        return
    key = args.drop or args.reshape
    for fn in weight_files(args.dst):
        path = os.path.join(args.dst, fn)
        with safe_open(path, "pt") as f:
            if key not in f.keys():
                continue
            tensors = {k: f.get_tensor(k) for k in f.keys()}
            meta = f.metadata()
        if args.drop:
            del tensors[key]
            what = "dropped"
        else:
            t = tensors[key]
            tensors[key] = t.reshape(-1)[: t.numel() - t.shape[-1]].reshape(t.shape[0] - 1, *t.shape[1:]) if t.ndim > 1 else t[:-1].clone()
            what = f"reshaped {list(t.shape)} -> {list(tensors[key].shape)}"
        save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata=meta)
        idx = os.path.join(args.dst, "model.safetensors.index.json")
        if args.drop and os.path.exists(idx):
            # Keep the index consistent with the shard so only the tensor itself is missing.
            with open(idx) as f:
                index = json.load(f)
            index["weight_map"].pop(key, None)
            with open(idx, "w") as f:
                json.dump(index, f, indent=2)
        out({"dst": args.dst, "file": fn, "key": key, "changed": what})
        return
    fail(f"{args.src}: no tensor named {key}")


def cmd_keys(args) -> None:
    rows = key_list(args.dir)
    out({"layout": layout_of([r["name"] for r in rows]), "weights": rows})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("outdir")
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    for name in ("forward", "generate", "bench"):
        s = sub.add_parser(name)
        s.add_argument("dir")
        s.add_argument("--attn", choices=["sdpa", "eager"], default="sdpa")
    c = sub.add_parser("corrupt")
    c.add_argument("src")
    c.add_argument("dst")
    grp = c.add_mutually_exclusive_group(required=True)
    grp.add_argument("--drop")
    grp.add_argument("--reshape")
    grp.add_argument("--model-type", dest="model_type")
    k = sub.add_parser("keys")
    k.add_argument("dir")
    args = ap.parse_args()
    {"make": cmd_make, "forward": cmd_forward, "generate": cmd_generate, "bench": cmd_bench, "corrupt": cmd_corrupt, "keys": cmd_keys}[args.cmd](args)


if __name__ == "__main__":
    main()
