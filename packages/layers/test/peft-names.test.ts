import { describe, expect, it } from 'vitest';
import { applyAdapters, parameterNameFromPeft, peftNamedParameters, peftParameterName, type AdapterMethod } from '../src/index.js';
import { TinyEncoder } from './tiny-encoder.js';

/**
 * In-memory names, as `PeftModel.named_parameters()` lists them in PEFT 0.10.0 for a RoBERTa
 * SEQ_CLS model with adapters on query/value (written out from PEFT's layer classes: lora_A /
 * lora_B are ModuleDicts of Linears keyed by adapter name, lora_magnitude_vector a ParameterDict,
 * the head a ModulesToSaveWrapper with `modules_to_save.default` and the frozen `original_module`;
 * the EDoRA authors' R is the Linear attribute `default_lora_latent_mapping`).
 */
const q = 'base_model.model.roberta.encoder.layer.0.attention.self.query';
const PEFT_NAMES: Record<AdapterMethod, string[]> = {
  lora: [`${q}.base_layer.weight`, `${q}.base_layer.bias`, `${q}.lora_A.default.weight`, `${q}.lora_B.default.weight`],
  dora: [`${q}.base_layer.weight`, `${q}.base_layer.bias`, `${q}.lora_A.default.weight`, `${q}.lora_B.default.weight`, `${q}.lora_magnitude_vector.default`],
  edora: [`${q}.base_layer.weight`, `${q}.base_layer.bias`, `${q}.lora_A.default.weight`, `${q}.lora_B.default.weight`, `${q}.default_lora_latent_mapping.weight`, `${q}.lora_magnitude_vector.default`],
  'lora-xs': [`${q}.base_layer.weight`, `${q}.base_layer.bias`, `${q}.lora_A.default.weight`, `${q}.lora_B.default.weight`, `${q}.default_lora_latent_mapping.weight`],
};
const HEAD = ['dense.weight', 'dense.bias', 'out_proj.weight', 'out_proj.bias'];

describe.each(Object.keys(PEFT_NAMES) as AdapterMethod[])('%s: parameter names in memory, ours ↔ PEFT\'s', (method) => {
  it('peftNamedParameters gives PEFT\'s names for every parameter, and parameterNameFromPeft maps each back', async () => {
    const model = new TinyEncoder(8);
    await applyAdapters(model, { method, r: 2, targetModules: ['query', 'value'], seed: 1 });
    const named = peftNamedParameters(model);
    const names = named.map(([n]) => n);
    const query = names.filter((n) => n.startsWith(`${q}.`));
    expect(new Set(query)).toEqual(new Set(PEFT_NAMES[method]));
    expect(names.filter((n) => n.includes('classifier'))).toEqual(HEAD.map((p) => `base_model.model.classifier.modules_to_save.default.${p}`));
    expect(names).toHaveLength(model.namedParameters().length);
    // the same tensors, and each name maps back to ours
    const ours = new Map(model.namedParameters());
    for (const [peft, p] of named) expect(ours.get(parameterNameFromPeft(peft))).toBe(p);
  });
});

describe('single names', () => {
  it('maps ours to PEFT\'s in memory, file keys and PEFT\'s frozen head copy back to ours', () => {
    const path = 'roberta.encoder.layer.1.attention.self.value';
    expect(peftParameterName(`${path}.lora_A`)).toBe(`base_model.model.${path}.lora_A.default.weight`);
    expect(peftParameterName(`${path}.lora_magnitude_vector`)).toBe(`base_model.model.${path}.lora_magnitude_vector.default`);
    expect(peftParameterName('classifier.out_proj.bias')).toBe('base_model.model.classifier.modules_to_save.default.out_proj.bias');
    // a module the caller lists to save, not the head
    expect(peftParameterName('pooler.dense.weight', ['pooler'])).toBe('base_model.model.pooler.modules_to_save.default.dense.weight');
    expect(peftParameterName('pooler.dense.weight')).toBe('base_model.model.pooler.dense.weight');
    // back: in-memory names, file keys (both spellings of R), and original_module
    expect(parameterNameFromPeft(`base_model.model.${path}.lora_B.default.weight`)).toBe(`${path}.lora_B`);
    expect(parameterNameFromPeft(`base_model.model.${path}.lora_B.weight`)).toBe(`${path}.lora_B`);
    expect(parameterNameFromPeft(`base_model.model.${path}_lora_latent_mapping.weight`)).toBe(`${path}.lora_latent_mapping`);
    expect(parameterNameFromPeft(`base_model.model.${path}.default_lora_latent_mapping.weight`)).toBe(`${path}.lora_latent_mapping`);
    expect(parameterNameFromPeft(`base_model.model.${path}.lora_magnitude_vector`)).toBe(`${path}.lora_magnitude_vector`);
    expect(parameterNameFromPeft('base_model.model.classifier.original_module.dense.weight')).toBe('classifier.dense.weight');
    expect(parameterNameFromPeft('base_model.model.classifier.dense.weight')).toBe('classifier.dense.weight');
    expect(parameterNameFromPeft(`base_model.model.${path}.base_layer.weight`)).toBe(`${path}.base_layer.weight`);
  });
});
