"""Oracle for lib/logging/tensorboard.ts: reads a TensorBoard event file two independent ways.

stdin: {"path": "<events file>"}
stdout: {"records": [...], "tensorboard": {...} | null, "tensorboard_error": str | null}

1. A hand-written TFRecord reader that checks both masked CRC32C values of every record and
   decodes the Event / Summary protobuf fields by wire format (no protobuf package needed).
2. If the `tensorboard` package is importable, its EventAccumulator (the loader TensorBoard
   itself uses) returns the scalars per tag.
"""
import json
import struct
import sys


def _crc32c_table():
    poly = 0x82F63B78  # Castagnoli, reflected
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(data: bytes) -> int:
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def fields(buf):
    """Yields (field_number, wire_type, value) for one protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
            if v >= 1 << 63:
                v -= 1 << 64
        elif wire == 1:
            v = buf[i:i + 8]
            i += 8
        elif wire == 2:
            n, i = varint(buf, i)
            v = buf[i:i + n]
            i += n
        elif wire == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield num, wire, v


def decode_event(buf):
    ev = {"scalars": {}}
    for num, wire, v in fields(buf):
        if num == 1 and wire == 1:
            ev["wall_time"] = struct.unpack("<d", v)[0]
        elif num == 2 and wire == 0:
            ev["step"] = v
        elif num == 3 and wire == 2:
            ev["file_version"] = v.decode()
        elif num == 5 and wire == 2:
            for snum, _, sval in fields(v):
                if snum != 1:
                    continue
                tag, value = None, None
                for vnum, vwire, vv in fields(sval):
                    if vnum == 1:
                        tag = vv.decode()
                    elif vnum == 2 and vwire == 5:
                        value = struct.unpack("<f", vv)[0]
                ev["scalars"][tag] = value
    return ev


def read_records(path):
    data = open(path, "rb").read()
    out, i = [], 0
    while i < len(data):
        if len(data) - i < 12:
            raise ValueError(f"truncated header at byte {i}")
        header = data[i:i + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[i + 8:i + 12])
        if hcrc != masked(header):
            raise ValueError(f"length crc mismatch at byte {i}")
        body = data[i + 12:i + 12 + length]
        if len(body) != length or len(data) < i + 16 + length:
            raise ValueError(f"truncated record at byte {i}")
        (dcrc,) = struct.unpack("<I", data[i + 12 + length:i + 16 + length])
        if dcrc != masked(body):
            raise ValueError(f"data crc mismatch at byte {i}")
        out.append(decode_event(body))
        i += 16 + length
    return out


def main():
    req = json.load(sys.stdin)
    result = {"records": None, "error": None, "tensorboard": None, "tensorboard_error": None}
    try:
        result["records"] = read_records(req["path"])
    except Exception as e:  # reported, the test decides
        result["error"] = str(e)
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError as e:
        result["tensorboard_error"] = f"tensorboard not installed: {e}"
    else:
        try:
            acc = event_accumulator.EventAccumulator(req["path"], size_guidance={event_accumulator.SCALARS: 0})
            acc.Reload()
            result["tensorboard"] = {
                tag: [[s.step, s.value, s.wall_time] for s in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]
            }
        except Exception as e:
            result["tensorboard_error"] = f"{type(e).__name__}: {e}"
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
