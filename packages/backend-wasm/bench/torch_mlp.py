# PyTorch side of the backend-wasm MLP step benchmark: the same 2-layer MLP as bench/index.ts
# (x 256×512 → Linear 1024 → GELU(erf) → Linear 512, loss = mean(y²), forward + backward, float32),
# median wall and process-CPU milliseconds per step on `threads` threads, printed as one JSON line.
import json
import statistics
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
x = torch.randn(256, 512)
w1 = (torch.randn(512, 1024) * 0.05).requires_grad_()
w2 = (torch.randn(1024, 512) * 0.05).requires_grad_()


def step():
    loss = torch.nn.functional.gelu(x @ w1).matmul(w2).square().mean()
    loss.backward()
    w1.grad = None
    w2.grad = None


step()
times = []
cpu = []
for _ in range(10):
    t0 = time.perf_counter()
    c0 = time.process_time()
    step()
    cpu.append((time.process_time() - c0) * 1000)
    times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({'ms': statistics.median(times), 'cpuMs': statistics.median(cpu)}))
