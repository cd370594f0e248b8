import { Linear, matchesTarget, METHOD_TRAITS, type AdapterMethod, type Module } from '@edora/layers';
import { ROBERTA_ADAPTER_TARGETS, ROBERTA_HEAD } from '@edora/models';

/**
 * How many numbers a method at rank r would train on this model, read off its modules before any
 * adapter exists (so the form can show it as the user types): per target Linear (in → out),
 * A and B when the method trains them (r·(in + out)), R (r²), the magnitude (out); plus the head.
 */
export function plannedTrainable(model: Module, method: AdapterMethod, r: number): number {
  const traits = METHOD_TRAITS[method];
  let count = 0;
  for (const [path, m] of model.namedModules()) {
    if (path === '' || !(m instanceof Linear)) continue;
    if (path === ROBERTA_HEAD || path.startsWith(`${ROBERTA_HEAD}.`)) continue;
    if (!matchesTarget(path, ROBERTA_ADAPTER_TARGETS)) continue;
    if (traits.trainsAB) count += r * (m.inFeatures + m.outFeatures);
    if (traits.hasR) count += r * r;
    if (traits.hasMagnitude) count += m.outFeatures;
  }
  for (const [, p] of model.getSubmodule(ROBERTA_HEAD).namedParameters()) count += p.size;
  return count;
}
