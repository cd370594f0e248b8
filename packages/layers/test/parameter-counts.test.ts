import { describe, expect, it } from 'vitest';
import { applyAdapters, countParameters, type AdapterMethod } from '../src/index.js';
import { robertaShaped } from './roberta-shapes.js';

// Trainable-parameter counts of SEMANTICS.md for RoBERTa-base and -large shapes (head excluded),
// with the EDoRA setup's targets.
const TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'];
const RANKS = [4, 8, 12, 16, 20, 25, 32];

const expected = {
  base: {
    modules: 48,
    lora: (r: number) => 101_376 * r,
    dora: (r: number) => 101_376 * r + 36_864,
    edora: (r: number) => 48 * r * r + 36_864,
    'lora-xs': (r: number) => 48 * r * r,
  },
  large: {
    modules: 96,
    lora: (r: number) => 270_336 * r,
    dora: (r: number) => 270_336 * r + 98_304,
    edora: (r: number) => 96 * r * r + 98_304,
    'lora-xs': (r: number) => 96 * r * r,
  },
} as const;

const shapes: Record<'base' | 'large', [number, number, number]> = { base: [768, 3072, 12], large: [1024, 4096, 24] };

describe.each(['base', 'large'] as const)('roberta-%s trainable parameters', (size) => {
  it.each(['lora', 'dora', 'edora', 'lora-xs'] as AdapterMethod[])('%s at r ∈ {4, 8, 12, 16, 20, 25, 32}', async (method) => {
    for (const r of RANKS) {
      const model = robertaShaped(...shapes[size]);
      const report = await applyAdapters(model, { method, r, alpha: 16, targetModules: TARGETS, init: method === 'edora' || method === 'lora-xs' ? 'random' : 'kaiming', seed: 1 });
      expect(report.modules.length).toBe(expected[size].modules);
      expect(report.trainable, `${method} r=${r}`).toBe(expected[size][method](r));
      const counts = countParameters(model);
      expect(counts.trainable).toBe(report.trainable);
      expect(counts.total).toBe(report.total);
    }
  });
});

describe('classification head via modulesToSave', () => {
  it('keeps the 2-label head (592,130 numbers on roberta-base) trainable next to EDoRA r=16 (49,152)', async () => {
    const model = robertaShaped(768, 3072, 12);
    const report = await applyAdapters(model, { method: 'edora', r: 16, alpha: 16, targetModules: TARGETS, modulesToSave: ['classifier'], init: 'random' });
    expect(report.modulesToSave).toEqual(['classifier']);
    expect(report.trainable).toBe(49_152 + 592_130);
    const c = countParameters(model);
    expect(c.byModule['classifier.out_proj']).toEqual({ trainable: 1538, frozen: 0, total: 1538 });
    expect(c.byKind['lora_latent_mapping']!.trainable).toBe(48 * 256);
    expect(c.byKind['lora_magnitude_vector']!.trainable).toBe(36_864);
    expect(c.byKind['lora_A']!.trainable).toBe(0);
    // the frozen encoder: 85,054,464 Linear numbers (weights + biases of 72 Linear layers)
    expect(c.byKind['weight']!.frozen + c.byKind['bias']!.frozen).toBe(12 * (4 * (768 * 768 + 768) + 768 * 3072 + 3072 + 3072 * 768 + 768));
  });
});
