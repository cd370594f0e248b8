import { assign, noGrad, randn, tidy, type Tensor } from '@edora/tensor';
import { Embedding, LayerNorm, Linear, type Module } from '@edora/layers';

/**
 * HF's `RobertaPreTrainedModel._init_weights`: Linear and Embedding weights N(0, range²), biases
 * zero, the embedding padding row zero, LayerNorm weight one and bias zero. Applied to every
 * module under `root` (call it on a head alone to re-initialize just the head).
 *
 * With a seed each parameter draws from its own span of the counter-based stream (offset = the
 * elements drawn before it), so the weights do not depend on the global RNG state or the backend.
 *
 * `only` restricts the init to those parameters (the ones a checkpoint lacked); each gets the
 * values a full init with the same seed gives it, and nothing else is drawn or written.
 */
export function initRobertaWeights(root: Module, initializerRange: number, seed?: number, only?: ReadonlySet<Tensor>): void {
  const chosen = (t: Tensor | null): t is Tensor => t !== null && (only === undefined || only.has(t));
  let offset = 0;
  const normal = (t: Tensor): void => {
    if (chosen(t)) {
      const draw = seed === undefined ? {} : { seed, offset };
      tidy(() => assign(t, randn(t.shape, { std: initializerRange, dtype: t.dtype, backend: t.backend, ...draw })));
    }
    offset += t.size;
  };
  const fill = (t: Tensor | null, value: number): void => {
    if (chosen(t)) assign(t, value);
  };
  noGrad(() => {
    for (const [, m] of root.namedModules()) {
      if (m instanceof Linear) {
        normal(m.weight);
        fill(m.bias, 0);
      } else if (m instanceof Embedding) {
        normal(m.weight);
        const pad = m.paddingIdx;
        if (pad !== undefined && chosen(m.weight)) tidy(() => assign(m.weight.slice(0, pad, pad + 1), 0));
      } else if (m instanceof LayerNorm) {
        fill(m.weight, 1);
        fill(m.bias, 0);
      }
    }
  });
}

/** A task head's seed: the model's plus one, so the head does not repeat the encoder's first numbers. */
export function headSeed(seed: number | undefined): number | undefined {
  return seed === undefined ? undefined : seed + 1;
}
