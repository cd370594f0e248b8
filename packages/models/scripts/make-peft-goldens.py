#!/usr/bin/python3
"""Golden adapter folders for the Python <-> TypeScript round-trip test (packages/models/test/peft-goldens.test.ts).

What it writes, into packages/models/test/fixtures/peft-goldens/ (the base model is the committed
tiny RoBERTa of packages/models/test/fixtures/tiny-roberta, 3-label head head-3.safetensors, the
padded batch of its golden.safetensors):

    lora/adapter_config.json, lora/adapter_model.safetensors              PEFT LoRA (use_dora false)
    dora/adapter_config.json, dora/adapter_model.safetensors              PEFT DoRA (use_dora true)
    edora/run/reconstr_config.json, edora/run/checkpoint-1/adapter_*      EDoRA as the authors' code writes it
    lora-xs/run/reconstr_config.json, lora-xs/run/checkpoint-1/adapter_*  LoRA-XS (see below)
    expected.safetensors                                                  float64 logits [3, 3] per method
                                                                          (`logits.<method>`), and `logits.base`
    MANIFEST.json                                                         which mode made the files, versions

Every adapter: r = 2, lora_alpha = 4, target_modules query and value, task_type SEQ_CLS,
modules_to_save null (PEFT still saves the classifier), lora_dropout 0. The adapter tensors are
fixed, deterministic values (`fixed_values`, an integer hash: the same in both modes), not an
init, so every factor, the magnitude and R change the logits.

Two modes:

--mode peft   THE REAL ONE. Needs Python with torch, transformers==4.40.1, peft==0.10.0,
              safetensors, and a checkout of the EDoRA authors' code
              (https://github.com/Hamid-Nasiri/EDoRA) in EDORA_AUTHORS_REPO. Run from the
              repository root:
                  EDORA_AUTHORS_REPO=/path/to/EDoRA python3 packages/models/scripts/make-peft-goldens.py --mode peft
              It builds RobertaForSequenceClassification from the tiny fixture, get_peft_model with
              LoraConfig(...), for EDoRA / LoRA-XS the authors' find_and_initialize (their
              reconstruct_config.yaml with the rank set, as main_glue.py does), writes the fixed
              values into the adapter's parameters, saves with PeftModel.save_pretrained and
              json.dump(reconstr_config) into the run folder (as main_glue.py), and takes the
              expected logits from the PEFT model itself in float64 (model.double(), eval).
              NO MACHINE OF THIS PROJECT HAS transformers/peft (PyPI is unreachable from them), SO
              THIS MODE HAS NOT BEEN RUN: the committed goldens are not from it (see MANIFEST.json).

--mode hand   What made the committed files (`/usr/bin/python3 packages/models/scripts/make-peft-goldens.py`
              from the repository root; Debian bookworm's python3-torch 1.13, CPU, no
              transformers/peft). The files are laid out by hand exactly as PEFT 0.10.0 and the
              authors' code write them, from their source:
                - adapter_config.json: LoraConfig's dataclass fields, asdict() with sets made lists,
                  json.dumps(indent=2, sort_keys=True) (peft/config.py PeftConfigMixin.save_pretrained),
                  inference_mode true and base_model_name_or_path filled in by
                  PeftModel.save_pretrained (peft/peft_model.py).
                - adapter_model.safetensors: get_peft_model_state_dict (peft/utils/save_and_load.py):
                  keys containing "lora_" and the adapter name, the modules_to_save copies of the
                  SEQ_CLS head (PeftModelForSequenceClassification adds "classifier" and "score"),
                  then ".default" removed; float32; metadata {"format": "pt"}. DoRA's magnitude is
                  the ParameterDict entry lora_magnitude_vector.default -> `<module>.lora_magnitude_vector`;
                  the authors' R, the Linear `default_lora_latent_mapping`, -> `<module>_lora_latent_mapping.weight`.
                - reconstr_config.json: the authors' config/reconstruct_config.yaml with svd.rank set,
                  json.dump'ed into the run folder (main_glue.py); adapters in run/checkpoint-N/.
              The expected logits are computed in float64 by the hand-written RoBERTa of
              make-roberta-golden.py (independent of the TypeScript code) on the base weights with
              each adapter merged in float64 by PEFT's formulas: W' = W + s*B(R)A, and for DoRA /
              EDoRA W' = (m / ||W + s*B(R)A||_row) * (W + s*B(R)A) (dropout 0, so merged = unmerged).
              Real-PEFT goldens await a machine with Python's peft: run --mode peft there and
              commit what it writes; the test stays as it is.

LoRA-XS: PEFT 0.10.0 has no LoRA-XS. It is represented as the authors' code would hold it: a LoRA
config (use_dora false), the r x r latent matrix saved like EDoRA's R, and reconstr_config.json.
Plain PEFT loads such a folder as LoRA (B·A, R ignored), which computes something else; with the
authors' code, bind their `forward_latent` to each target after find_and_initialize (their
find_and_initialize binds `forward_edora`, which needs the magnitude vector LoRA-XS lacks).
"""
import argparse
import importlib.util
import json
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "test", "fixtures", "tiny-roberta")
OUT = os.path.join(HERE, "..", "test", "fixtures", "peft-goldens")

R = 2
ALPHA = 4
TARGETS = ["query", "value"]
METHODS = ["lora", "dora", "edora", "lora-xs"]
HAS_M = {"lora": False, "dora": True, "edora": True, "lora-xs": False}
HAS_R = {"lora": False, "dora": False, "edora": True, "lora-xs": True}
BASE_NAME = "tiny-roberta"

# the authors' config/reconstruct_config.yaml, rank set by main_glue.py
RECONSTR = {
    "reconstruction_type": "svd",
    "reconstr_mode": "separated",
    "half_init_dec": False,
    "replacement_module_random_init": False,
    "r_squared": True,
    "svd": {"n_iter": 10, "random_state": 42, "rank": R},
}


def load_roberta_golden():
    spec = importlib.util.spec_from_file_location("roberta_golden", os.path.join(HERE, "make-roberta-golden.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_safetensors(path):
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32}
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        buf = bytearray(raw[8 + n + a : 8 + n + b])
        out[name] = torch.frombuffer(buf, dtype=dtypes[e["dtype"]]).reshape(e["shape"]).clone()
    return out


def module_paths():
    return [f"roberta.encoder.layer.{i}.attention.self.{t}" for i in range(2) for t in TARGETS]


def fixed_values(shape, seed, scale):
    """Deterministic values in [-scale, scale), float32: an integer hash of the element index."""
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=torch.int64)
    u = ((i * 2654435761 + seed * 40503 + 12345) % 65536).to(torch.float64) / 65536.0 * 2.0 - 1.0
    return (u * scale).reshape(shape).to(torch.float32)


def adapter_tensors(method, base):
    """Our values for each adapter tensor, by module path: A [r, in], B [out, r], R [r, r], m [out]."""
    out = {}
    for k, path in enumerate(module_paths()):
        W = base[path + ".weight"].to(torch.float64)
        t = {
            "A": fixed_values((R, W.shape[1]), 10 + k, 0.4),
            "B": fixed_values((W.shape[0], R), 20 + k, 0.4),
        }
        if HAS_R[method]:
            t["R"] = fixed_values((R, R), 30 + k, 0.8)
        if HAS_M[method]:
            # a trained-looking magnitude: the row norms of W, each changed by up to 20%
            t["m"] = (torch.linalg.norm(W, dim=1) * (1.0 + 0.2 * fixed_values((W.shape[0],), 40 + k, 1.0).to(torch.float64))).to(torch.float32)
        out[path] = t
    return out


def lora_config_dict(method):
    """LoraConfig as PEFT 0.10.0's save_pretrained writes it (every field; set -> list)."""
    return {
        "alpha_pattern": {},
        "auto_mapping": None,
        "base_model_name_or_path": BASE_NAME,
        "bias": "none",
        "fan_in_fan_out": False,
        "inference_mode": True,
        "init_lora_weights": True,
        "layer_replication": None,
        "layers_pattern": None,
        "layers_to_transform": None,
        "loftq_config": {},
        "lora_alpha": ALPHA,
        "lora_dropout": 0.0,
        "megatron_config": None,
        "megatron_core": "megatron.core",
        "modules_to_save": None,
        "peft_type": "LORA",
        "r": R,
        "rank_pattern": {},
        "revision": None,
        "target_modules": sorted(set(TARGETS)),  # PEFT writes list(set): any order
        "task_type": "SEQ_CLS",
        "use_dora": HAS_M[method],
        "use_rslora": False,
    }


def adapter_dir(method):
    return os.path.join(OUT, method, "run", "checkpoint-1") if HAS_R[method] else os.path.join(OUT, method)


def merged_weights(method, base, head, values):
    """Base weights with each adapter folded in, in float64 (PEFT's merge formulas)."""
    w = {k: v.to(torch.float64) for k, v in {**base, **head}.items()}
    s = ALPHA / R
    for path, t in values.items():
        W = w[path + ".weight"]
        B = t["B"].to(torch.float64)
        if "R" in t:
            B = B @ t["R"].to(torch.float64)
        full = W + s * (B @ t["A"].to(torch.float64))
        if "m" in t:
            full = (t["m"].to(torch.float64) / torch.linalg.norm(full, dim=1))[:, None] * full
        w[path + ".weight"] = full
    return w


def hand(rg):
    base = read_safetensors(os.path.join(FIXTURE, "model.safetensors"))
    head = read_safetensors(os.path.join(FIXTURE, "head-3.safetensors"))
    golden = read_safetensors(os.path.join(FIXTURE, "golden.safetensors"))
    ids = golden["input_ids"].to(torch.long)
    mask = golden["attention_mask"].to(torch.long)
    logits = lambda w: rg.classify(rg.encoder(ids, mask, w)[-1], w)
    base64 = {k: v.to(torch.float64) for k, v in {**base, **head}.items()}
    expected = {"logits.base": logits(base64)}
    assert torch.allclose(expected["logits.base"], golden["logits3"], rtol=0, atol=1e-12), "the base model no longer gives make-roberta-golden.py's logits3"
    for method in METHODS:
        values = adapter_tensors(method, base)
        tensors = {}
        for path, t in values.items():
            p = "base_model.model." + path
            tensors[p + ".lora_A.weight"] = t["A"]
            tensors[p + ".lora_B.weight"] = t["B"]
            if "R" in t:
                tensors[p + "_lora_latent_mapping.weight"] = t["R"]
            if "m" in t:
                tensors[p + ".lora_magnitude_vector"] = t["m"]
        for k, v in head.items():
            tensors["base_model.model." + k] = v
        d = adapter_dir(method)
        os.makedirs(d, exist_ok=True)
        rg.write_safetensors(os.path.join(d, "adapter_model.safetensors"), tensors, {"format": "pt"})
        with open(os.path.join(d, "adapter_config.json"), "w") as f:
            f.write(json.dumps(lora_config_dict(method), indent=2, sort_keys=True))
        if HAS_R[method]:
            with open(os.path.join(os.path.dirname(d), "reconstr_config.json"), "w") as f:
                json.dump(RECONSTR, f)
        expected["logits." + method] = logits(merged_weights(method, base, head, values))
    return expected, {"mode": "hand", "torch": torch.__version__, "peft": None, "transformers": None, "authors_code": None}


def peft_mode(rg):
    import peft
    import transformers
    from peft import LoraConfig, get_peft_model
    from transformers import RobertaForSequenceClassification

    assert transformers.__version__ == "4.40.1", f"transformers {transformers.__version__}; the goldens are for 4.40.1"
    assert peft.__version__ == "0.10.0", f"peft {peft.__version__}; the goldens are for 0.10.0"
    authors = os.environ.get("EDORA_AUTHORS_REPO")
    if not authors:
        sys.exit("EDORA_AUTHORS_REPO must point at a checkout of https://github.com/Hamid-Nasiri/EDoRA")
    sys.path.insert(0, authors)
    import types
    from utils.initialization_utils import find_and_initialize
    from utils.latent_utils import forward_latent

    base = read_safetensors(os.path.join(FIXTURE, "model.safetensors"))
    head = read_safetensors(os.path.join(FIXTURE, "head-3.safetensors"))
    golden = read_safetensors(os.path.join(FIXTURE, "golden.safetensors"))
    ids = golden["input_ids"].to(torch.long)
    mask = golden["attention_mask"].to(torch.long)
    expected = {}
    for method in METHODS:
        model = RobertaForSequenceClassification.from_pretrained(FIXTURE, num_labels=3)
        model.classifier.load_state_dict({k[len("classifier."):]: v for k, v in head.items()})
        model.name_or_path = BASE_NAME
        if "logits.base" not in expected:
            with torch.no_grad():
                expected["logits.base"] = model.double().eval()(input_ids=ids, attention_mask=mask).logits.clone()
            model = model.float()
        config = LoraConfig(task_type="SEQ_CLS", r=R, lora_alpha=ALPHA, lora_dropout=0.0, target_modules=TARGETS, use_dora=HAS_M[method])
        model = get_peft_model(model, config)
        reconstr = json.loads(json.dumps(RECONSTR))
        if HAS_R[method]:
            find_and_initialize(model, {"default": config}, adapter_name="default", reconstr_type="svd", reconstruct_config=reconstr, writer=None)
        values = adapter_tensors(method, base)
        modules = dict(model.named_modules())
        with torch.no_grad():
            for path, t in values.items():
                layer = modules["base_model.model." + path]
                layer.lora_A["default"].weight.copy_(t["A"])
                layer.lora_B["default"].weight.copy_(t["B"])
                if "R" in t:
                    layer.default_lora_latent_mapping.weight.copy_(t["R"])
                if "m" in t:
                    layer.lora_magnitude_vector["default"].copy_(t["m"])
                if HAS_R[method] and not HAS_M[method]:
                    layer.forward = types.MethodType(forward_latent, layer)
        d = adapter_dir(method)
        model.save_pretrained(d)
        if HAS_R[method]:
            with open(os.path.join(os.path.dirname(d), "reconstr_config.json"), "w") as f:
                json.dump(reconstr, f)
        with torch.no_grad():
            expected["logits." + method] = model.double().eval()(input_ids=ids, attention_mask=mask).logits.clone()
    return expected, {"mode": "peft", "torch": torch.__version__, "peft": peft.__version__, "transformers": transformers.__version__, "authors_code": authors}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["hand", "peft"], default="hand")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    rg = load_roberta_golden()
    expected, manifest = (peft_mode if args.mode == "peft" else hand)(rg)
    os.makedirs(OUT, exist_ok=True)
    rg.write_safetensors(os.path.join(OUT, "expected.safetensors"), expected, {"produced_by": "packages/models/scripts/make-peft-goldens.py", "mode": args.mode})
    manifest["produced_by"] = "packages/models/scripts/make-peft-goldens.py --mode " + args.mode
    manifest["methods"] = {m: os.path.relpath(adapter_dir(m), OUT) for m in METHODS}
    with open(os.path.join(OUT, "MANIFEST.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    for k, v in expected.items():
        print(k, [round(x, 6) for x in v.flatten().tolist()])


if __name__ == "__main__":
    main()
