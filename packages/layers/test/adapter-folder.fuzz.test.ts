import { describe, expect, it } from 'vitest';
import { fuzz, lieInJson, mutateBytes, mutateText } from '@edora/fuzz-kit';
import { adapterToFiles, applyAdapters, loadAdapterFiles, type AdapterFiles } from '../src/index.js';
import { TinyEncoder } from './tiny-encoder.js';

// Seeded fuzzing of adapter folders (issue 21) on @edora/fuzz-kit: adapter_config.json (blind
// mutations and one hostile value per case), adapter_model.safetensors (byte mutations) and the
// EDoRA side file reconstr_config.json. Each case must load into a fresh model or throw an
// EdoraError, within the kit's bounds. CI counts below; `pnpm fuzz` runs 50×.

const PIECES = ['{', '}', '[', ']', ':', ',', '"', '(.*)*x$', '([a-z0-9.]+)+!', '[', '*', 'null', '-1', '1e9'];

describe('adapter folders under seeded fuzzing', () => {
  it('adapter_config.json, adapter_model.safetensors and reconstr_config.json', { timeout: 600_000 }, async () => {
    const model = new TinyEncoder();
    await applyAdapters(model, { method: 'edora', r: 2, alpha: 4, targetModules: ['query', 'value'], modulesToSave: ['classifier'], init: 'random', seed: 1 });
    const files = await adapterToFiles(model);
    const config = JSON.parse(files['adapter_config.json']) as Record<string, unknown>;
    const side = files['reconstr_config.json']!;
    const summary = await fuzz({
      name: 'adapter-folder',
      seed: 4100,
      cases: 150,
      generate: (r) => {
        const which = r.int(4);
        return {
          'adapter_config.json': which === 0 ? lieInJson(config, r, Object.keys(config)) : which === 1 ? mutateText(files['adapter_config.json'], r, PIECES) : files['adapter_config.json'],
          'adapter_model.safetensors': which === 2 ? mutateBytes(files['adapter_model.safetensors'], r, 4) : files['adapter_model.safetensors'],
          'reconstr_config.json': which === 3 ? mutateText(side, r, PIECES) : side,
        };
      },
      run: async (f) => {
        await loadAdapterFiles(new TinyEncoder(), f as unknown as AdapterFiles);
      },
    });
    expect(summary.accepted).toBeGreaterThan(5);
    expect(summary.rejected.E_ADAPTER_FILE ?? 0).toBeGreaterThan(20);
  });
});
