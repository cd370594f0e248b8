import { ADAPTER_METHODS, type AdapterMethod } from '@edora/layers';
import { ArgumentError } from '@edora/tensor';

/** What the training form sets; each field is checked before a run starts. */
export interface TrainSettings {
  method: AdapterMethod;
  rank: number;
  /** LoRA alpha (scale s = alpha / r). */
  alpha: number;
  lr: number;
  headLr: number;
  epochs: number;
  batchSize: number;
  seed: number;
  maxLength: number;
}

/** The CLI demo's settings (`edora demo`), which learn the synthetic task in a minute or two. */
export const DEFAULT_SETTINGS: Readonly<TrainSettings> = Object.freeze({
  method: 'edora', rank: 8, alpha: 16, lr: 5e-3, headLr: 5e-3, epochs: 6, batchSize: 32, seed: 1, maxLength: 64,
});

const INTEGER_FIELDS = ['rank', 'epochs', 'batchSize', 'seed', 'maxLength'] as const;
const POSITIVE_FIELDS = ['alpha', 'lr', 'headLr'] as const;

/** The settings, checked: a bad field is an `ArgumentError` naming it, what was expected and what was found. */
export function checkSettings(s: TrainSettings): TrainSettings {
  if (!ADAPTER_METHODS.includes(s.method)) throw new ArgumentError(`method: expected one of ${ADAPTER_METHODS.join(', ')}; found ${JSON.stringify(s.method)}`);
  for (const k of INTEGER_FIELDS) {
    const min = k === 'seed' ? 0 : k === 'maxLength' ? 4 : 1;
    if (!Number.isInteger(s[k]) || s[k] < min) throw new ArgumentError(`${k}: expected an integer ≥ ${min}; found ${s[k]}`);
  }
  for (const k of POSITIVE_FIELDS) {
    if (!Number.isFinite(s[k]) || s[k] <= 0) throw new ArgumentError(`${k}: expected a positive number; found ${s[k]}`);
  }
  return s;
}
