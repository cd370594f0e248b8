import { keep, noGrad, type Tensor } from '@edora/tensor';

/**
 * torch.nn.utils.clip_grad_norm_ (L2): the norm of all gradients taken together; when it exceeds
 * `maxNorm`, every gradient is scaled by maxNorm / (norm + 1e-6). PyTorch multiplies by
 * min(1, coef) unconditionally; we skip the multiply when the factor is 1, which changes nothing.
 * Returns the total norm before clipping (Infinity or NaN when a gradient is not finite; the
 * gradients are then left as they are, as PyTorch does with error_if_nonfinite = false — the NaN
 * coefficient would only spread the NaN).
 */
export async function clipGradNorm(params: readonly Tensor[], maxNorm: number): Promise<number> {
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  let sumSquares = 0;
  for (const g of grads) {
    const s = noGrad(() => g.square().sum());
    sumSquares += await s.item();
    s.dispose();
  }
  const total = Math.sqrt(sumSquares);
  const coef = maxNorm / (total + 1e-6);
  if (Number.isFinite(total) && coef < 1) {
    for (const p of params) {
      const g = p.grad;
      if (!g) continue;
      // gradients live outside every scope, like the ones backward stores
      p.grad = keep(noGrad(() => g.mul(coef)));
      g.dispose();
    }
  }
  return total;
}
