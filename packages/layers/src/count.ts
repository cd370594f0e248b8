import type { Module } from './module.js';

export interface ParameterTally {
  trainable: number;
  frozen: number;
  total: number;
}

export interface ParameterCount extends ParameterTally {
  /** By module path, counting each module's own parameters (not its children's). */
  byModule: Record<string, ParameterTally>;
  /** By parameter name (`weight`, `bias`, `lora_A`, `lora_magnitude_vector`, …). */
  byKind: Record<string, ParameterTally>;
}

/** Trainable (requiresGrad), frozen and total numbers of a model, in total, by module and by kind. */
export function countParameters(model: Module): ParameterCount {
  const out: ParameterCount = { trainable: 0, frozen: 0, total: 0, byModule: {}, byKind: {} };
  const add = (t: ParameterTally, size: number, trainable: boolean): void => {
    t.total += size;
    if (trainable) t.trainable += size;
    else t.frozen += size;
  };
  for (const [path, p] of model.namedParameters()) {
    const dot = path.lastIndexOf('.');
    const owner = dot < 0 ? '' : path.slice(0, dot);
    const kind = path.slice(dot + 1);
    add(out, p.size, p.requiresGrad);
    add((out.byModule[owner] ??= { trainable: 0, frozen: 0, total: 0 }), p.size, p.requiresGrad);
    add((out.byKind[kind] ??= { trainable: 0, frozen: 0, total: 0 }), p.size, p.requiresGrad);
  }
  return out;
}
