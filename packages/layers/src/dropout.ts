import { ArgumentError, dropout, type Tensor } from '@edora/tensor';
import { Module } from './module.js';

/**
 * Inverted dropout with probability p in training mode, identity in eval mode. Masks come from the
 * default RNG stream (`manualSeed`), so a seeded run is reproducible on every backend.
 */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new ArgumentError(`Dropout: p must be in [0, 1), got ${p}`);
    this.p = p;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training });
  }
}
