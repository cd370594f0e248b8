import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend, readSafetensors, tensor, useBackend, type Tensor } from '@edora/tensor';
import { readSafetensorsFile } from '@edora/tensor/node';
import { adapterToFiles, type AdapterMethod } from '@edora/layers';
import { loadAdapter } from '@edora/layers/node';
import { RobertaForSequenceClassification } from '../src/index.js';
import { fromPretrained } from '../src/node.js';
import { FIXTURE_DIR, readGolden, relativeError, type Golden } from './helpers.js';

// The round trip with Python's adapter folders (scripts/make-peft-goldens.py; MANIFEST.json says
// which mode made the committed files: "hand" = PEFT 0.10.0's and the EDoRA authors' layout written
// from their source, logits from a float64 torch model independent of this code; "peft" = real
// PEFT 0.10.0 + transformers 4.40.1 + the authors' code). Each folder must load and give its
// logits, and saving the loaded model must give back the same file layout.
const GOLDENS = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/peft-goldens');
const METHODS: AdapterMethod[] = ['lora', 'dora', 'edora', 'lora-xs'];
const TOL = 1e-5;

let manifest: { mode: string; methods: Record<AdapterMethod, string> };
let expected: Map<string, Float64Array>;
let golden: Map<string, Golden>;
const folder = (m: AdapterMethod): string => join(GOLDENS, manifest.methods[m]);
const inputs = (): { inputIds: Tensor; attentionMask: Tensor } => ({
  inputIds: tensor(golden.get('input_ids')!.data as Int32Array, golden.get('input_ids')!.shape),
  attentionMask: tensor(golden.get('attention_mask')!.data as Int32Array, golden.get('attention_mask')!.shape),
});
async function baseModel(): Promise<RobertaForSequenceClassification> {
  // the classifier's weights come from the adapter folder (PEFT saves the SEQ_CLS head)
  const { model } = await fromPretrained(FIXTURE_DIR, { numLabels: 3, seed: 5 });
  return model as RobertaForSequenceClassification;
}

beforeAll(async () => {
  useBackend(new CpuBackend());
  manifest = JSON.parse(await readFile(join(GOLDENS, 'MANIFEST.json'), 'utf8')) as typeof manifest;
  const file = await readSafetensorsFile(join(GOLDENS, 'expected.safetensors'));
  expected = new Map([...file].map(([k, v]) => [k, Float64Array.from(v.data)]));
  golden = await readGolden();
});

describe('golden adapter folders written the way Python writes them', () => {
  it('the goldens are the base model\'s own logits plus an adapter that changes them', () => {
    expect(['hand', 'peft']).toContain(manifest.mode);
    expect(relativeError(expected.get('logits.base')!, golden.get('logits3')!.data)).toBeLessThan(1e-12);
    for (const m of METHODS) expect(relativeError(expected.get(`logits.${m}`)!, expected.get('logits.base')!), m).toBeGreaterThan(0.1);
  });

  describe.each(METHODS)('%s', (method) => {
    it('loads (the method recognized from the files alone) and gives the golden logits', async () => {
      const model = await baseModel();
      const report = await loadAdapter(model, folder(method));
      expect(report.config.method).toBe(method);
      if (method === 'edora' || method === 'lora-xs') expect(report.sideFile).toBe(join(dirname(folder(method)), 'reconstr_config.json'));
      const logits = model.forward(inputs());
      expect(logits.shape).toEqual([3, 3]);
      expect(relativeError(logits.dataSync(), expected.get(`logits.${method}`)!)).toBeLessThan(TOL);
    });

    it('saves back the golden layout: key names, shapes, dtypes, values, config fields (and the side file)', async () => {
      const model = await baseModel();
      await loadAdapter(model, folder(method));
      const goldenConfig = JSON.parse(await readFile(join(folder(method), 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
      const files = await adapterToFiles(model, { baseModelNameOrPath: goldenConfig.base_model_name_or_path as string });

      const ours = JSON.parse(files['adapter_config.json']) as Record<string, unknown>;
      expect(Object.keys(ours).sort()).toEqual(Object.keys(goldenConfig).sort());
      // PEFT writes target_modules from a set: any order
      const sorted = (c: Record<string, unknown>) => ({ ...c, target_modules: [...(c.target_modules as string[])].sort() });
      expect(sorted(ours)).toEqual(sorted(goldenConfig));

      const goldenWeights = readSafetensors(await readFile(join(folder(method), 'adapter_model.safetensors')));
      const ourWeights = readSafetensors(files['adapter_model.safetensors']);
      expect([...ourWeights.keys()].sort()).toEqual([...goldenWeights.keys()].sort());
      for (const [key, g] of goldenWeights) {
        const o = ourWeights.get(key)!;
        expect({ key, dtype: o.dtype, shape: o.shape }).toEqual({ key, dtype: g.dtype, shape: g.shape });
        expect([...o.data], key).toEqual([...g.data]);
      }

      const side = files['reconstr_config.json'];
      if (method === 'lora' || method === 'dora') {
        expect(side).toBeUndefined();
        return;
      }
      const goldenSide = JSON.parse(await readFile(join(dirname(folder(method)), 'reconstr_config.json'), 'utf8')) as Record<string, unknown>;
      const oursSide = JSON.parse(side!) as Record<string, unknown>;
      // every field the authors write, with their value; ours adds only init_sigma (R's init scale, which their code hard-codes)
      expect(Object.fromEntries(Object.keys(goldenSide).map((k) => [k, oursSide[k]]))).toEqual(goldenSide);
      expect(Object.keys(oursSide).filter((k) => !(k in goldenSide))).toEqual(['init_sigma']);
    });
  });
});
