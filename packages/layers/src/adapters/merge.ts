import type { Module } from '../module.js';
import { AdaptedLinear } from './adapted-linear.js';
import { clearAdapterConfig } from './apply.js';

function adapted(model: Module): [string, AdaptedLinear][] {
  return model.namedModules().filter((e): e is [string, AdaptedLinear] => e[1] instanceof AdaptedLinear);
}

/** Folds every adapter into its base weight (see AdaptedLinear#merge); returns the merged paths. */
export function merge(model: Module): string[] {
  return adapted(model).map(([p, m]) => (m.merge(), p));
}

/** Restores every base weight merged by `merge`; returns the unmerged paths. */
export function unmerge(model: Module): string[] {
  return adapted(model).map(([p, m]) => (m.unmerge(), p));
}

/**
 * Merges every adapter and puts the plain base Linear back at its path, leaving a model without
 * adapters (PEFT's merge_and_unload). The adapter factors are disposed; the model is returned.
 */
export function mergeAndUnload<M extends Module>(model: M): M {
  for (const [path, m] of adapted(model)) {
    m.merge();
    model.setSubmodule(path, m.base);
    for (const [name, p] of m.namedParameters()) if (!name.startsWith('base_layer.')) p.dispose();
  }
  clearAdapterConfig(model);
  return model;
}
