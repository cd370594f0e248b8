import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { randn, tensor } from '@edora/tensor';
import { readSafetensorsFile } from '@edora/tensor/node';
import { AdaptedLinear, Linear, Module, ModuleList, adapterToFiles, applyAdapters, loadAdapterFiles, merge, unmerge } from '../src/index.js';
import { mat, maxRelErr, mm, tr } from './reference.js';

// EDoRA on the real weights of the project's tiny RoBERTa (see ../shared/data/SOURCES.md): SVD
// init, fast row norm and merges on trained matrices rather than random ones.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const modelFile = path.resolve(repoRoot, '../shared/data/models/tiny-roberta-mlm/model.safetensors');
const present = existsSync(modelFile);
if (!present) console.warn(`real-weights tests skipped: ${modelFile} is missing (shared data not mounted)`);

class Node extends Module {
  constructor(children: Record<string, Module>) {
    super();
    for (const [k, v] of Object.entries(children)) this.registerModule(k, v);
  }
  forward(): never {
    throw new Error('container');
  }
}

describe.skipIf(!present)(`EDoRA on tiny-roberta weights (${present ? '' : 'skipped: missing '}${path.relative(repoRoot, modelFile)})`, () => {
  it('SVD init, fast norm = naive norm, merge/unmerge and file round trip on trained weights', async () => {
    const weights = await readSafetensorsFile(modelFile);
    const lin = (p: string): Linear => {
      const w = weights.get(`${p}.weight`)!;
      const b = weights.get(`${p}.bias`)!;
      return Linear.fromTensors(tensor(w.data, w.shape), tensor(b.data, b.shape));
    };
    const layers = [0, 1, 2, 3].map((i) => {
      const p = `roberta.encoder.layer.${i}`;
      return new Node({
        attention: new Node({
          self: new Node({ query: lin(`${p}.attention.self.query`), value: lin(`${p}.attention.self.value`) }),
          output: new Node({ dense: lin(`${p}.attention.output.dense`) }),
        }),
        output: new Node({ dense: lin(`${p}.output.dense`) }),
      });
    });
    const model = new Node({ roberta: new Node({ encoder: new Node({ layer: new ModuleList(layers) }) }) });
    const report = await applyAdapters(model, { method: 'edora', r: 8, alpha: 16, targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'] });
    expect(report.modules.length).toBe(16);
    expect(report.trainable).toBe(16 * 64 + 4 * (3 * 256 + 256));

    const q = model.getSubmodule('roberta.encoder.layer.2.output.dense') as AdaptedLinear; // W [256, 1024]
    const B = mat(256, 8, q.loraB.dataSync());
    const BtB = mm(tr(B), B);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) expect(Math.abs(BtB.data[i * 8 + j]! - (i === j ? 1 : 0))).toBeLessThan(1e-4);

    // train-sized R so the norm moves away from ‖W‖, then compare both norm paths
    const sd = model.stateDict();
    const moved = Object.fromEntries(Object.entries(sd).filter(([k]) => k.endsWith('lora_latent_mapping')).map(([k, t], i) => [k, randn(t.shape, { seed: i, std: 0.05 })]));
    const mags = Object.fromEntries(Object.entries(sd).filter(([k]) => k.endsWith('lora_magnitude_vector')).map(([k, t], i) => [k, t.mul(randn(t.shape, { seed: 100 + i, std: 0.1 }).add(1))]));
    model.loadStateDict({ ...sd, ...moved, ...mags });
    const fast = q.weightNorm().dataSync();
    q.normPath = 'naive';
    const naive = q.weightNorm().dataSync();
    q.normPath = 'fast';
    expect(maxRelErr(fast, naive)).toBeLessThan(1e-5);
    expect(maxRelErr(fast, q.magnitude!.dataSync())).toBeGreaterThan(1e-3);

    const x = randn([6, 1024], { seed: 7 });
    const y0 = q.forward(x).dataSync();
    const W0 = q.base.weight.dataSync().slice();
    merge(model);
    expect(maxRelErr(q.forward(x).dataSync(), y0)).toBeLessThan(1e-5);
    unmerge(model);
    expect(maxRelErr(q.base.weight.dataSync(), W0)).toBeLessThan(1e-5);

    const files = await adapterToFiles(model);
    const again = new Node({ roberta: new Node({ encoder: new Node({ layer: new ModuleList(layers.map((_, i) => {
      const p = `roberta.encoder.layer.${i}`;
      return new Node({
        attention: new Node({ self: new Node({ query: lin(`${p}.attention.self.query`), value: lin(`${p}.attention.self.value`) }), output: new Node({ dense: lin(`${p}.attention.output.dense`) }) }),
        output: new Node({ dense: lin(`${p}.output.dense`) }),
      });
    })) }) }) });
    await loadAdapterFiles(again, files);
    // the fresh model has the file's exact base weights (unmerge restored ours only to rounding)
    expect((again.getSubmodule('roberta.encoder.layer.2.output.dense') as AdaptedLinear).forward(x).dataSync()).toEqual(y0);
  });
});
