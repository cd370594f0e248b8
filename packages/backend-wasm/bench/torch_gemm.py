# PyTorch side of the backend-wasm GEMM benchmark: reads "M K N" shapes from argv, prints one JSON
# line per shape with the median wall milliseconds of C = A @ B (float32, row-major) on `threads`
# threads, and the median process CPU milliseconds (all threads) of the same runs.
# Run by bench/index.ts with OMP_WAIT_POLICY=PASSIVE OPENBLAS_THREAD_TIMEOUT=4 (see ARCHITECTURE).
import json
import statistics
import sys
import time

import torch

threads = int(sys.argv[1])
torch.set_num_threads(threads)
for spec in sys.argv[2:]:  # "MxKxN"
    m, k, n = (int(x) for x in spec.split('x'))
    a = torch.randn(m, k)
    b = torch.randn(k, n)
    a @ b  # warm-up
    reps = 3 if m * n * k > 1e9 else 7
    times = []
    cpu = []
    for _ in range(reps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        a @ b
        cpu.append((time.process_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({'shape': spec, 'threads': threads, 'ms': statistics.median(times), 'cpuMs': statistics.median(cpu)}))
