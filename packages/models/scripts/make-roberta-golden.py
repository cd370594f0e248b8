#!/usr/bin/python3
"""Golden fixtures for @edora/models' RoBERTa: an independent float64 reference.

How it was made: `/usr/bin/python3 packages/models/scripts/make-roberta-golden.py` (Debian
bookworm's python3-torch 1.13, CPU) from the repository root. It writes into
packages/models/test/fixtures/tiny-roberta/:

- config.json            an HF-style RoBERTa config (tiny: vocab 320, hidden 32, 2 layers, 4 heads)
- model.safetensors      float32 weights with HF key names (`roberta.*` and `lm_head.*`, the decoder
                         tied to the word embeddings and stored only through `lm_head.bias`), i.e. the
                         layout HF's RobertaForMaskedLM.save_pretrained writes
- head-3.safetensors     `classifier.*` for a 3-label classification head
- head-1.safetensors     `classifier.*` for a 1-label regression head
- golden.safetensors     float64 outputs for a padded batch: hidden states after the embeddings and
                         after each layer, classification / regression / masked-LM logits, their
                         losses, and gradients of the classification loss for a few parameters

HF transformers cannot be installed here, so the model below is written by hand from HF's
semantics (shared/docs/SEMANTICS.md, "RoBERTa"), independently of the TypeScript code. The weights
are float32 values; every computation runs in float64 so the golden numbers carry no float32
rounding of their own. Weights are drawn larger than HF's N(0, 0.02) init so every block changes
its input noticeably (a bug in any block then shows in the outputs).
"""
import json
import os
import struct

import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "tiny-roberta")

CONFIG = {
    "architectures": ["RobertaForMaskedLM"],
    "model_type": "roberta",
    "vocab_size": 320,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 64,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 64,
    "type_vocab_size": 1,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-05,
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "position_embedding_type": "absolute",
}
H = CONFIG["hidden_size"]
I = CONFIG["intermediate_size"]
V = CONFIG["vocab_size"]
P = CONFIG["max_position_embeddings"]
NH = CONFIG["num_attention_heads"]
L = CONFIG["num_hidden_layers"]
EPS = CONFIG["layer_norm_eps"]
PAD = CONFIG["pad_token_id"]
F32_MIN = torch.finfo(torch.float32).min

gen = torch.Generator().manual_seed(20240607)


def f32(t):
    """Round to float32 (the checkpoint's dtype) but keep computing in float64."""
    return t.to(torch.float32).to(torch.float64)


def normal(*shape, std):
    return f32(torch.randn(*shape, generator=gen) * std)


def linear(name, out_f, in_f, w):
    w[name + ".weight"] = normal(out_f, in_f, std=1.0 / in_f**0.5 * 1.2)
    w[name + ".bias"] = normal(out_f, std=0.1)


def layer_norm_params(name, w):
    w[name + ".weight"] = f32(1.0 + torch.randn(H, generator=gen) * 0.1)
    w[name + ".bias"] = normal(H, std=0.1)


def make_weights():
    w = {}
    w["roberta.embeddings.word_embeddings.weight"] = normal(V, H, std=0.5)
    w["roberta.embeddings.position_embeddings.weight"] = normal(P, H, std=0.5)
    w["roberta.embeddings.token_type_embeddings.weight"] = normal(1, H, std=0.5)
    layer_norm_params("roberta.embeddings.LayerNorm", w)
    for i in range(L):
        p = f"roberta.encoder.layer.{i}."
        for n in ("query", "key", "value"):
            linear(p + "attention.self." + n, H, H, w)
        linear(p + "attention.output.dense", H, H, w)
        layer_norm_params(p + "attention.output.LayerNorm", w)
        linear(p + "intermediate.dense", I, H, w)
        linear(p + "output.dense", H, I, w)
        layer_norm_params(p + "output.LayerNorm", w)
    linear("lm_head.dense", H, H, w)
    layer_norm_params("lm_head.layer_norm", w)
    w["lm_head.bias"] = normal(V, std=0.1)
    return w


def make_head(num_labels):
    w = {}
    linear("classifier.dense", H, H, w)
    linear("classifier.out_proj", num_labels, H, w)
    return w


# --- the model, from HF's semantics -------------------------------------------------------------

def lin(x, w, name):
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def ln(x, w, name):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)  # biased variance, as torch.nn.LayerNorm
    return (x - mu) / torch.sqrt(var + EPS) * w[name + ".weight"] + w[name + ".bias"]


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / 2.0**0.5))


def position_ids(ids):
    # padding_idx + running count of non-pad tokens; pads keep padding_idx.
    real = (ids != PAD).long()
    return torch.cumsum(real, dim=1) * real + PAD


def encoder(ids, mask, w):
    B, T = ids.shape
    x = (
        w["roberta.embeddings.word_embeddings.weight"][ids]
        + w["roberta.embeddings.position_embeddings.weight"][position_ids(ids)]
        + w["roberta.embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
    )
    x = ln(x, w, "roberta.embeddings.LayerNorm")
    states = [x]
    d = H // NH
    additive = (1.0 - mask[:, None, None, :].to(torch.float64)) * F32_MIN
    for i in range(L):
        p = f"roberta.encoder.layer.{i}."

        def heads(t):
            return t.view(B, T, NH, d).permute(0, 2, 1, 3)

        q = heads(lin(x, w, p + "attention.self.query"))
        k = heads(lin(x, w, p + "attention.self.key"))
        v = heads(lin(x, w, p + "attention.self.value"))
        scores = q @ k.transpose(-1, -2) / d**0.5 + additive
        ctx = (torch.softmax(scores, dim=-1) @ v).permute(0, 2, 1, 3).reshape(B, T, H)
        x = ln(lin(ctx, w, p + "attention.output.dense") + x, w, p + "attention.output.LayerNorm")
        h = gelu(lin(x, w, p + "intermediate.dense"))
        x = ln(lin(h, w, p + "output.dense") + x, w, p + "output.LayerNorm")
        states.append(x)
    return states


def classify(features, w):
    x = torch.tanh(lin(features[:, 0, :], w, "classifier.dense"))
    return lin(x, w, "classifier.out_proj")


def masked_lm(features, w):
    x = ln(gelu(lin(features, w, "lm_head.dense")), w, "lm_head.layer_norm")
    return x @ w["roberta.embeddings.word_embeddings.weight"].T + w["lm_head.bias"]


# --- inputs -----------------------------------------------------------------------------------

def make_batch():
    lengths = [9, 5, 2]  # <s> ... </s>, the last one an empty sentence
    T = max(lengths)
    ids = torch.full((len(lengths), T), PAD, dtype=torch.long)
    mask = torch.zeros((len(lengths), T), dtype=torch.long)
    for b, n in enumerate(lengths):
        body = torch.randint(4, V, (n - 2,), generator=gen)
        ids[b, :n] = torch.cat([torch.tensor([0]), body, torch.tensor([2])])
        mask[b, :n] = 1
    return ids, mask


# --- safetensors, written by hand (https://github.com/huggingface/safetensors format) ----------

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32"}


def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        data = t.numpy().tobytes()  # little-endian on x86
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)


def main():
    os.makedirs(OUT, exist_ok=True)
    # The hand-written blocks must agree with torch's own modules.
    x = torch.randn(4, H, generator=gen)
    probe = {"n.weight": torch.rand(H, generator=gen), "n.bias": torch.rand(H, generator=gen)}
    assert torch.allclose(ln(x, probe, "n"), torch.nn.functional.layer_norm(x, (H,), probe["n.weight"], probe["n.bias"], EPS))
    assert torch.allclose(gelu(x), torch.nn.functional.gelu(x))
    w = make_weights()
    heads = {3: make_head(3), 1: make_head(1)}
    ids, mask = make_batch()

    states = encoder(ids, mask, w)
    features = states[-1]
    cls_w = {**w, **heads[3]}
    reg_w = {**w, **heads[1]}
    logits3 = classify(features, cls_w)
    logits1 = classify(features, reg_w)
    mlm = masked_lm(features, w)

    labels3 = torch.tensor([2, 0, 1])
    labels1 = torch.tensor([0.5, 3.25, -1.0], dtype=torch.float64)
    mlm_labels = torch.full(ids.shape, -100, dtype=torch.long)
    mlm_labels[0, 3] = ids[0, 3]
    mlm_labels[0, 6] = 17
    mlm_labels[1, 2] = 250
    ce = torch.nn.functional.cross_entropy(logits3, labels3)
    mse = torch.mean((logits1.squeeze(-1) - labels1) ** 2)
    mlm_loss = torch.nn.functional.cross_entropy(mlm.reshape(-1, V), mlm_labels.reshape(-1), ignore_index=-100)

    # Gradients of the classification loss, by torch autograd on the float64 graph above.
    grad_names = [
        "roberta.embeddings.word_embeddings.weight",
        "roberta.embeddings.LayerNorm.weight",
        "roberta.encoder.layer.0.attention.self.query.weight",
        "roberta.encoder.layer.0.attention.self.value.bias",
        "roberta.encoder.layer.1.intermediate.dense.weight",
        "classifier.dense.weight",
        "classifier.out_proj.bias",
    ]
    leaves = {k: v.clone().requires_grad_(k in grad_names) for k, v in cls_w.items()}
    loss = torch.nn.functional.cross_entropy(classify(encoder(ids, mask, leaves)[-1], leaves), labels3)
    loss.backward()

    golden = {
        "input_ids": ids.to(torch.int32),
        "attention_mask": mask.to(torch.int32),
        "labels3": labels3.to(torch.int32),
        "labels1": labels1,
        "mlm_labels": mlm_labels.to(torch.int32),
        "logits3": logits3,
        "logits1": logits1,
        "mlm_logits": mlm,
        "loss3": ce.reshape(1),
        "loss1": mse.reshape(1),
        "mlm_loss": mlm_loss.reshape(1),
    }
    for i, s in enumerate(states):
        golden[f"hidden_states.{i}"] = s
    for k in grad_names:
        golden["grad." + k] = leaves[k].grad
    meta = {"produced_by": "packages/models/scripts/make-roberta-golden.py", "torch": torch.__version__}

    to32 = lambda d: {k: v.to(torch.float32) for k, v in d.items()}
    write_safetensors(os.path.join(OUT, "model.safetensors"), to32(w), {"format": "pt", **meta})
    write_safetensors(os.path.join(OUT, "head-3.safetensors"), to32(heads[3]), {"format": "pt", **meta})
    write_safetensors(os.path.join(OUT, "head-1.safetensors"), to32(heads[1]), {"format": "pt", **meta})
    write_safetensors(os.path.join(OUT, "golden.safetensors"), golden, meta)
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
        f.write("\n")
    print("loss3", ce.item(), "loss1", mse.item(), "mlm", mlm_loss.item())


if __name__ == "__main__":
    main()
