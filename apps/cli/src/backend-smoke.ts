import {
  adamwStep, backendStats, crossEntropy, gelu, layerNorm, matmul, noGrad, ones, randn, tensor, tidy, zeros, zerosLike,
  type BackendV1, type FallbackCounts,
} from '@edora/tensor';

/**
 * One small training step (matmul, layerNorm, GELU, cross-entropy, backward, AdamW) on `backend`,
 * and the fallback runs it added: which ops ran on the host fallback or as core composites there.
 */
export async function smokeFallbacks(backend: BackendV1): Promise<FallbackCounts> {
  const before = backendStats(backend).fallbacks;
  const opts = { backend };
  const w = randn([8, 4], { seed: 1, ...opts }).requiresGrad_();
  const loss = tidy(() => {
    const x = randn([6, 8], { seed: 2, ...opts });
    const h = gelu(layerNorm(x, ones([8], opts), zeros([8], opts)));
    const l = crossEntropy(matmul(h, w), tensor(Int32Array.from([0, 1, 2, 3, 0, 1]), [6], { ...opts, dtype: 'int32' }));
    l.backward();
    return l;
  });
  noGrad(() => tidy(() => adamwStep(w, w.grad!, zerosLike(w), zerosLike(w), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 })));
  await loss.data();
  for (const t of [loss, w.grad!, w]) t.dispose();
  const after = backendStats(backend).fallbacks;
  const diff = (a: FallbackCounts['host'], b: FallbackCounts['host']): FallbackCounts['host'] =>
    Object.fromEntries(Object.entries(a).map(([op, n]) => [op, n - (b[op as keyof typeof b] ?? 0)]).filter(([, n]) => (n as number) > 0));
  return { host: diff(after.host, before.host), composite: diff(after.composite, before.composite) };
}

/** "reduce ×11, unary ×14" (or "none"). */
export function countsText(counts: FallbackCounts['host']): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([op, n]) => `${op} ×${n}`).join(', ');
}
