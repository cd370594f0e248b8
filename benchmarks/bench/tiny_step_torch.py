# PyTorch side of the `tiny`-preset EDoRA training step on the wasm backend (bench/tiny-step.ts).
#
# The model is written here by hand from HF's RoBERTa semantics and the EDoRA formula (no
# transformers, no PEFT, nothing shared with the TypeScript code), so both sides do the same work:
#   RoBERTa encoder (word + position + token-type embeddings, LayerNorm, dropout; per layer
#   self-attention with dropout on the probabilities, output dense + dropout + residual +
#   LayerNorm, intermediate dense + erf GELU, output dense + dropout + residual + LayerNorm),
#   classification head on token 0 (dropout, dense, tanh, dropout, out_proj), cross-entropy;
#   EDoRA r on query, value, attention.output.dense and output.dense:
#     y = b + g * (x Wᵀ + s·x Aᵀ Rᵀ Bᵀ),  g = m / ‖W + s·B R A‖_row (detached)
#   with W, b, A, B frozen and R, m and the head trained by torch.optim.AdamW.
# One step = forward + backward + AdamW step + zero_grad (set to None), train mode (dropout on),
# float32, as the TypeScript side times it.
#
# Usage: tiny_step_torch.py '<json config>' — keys: threads, batch, seq, vocab, hidden, layers,
# heads, ffn, eps, dropout, r, alpha, labels, steps, and optionally device ("cuda": everything on
# the GPU, each step synchronized; the CUDA backend's bench/gpu-run.sh uses it for roberta-base).
# Prints one JSON line: median wall and process-CPU milliseconds per step; on a GPU also the
# EDoRA setup time (initS: random weights and the 48 SVDs for roberta-base) and peak memory.
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg['threads'])
torch.manual_seed(0)
DEV = cfg.get('device', 'cpu')
if DEV != 'cpu':
    # torch >= 2.0 (the GPU image); Debian's python3-torch 1.13, which the CPU rows use, has no
    # set_default_device and needs none
    torch.set_default_device(DEV)


def sync():
    if DEV != 'cpu':
        torch.cuda.synchronize()
H, FFN, NH, EPS, P = cfg['hidden'], cfg['ffn'], cfg['heads'], cfg['eps'], cfg['dropout']
R, S = cfg['r'], cfg['alpha'] / cfg['r']


def frozen(*shape, std=0.02):
    return torch.randn(*shape) * std


class Dense:
    """A frozen Linear (weight [out, in], bias [out])."""

    def __init__(self, n_in, n_out):
        self.w, self.b = frozen(n_out, n_in), torch.zeros(n_out)

    def __call__(self, x):
        return F.linear(x, self.w, self.b)

    def trainable(self):
        return []


class EDoRA(Dense):
    """A frozen Linear with the EDoRA adapter: B, A from W's top-r SVD; R ~ N(0, 1e-10); m = ‖W‖_row."""

    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out)
        u, sv, vh = torch.linalg.svd(self.w, full_matrices=False)
        self.B = u[:, :R].contiguous()
        self.A = (self.B.T @ self.w).contiguous()
        self.R = (torch.randn(R, R) * 1e-5).requires_grad_()
        self.m = self.w.norm(dim=1).requires_grad_()

    def __call__(self, x):
        with torch.no_grad():
            norm = (self.w + S * (self.B @ self.R @ self.A)).norm(dim=1)
        low = ((x @ self.A.T) @ self.R.T * S) @ self.B.T
        return (x @ self.w.T + low) * (self.m / norm) + self.b

    def trainable(self):
        return [self.R, self.m]


class Layer:
    def __init__(self):
        self.q, self.k, self.v = EDoRA(H, H), Dense(H, H), EDoRA(H, H)
        self.attn_out, self.ln1 = EDoRA(H, H), (torch.ones(H), torch.zeros(H))
        self.inter, self.out, self.ln2 = Dense(H, FFN), EDoRA(FFN, H), (torch.ones(H), torch.zeros(H))

    def __call__(self, x, add_mask):
        b, t, _ = x.shape
        d = H // NH
        heads = lambda y: y.view(b, t, NH, d).transpose(1, 2)
        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(d) + add_mask
        probs = F.dropout(scores.softmax(-1), P, training=True)
        ctx = (probs @ v).transpose(1, 2).reshape(b, t, H)
        x = F.layer_norm(F.dropout(self.attn_out(ctx), P, training=True) + x, (H,), *self.ln1, EPS)
        y = self.out(F.gelu(self.inter(x)))
        return F.layer_norm(F.dropout(y, P, training=True) + x, (H,), *self.ln2, EPS)

    def trainable(self):
        return [p for m in (self.q, self.k, self.v, self.attn_out, self.inter, self.out) for p in m.trainable()]


t_init = time.perf_counter()
word, pos, tok = frozen(cfg['vocab'], H), frozen(cfg['seq'] + 2, H), frozen(1, H)
layers = [Layer() for _ in range(cfg['layers'])]
sync()
init_s = time.perf_counter() - t_init
head_dense = torch.nn.Linear(H, H)
head_out = torch.nn.Linear(H, cfg['labels'])
params = [p for l in layers for p in l.trainable()] + list(head_dense.parameters()) + list(head_out.parameters())
opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)

B, T = cfg['batch'], cfg['seq']
ids = torch.randint(4, cfg['vocab'] - 1, (B, T))
ids[:, 0] = 0
labels = torch.arange(B) % cfg['labels']
positions = torch.arange(2, T + 2)  # padding_idx + 1 + running count (no padding here)
add_mask = torch.zeros(B, 1, 1, T)  # attention mask all ones, as on the TypeScript side


def step():
    x = word[ids] + pos[positions] + tok[0]
    x = F.dropout(F.layer_norm(x, (H,), torch.ones(H), torch.zeros(H), EPS), P, training=True)
    for l in layers:
        x = l(x, add_mask)
    first = F.dropout(x[:, 0], P, training=True)
    logits = head_out(F.dropout(torch.tanh(head_dense(first)), P, training=True))
    F.cross_entropy(logits, labels).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)


step()
step()
sync()
wall, cpu = [], []
for _ in range(cfg['steps']):
    t0, c0 = time.perf_counter(), time.process_time()
    step()
    sync()
    cpu.append((time.process_time() - c0) * 1000)
    wall.append((time.perf_counter() - t0) * 1000)
result = {'ms': statistics.median(wall), 'cpuMs': statistics.median(cpu)}
if DEV != 'cpu':
    result.update(device=torch.cuda.get_device_name(), initS=init_s, peakMiB=torch.cuda.max_memory_allocated() / 2**20,
                  tokensPerS=cfg['batch'] * cfg['seq'] / (statistics.median(wall) / 1000), torch=torch.__version__)
print(json.dumps(result))
