import { assign, noGrad, randn, tidy, zeros, ones, type Tensor } from '@edora/tensor';
import { Embedding, LayerNorm, Linear, type Module } from '@edora/layers';

/**
 * HF's `RobertaPreTrainedModel._init_weights`: Linear and Embedding weights N(0, range²), biases
 * zero, the embedding padding row zero, LayerNorm weight one and bias zero. Applied to every
 * module under `root` (call it on a head alone to re-initialize just the head).
 *
 * With a seed each parameter draws from its own span of the counter-based stream (offset = the
 * elements drawn before it), so the weights do not depend on the global RNG state or the backend.
 */
export function initRobertaWeights(root: Module, initializerRange: number, seed?: number): void {
  let offset = 0;
  const normal = (t: Tensor): void => {
    tidy(() => assign(t, randn(t.shape, { std: initializerRange, dtype: t.dtype, backend: t.backend, ...(seed === undefined ? {} : { seed, offset }) })));
    offset += t.size;
  };
  noGrad(() => {
    for (const [, m] of root.namedModules()) {
      if (m instanceof Linear) {
        normal(m.weight);
        if (m.bias) tidy(() => assign(m.bias!, zeros(m.bias!.shape, { dtype: m.bias!.dtype, backend: m.bias!.backend })));
      } else if (m instanceof Embedding) {
        normal(m.weight);
        const pad = m.paddingIdx;
        if (pad !== undefined) tidy(() => assign(m.weight.slice(0, pad, pad + 1), 0));
      } else if (m instanceof LayerNorm) {
        tidy(() => {
          assign(m.weight, ones(m.weight.shape, { dtype: m.weight.dtype, backend: m.weight.backend }));
          assign(m.bias, zeros(m.bias.shape, { dtype: m.bias.dtype, backend: m.bias.backend }));
        });
      }
    }
  });
}
