"""Oracle for the text and image summaries of lib/logging/tb_summaries.ts, read by TensorBoard itself.

stdin: {"path": "<events file>"}
stdout: {"text": {tag: {"plugin": str, "steps": [int], "values": [str]}},
         "images": {tag: {"steps": [int], "width": [int], "height": [int], "head": [hex of the first 8 bytes]}}}

Uses tensorboard's EventAccumulator (the loader TensorBoard's backend uses), so a field it does
not understand (wrong field number, wrong dtype, missing plugin name) shows up as a missing tag
or a wrong value.
"""
import json
import sys

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util


def main():
    req = json.load(sys.stdin)
    acc = event_accumulator.EventAccumulator(
        req["path"], size_guidance={event_accumulator.TENSORS: 0, event_accumulator.IMAGES: 0}
    )
    acc.Reload()
    tags = acc.Tags()
    text = {}
    for tag in tags.get("tensors", []):
        events = acc.Tensors(tag)
        values = []
        for ev in events:
            arr = tensor_util.make_ndarray(ev.tensor_proto)
            values.append(arr.item().decode("utf-8") if arr.shape == () else [x.decode("utf-8") for x in arr.ravel()])
        text[tag] = {
            "plugin": acc.SummaryMetadata(tag).plugin_data.plugin_name,
            "steps": [ev.step for ev in events],
            "values": values,
        }
    images = {}
    for tag in tags.get("images", []):
        events = acc.Images(tag)
        images[tag] = {
            "steps": [ev.step for ev in events],
            "width": [ev.width for ev in events],
            "height": [ev.height for ev in events],
            "head": [ev.encoded_image_string[:8].hex() for ev in events],
        }
    json.dump({"text": text, "images": images}, sys.stdout)


if __name__ == "__main__":
    main()
