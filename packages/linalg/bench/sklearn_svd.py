# scikit-learn side of the EDoRA-init row of packages/linalg/bench/index.ts: the top-16 left
# singular vectors of RoBERTa-base's 48 EDoRA targets (per layer three 768x768 and one 768x3072,
# N(0, 0.02^2) float32) by sklearn's randomized_svd with the settings of @edora/layers'
# EDORA_SVD_DEFAULTS (10 oversamples, 10 LU-normalized power iterations), which is what the
# EDoRA authors' TruncatedSVD runs. Prints one JSON line: wall and process-CPU milliseconds.
# Debian: sudo apt-get install python3-sklearn. Usage: sklearn_svd.py <threads>
import json
import os
import sys
import time

threads = sys.argv[1] if len(sys.argv) > 1 else '1'
for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(var, threads)

import numpy as np  # noqa: E402  (after the thread settings, which BLAS reads at load)
import sklearn  # noqa: E402
from sklearn.utils.extmath import randomized_svd  # noqa: E402

rng = np.random.default_rng(0)
ws = []
for layer in range(12):
    for _ in range(3):
        ws.append((rng.standard_normal((768, 768)) * 0.02).astype(np.float32))
    ws.append((rng.standard_normal((768, 3072)) * 0.02).astype(np.float32))

randomized_svd(ws[0], 16, n_oversamples=10, n_iter=10, power_iteration_normalizer='LU', random_state=42)  # warm-up
t0 = time.perf_counter()
c0 = time.process_time()
for w in ws:
    randomized_svd(w, 16, n_oversamples=10, n_iter=10, power_iteration_normalizer='LU', random_state=42)
print(json.dumps({'ms': (time.perf_counter() - t0) * 1000, 'cpuMs': (time.process_time() - c0) * 1000, 'sklearn': sklearn.__version__, 'threads': threads}))
