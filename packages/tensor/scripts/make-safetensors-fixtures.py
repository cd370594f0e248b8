#!/usr/bin/python3
"""Writes the golden safetensors fixtures under packages/tensor/test/fixtures/safetensors/.

How they were made: `/usr/bin/python3 packages/tensor/scripts/make-safetensors-fixtures.py` from the
repository root, with Debian's python3-numpy (1.24) and python3-torch (1.13). The `safetensors`
package is not used (not installable here): the format is written by hand below from its
specification (huggingface/safetensors README and the reference writer's behaviour):

- 8 bytes: N, the header length, unsigned little-endian;
- N bytes: compact UTF-8 JSON (no spaces, non-ASCII characters raw), `__metadata__` first, then the
  tensors sorted by dtype (descending in the reference enum order, i.e. most aligned first) and then
  by name (UTF-8 byte order), each as {"dtype", "shape", "data_offsets"} in that key order; padded
  with spaces so that N is a multiple of 8;
- the tensors' little-endian bytes, back to back.

The reference keeps `__metadata__` in a hash map (order unspecified); this script, like our writer,
sorts its keys.

Expected values come from numpy/torch, independently of the TypeScript reader: F16 and BF16 are
widened to float32 by torch. JSON cannot hold non-finite numbers or -0, so they are written as the
strings "nan", "inf", "-inf" and "-0".

Outputs (all small):
- dtypes.safetensors + dtypes.json: one tensor per readable dtype, with edge values.
- writer-golden.safetensors + writer-golden.json: the writer's inputs (F32, F64, I32, I64 with names
  that exercise the sort and JSON escaping) and the file the reference layout gives for them.
- unordered.safetensors + unordered.json: valid but unusual: header entries not in offset order, no
  padding, so tensors start at unaligned offsets.
- half-exhaustive.json: sha256 of the float32 values of all 65536 F16 and all 65536 BF16 bit
  patterns (NaNs canonicalized to 0x7fc00000, their count recorded).
- tiny-roberta-mlm.json: facts about ../shared/data/models/tiny-roberta-mlm/model.safetensors read
  with numpy (skipped when that file is absent).
"""

import hashlib
import json
import math
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(PACKAGE))
OUT = os.path.join(PACKAGE, "test", "fixtures", "safetensors")
MODEL = os.path.join(REPO, "..", "shared", "data", "models", "tiny-roberta-mlm", "model.safetensors")

# The reference `Dtype` enum, in order.
DTYPE_ORDER = [
    "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
    "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64",
    "F64", "I64", "U64",
]

NUMPY = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I8": "i1",
    "U8": "u1", "BOOL": "?",
}


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def jsonable(x):
    """A float or int as JSON can hold it."""
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x == 0 and math.copysign(1, x) < 0:
            return "-0"
    return x


def serialize(tensors, metadata=None):
    """tensors: {name: (dtype, shape, raw bytes)}; returns (file bytes, {name: [begin, end]})."""
    names = sorted(tensors, key=lambda n: (-DTYPE_ORDER.index(tensors[n][0]), n.encode("utf-8")))
    offsets = {}
    at = 0
    for name in names:
        size = len(tensors[name][2])
        offsets[name] = [at, at + size]
        at += size
    parts = []
    if metadata is not None:
        fields = ",".join(dumps(k) + ":" + dumps(metadata[k]) for k in sorted(metadata))
        parts.append('"__metadata__":{' + fields + "}")
    for name in names:
        dtype, shape, _ = tensors[name]
        info = '{"dtype":' + dumps(dtype) + ',"shape":' + dumps(list(shape)) + ',"data_offsets":' + dumps(offsets[name]) + "}"
        parts.append(dumps(name) + ":" + info)
    header = ("{" + ",".join(parts) + "}").encode("utf-8")
    header += b" " * ((8 - len(header) % 8) % 8)
    body = b"".join(tensors[n][2] for n in names)
    return struct.pack("<Q", len(header)) + header + body, offsets


def raw(dtype, values, shape):
    """Little-endian bytes of values (bit patterns for F16/BF16 given as ints)."""
    if dtype == "BF16":
        return np.array(values, dtype="<u2").reshape(shape).tobytes()
    if dtype == "F16":
        return np.array(values, dtype="<u2").reshape(shape).tobytes()
    return np.array(values, dtype=NUMPY[dtype]).reshape(shape).tobytes()


def widened(dtype, values):
    """What a reader must return: float32 values for F16/BF16 via torch, else the values as stored."""
    if dtype == "F16":
        t = torch.tensor(np.array(values, dtype="<u2").astype("<i2")).view(torch.float16)
        return t.to(torch.float32).tolist()
    if dtype == "BF16":
        t = torch.tensor(np.array(values, dtype="<u2").astype("<i2")).view(torch.bfloat16)
        return t.to(torch.float32).tolist()
    if dtype == "F32":
        return [float(v) for v in np.array(values, dtype="<f4")]
    if dtype == "BOOL":
        return [int(v) for v in values]
    return [v for v in np.array(values, dtype=NUMPY[dtype]).tolist()]


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def write_json(name, value):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")


INF = float("inf")
NAN = float("nan")

# name: (dtype, shape, values). F16/BF16 values are bit patterns.
DTYPE_CASES = {
    "f32": ("F32", [2, 6], [0.0, -0.0, 1.5, -2.25, 3.4028234663852886e38, 1.401298464324817e-45,
                            1.1754942106924411e-38, INF, -INF, NAN, 0.1, -1e-7]),
    "f32_scalar": ("F32", [], [7.5]),
    "f16": ("F16", [14], [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0xC000,
                          0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0x3555]),
    "bf16": ("BF16", [13], [0x0000, 0x8000, 0x0001, 0x007F, 0x0080, 0x3F80, 0xC040, 0x7F7F,
                            0x7F80, 0xFF80, 0x7FC0, 0xFFC1, 0x3EAB]),
    "f64": ("F64", [9], [0.0, -0.0, 1 / 3, -1e300, 5e-324, INF, -INF, NAN, 2.0 ** 53 + 2]),
    "i64": ("I64", [2, 3], [0, -1, 2147483647, -2147483648, 123456789, -42]),
    "i32": ("I32", [5], [0, -1, 2147483647, -2147483648, 42]),
    "i32_empty": ("I32", [0, 3], []),
    "i8": ("I8", [5], [-128, -1, 0, 1, 127]),
    "u8": ("U8", [4], [0, 1, 128, 255]),
    "bool": ("BOOL", [3], [True, False, True]),
}


def make_dtypes():
    tensors = {n: (d, s, raw(d, v, s)) for n, (d, s, v) in DTYPE_CASES.items()}
    metadata = {"format": "pt", "source": "make-safetensors-fixtures.py"}
    data, offsets = serialize(tensors, metadata)
    write("dtypes.safetensors", data)
    expected = {
        name: {"dtype": d, "shape": s, "data_offsets": offsets[name],
               "values": [jsonable(v) for v in widened(d, vals)]}
        for name, (d, s, vals) in DTYPE_CASES.items()
    }
    write_json("dtypes.json", {"metadata": metadata, "tensors": expected})


# Inputs for our writer. Names: integer-like ("10", "2"), case, JSON escapes, non-ASCII, and a pair
# whose UTF-16 order ("\U0001F600" < "\uFF5E") differs from UTF-8 order.
WRITER_CASES = {
    "b": ("F32", [2, 2], [1.0, -0.5, 0.1, 3.0e-39]),
    "a": ("F32", [3], [INF, NAN, -0.0]),
    "10": ("F32", [], [42.0]),
    "2": ("F32", [1], [2.0]),
    "A": ("I32", [2], [-2147483648, 2147483647]),
    "z\uFF5E": ("I32", [1], [1]),
    "z\U0001F600": ("I32", [1], [2]),
    'q"b\\s': ("F64", [2], [1 / 3, -INF]),
    "ctrl\n\t\x01": ("F64", [0], []),
    "café": ("I64", [3], [-(2 ** 53) + 1, 2 ** 40, 7]),
    "empty": ("I64", [2, 0], []),
}
WRITER_METADATA = {"format": "pt", "zeta": "last", "alpha": 'ünïcode "quoted"', "n": "line\nbreak"}


def make_writer_golden():
    tensors = {n: (d, s, raw(d, v, s)) for n, (d, s, v) in WRITER_CASES.items()}
    data, _ = serialize(tensors, WRITER_METADATA)
    write("writer-golden.safetensors", data)
    inputs = {n: {"dtype": d, "shape": s, "values": [jsonable(float(v) if d.startswith("F") else v) for v in vals]}
              for n, (d, s, vals) in WRITER_CASES.items()}
    write_json("writer-golden.json", {"metadata": WRITER_METADATA, "tensors": inputs})


def make_unordered():
    cases = {
        "first": ("U8", [3], [1, 2, 3]),
        "second": ("F32", [2], [1.25, -8.0]),
        "third": ("BF16", [1], [0xBF80]),
    }
    tensors = {n: (d, s, raw(d, v, s)) for n, (d, s, v) in cases.items()}
    # Data in order first, second, third (so F32 lands at data offset 3); header lists them reversed.
    body = b"".join(tensors[n][2] for n in ["first", "second", "third"])
    offsets, at = {}, 0
    for n in ["first", "second", "third"]:
        offsets[n] = [at, at + len(tensors[n][2])]
        at = offsets[n][1]
    header = "{" + ",".join(
        dumps(n) + ":" + dumps({"dtype": cases[n][0], "shape": cases[n][1], "data_offsets": offsets[n]})
        for n in ["third", "second", "first"]
    ) + "}"
    header = header.encode("utf-8")
    # Unpadded on purpose, and such that "second" (data offset 3) starts at a file offset that is
    # not a multiple of 4.
    while len(header) % 8 == 0 or (8 + len(header) + 3) % 4 == 0:
        header += b" "
    write("unordered.safetensors", struct.pack("<Q", len(header)) + header + body)
    write_json("unordered.json", {n: {"dtype": d, "shape": s, "values": [jsonable(v) for v in widened(d, vals)]}
                                  for n, (d, s, vals) in cases.items()})


def canonical_f32_sha256(values):
    arr = values.to(torch.float32).numpy().copy()
    nan = np.isnan(arr)
    bits = arr.view("<u4")
    bits[nan] = 0x7FC00000
    return hashlib.sha256(bits.astype("<u4").tobytes()).hexdigest(), int(nan.sum())


def make_half_exhaustive():
    patterns = torch.tensor(np.arange(65536, dtype=np.uint16).astype("<i2"))
    f16_hash, f16_nans = canonical_f32_sha256(patterns.view(torch.float16))
    bf16_hash, bf16_nans = canonical_f32_sha256(patterns.view(torch.bfloat16))
    write_json("half-exhaustive.json", {
        "about": "float32 bits (little-endian) of bit patterns 0..65535 widened by torch, NaNs set to 0x7fc00000",
        "F16": {"sha256": f16_hash, "nans": f16_nans},
        "BF16": {"sha256": bf16_hash, "nans": bf16_nans},
    })


def make_model_facts():
    if not os.path.exists(MODEL):
        print("skipping tiny-roberta-mlm.json: missing " + os.path.normpath(MODEL), file=sys.stderr)
        return
    with open(MODEL, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None)
    picks = ["lm_head.bias", "roberta.embeddings.LayerNorm.weight",
             "roberta.encoder.layer.0.attention.self.query.weight"]
    facts = {}
    for name in picks:
        info = header[name]
        begin, end = info["data_offsets"]
        arr = np.frombuffer(blob[8 + n + begin:8 + n + end], dtype=NUMPY[info["dtype"]])
        facts[name] = {
            "dtype": info["dtype"], "shape": info["shape"],
            "sum": float(arr.astype(np.float64).sum()),
            "first": [float(v) for v in arr[:4]], "last": [float(v) for v in arr[-4:]],
        }
    write_json("tiny-roberta-mlm.json", {
        "file_bytes": len(blob), "header_length": n, "tensor_count": len(header),
        "metadata": metadata, "tensors": facts,
    })


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make_dtypes()
    make_writer_golden()
    make_unordered()
    make_half_exhaustive()
    make_model_facts()
