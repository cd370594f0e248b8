import type { Tensor } from '@edora/tensor';
import type { Module } from '../module.js';
import { AdaptedLinear } from './adapted-linear.js';

/**
 * PEFT's `mag_norm_scale` (m / ‖W + ΔW‖_row, [out], no gradient) of every DoRA / EDoRA layer of a
 * model, by module path, in module order; empty for LoRA and LoRA-XS. The caller owns the tensors.
 */
export function magNormScales(model: Module): Map<string, Tensor> {
  const scales = new Map<string, Tensor>();
  for (const [path, m] of model.namedModules()) {
    if (!(m instanceof AdaptedLinear)) continue;
    const g = m.magNormScale();
    if (g) scales.set(path, g);
  }
  return scales;
}
