"""Oracle for the Qwen2.5-VL image processor (TypeScript: lib/models/qwen2_5_vl/image_processor.ts).

stdin JSON:
  {"cases": [{"path": str, "min_pixels": int, "max_pixels": int,
              "pre_resize": {"min_pixels": int|None, "max_pixels": int|None} | None}],
   "config": {preprocessor_config.json fields} (optional)}
stdout JSON: {"pillow_version": str, "results": [{"mode": PIL mode, "rgb_size": [W, H], "rgb_b64": uint8 HWC after the
  EasyR1 step and RGB conversion, "resized_size": [W, H], "resized_b64": uint8 HWC after the
  processor's PIL bicubic resize, "resized_hv_b64": the same resize in Pillow<=12 pass order, "grid_thw": [[t, h, w]], "pixel_values_shape": [N, D],
  "pixel_values_b64": float32 little-endian}]}

Uses transformers' PIL-backend Qwen2VLImageProcessor (torchvision is not needed).
The EasyR1 pre-resize is written from docs/method.md, "Pre-resize" (resize with PIL's default filter,
int() truncation, RGB conversion afterwards).
"""

import base64
import json
import math
import sys

import numpy as np
import PIL
from PIL import Image
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil, smart_resize


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def easyr1_process_image(image: Image.Image, min_pixels, max_pixels) -> Image.Image:
    if max_pixels is not None and image.width * image.height > max_pixels:
        f = math.sqrt(max_pixels / (image.width * image.height))
        image = image.resize((int(image.width * f), int(image.height * f)))
    if min_pixels is not None and image.width * image.height < min_pixels:
        f = math.sqrt(min_pixels / (image.width * image.height))
        image = image.resize((int(image.width * f), int(image.height * f)))
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def main() -> None:
    req = json.load(sys.stdin)
    config = req.get("config") or {}
    results = []
    for case in req["cases"]:
        image = Image.open(case["path"])
        image.load()
        mode = image.mode
        pre = case.get("pre_resize")
        if pre:
            image = easyr1_process_image(image, pre.get("min_pixels"), pre.get("max_pixels"))
        elif image.mode != "RGB":
            image = image.convert("RGB")
        kwargs = dict(config)
        kwargs["min_pixels"] = case["min_pixels"]
        kwargs["max_pixels"] = case["max_pixels"]
        proc = Qwen2VLImageProcessorPil(**kwargs)
        out = proc(images=[image], return_tensors="np")
        pv = np.asarray(out["pixel_values"], dtype=np.float32)
        grid = np.asarray(out["image_grid_thw"]).tolist()
        factor = proc.patch_size * proc.merge_size
        h, w = smart_resize(image.height, image.width, factor, case["min_pixels"], case["max_pixels"])
        resized = np.asarray(image.resize((w, h), Image.Resampling.BICUBIC), dtype=np.uint8)
        # Pillow <= 12 order (horizontal pass, then vertical), from two single-axis resizes.
        hv = image.resize((w, image.height), Image.Resampling.BICUBIC).resize((w, h), Image.Resampling.BICUBIC)
        results.append(
            {
                "mode": mode,
                "rgb_size": [image.width, image.height],
                "rgb_b64": b64(np.asarray(image, dtype=np.uint8)),
                "resized_size": [w, h],
                "resized_b64": b64(resized),
                "resized_hv_b64": b64(np.asarray(hv, dtype=np.uint8)),
                "grid_thw": grid,
                "pixel_values_shape": list(pv.shape),
                "pixel_values_b64": b64(pv.astype("<f4")),
            }
        )
    json.dump({"pillow_version": PIL.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
