import { describe, expect, it } from 'vitest';
import { disposeBackend, getBackend } from '@edora/tensor';
import { countParameters } from '@edora/layers';
import { robertaPreset } from '@edora/models';
import { main, type Io } from '../src/cli.js';
import { helpText, parseArgs, UsageError } from '../src/args.js';
import { adapterParameters, encoderParameters, headParameters } from '../src/count.js';
import { buildModel } from '../src/setup.js';
import { TRAIN } from '../src/commands/train.js';
import { selectBackend } from '../src/backends.js';
import { runCli } from './helpers.js';

function capture(): Io & { out: () => string } {
  let text = '';
  const stream = { write: (s: string) => ((text += s), true), isTTY: false, columns: 80 } as unknown as NodeJS.WriteStream;
  return { stdout: stream, stderr: stream, out: () => text };
}

describe('argument parsing', () => {
  it('reads --name value, --name=value, flags and lists, converting names to camelCase', () => {
    const p = parseArgs(['--task', 'rte', '--batch-size=8', '--resume', '--lr', '1e-3', '--no-json'], TRAIN);
    expect(p.values).toMatchObject({ task: 'rte', batchSize: 8, resume: true, lr: 1e-3, json: false, method: 'edora', rank: 16 });
  });

  it('rejects an unknown option or value with the valid choices', () => {
    expect(() => parseArgs(['--epoch', '3'], TRAIN)).toThrow(/unknown option --epoch; valid options: .*--epochs/);
    expect(() => parseArgs(['--method', 'adapter'], TRAIN)).toThrow(/--method: invalid value "adapter"; valid choices: edora, dora, lora, lora-xs, full/);
    expect(() => parseArgs(['--rank', '2.5'], TRAIN)).toThrow(/--rank: expected an integer ≥ 1; found "2.5"/);
    expect(() => parseArgs(['--lr'], TRAIN)).toThrow(UsageError);
  });

  it('documents every option in --help, with defaults', () => {
    const text = helpText(TRAIN);
    for (const name of Object.keys(TRAIN.options)) expect(text).toContain(`--${name}`);
    expect(text).toMatch(/--method <edora\|dora\|lora\|lora-xs\|full>\s+adapter method .*\(default edora\)/);
  });

  it('answers --help for every command and names the valid commands for an unknown one', async () => {
    for (const cmd of ['train', 'demo', 'eval', 'predict', 'merge', 'params', 'backends']) {
      const io = capture();
      expect(await main([cmd, '--help'], io)).toBe(0);
      expect(io.out()).toContain(`edora ${cmd}`);
    }
    await expect(main(['trian'], capture())).rejects.toThrow(/unknown command "trian"; valid commands: demo, train/);
  });
});

describe('edora backends and --backend auto', () => {
  it('lists the backends of this repository, and auto (the default) is wasm when it is usable, else cpu', async () => {
    const io = capture();
    expect(await main(['backends', '--json'], io)).toBe(0);
    await disposeBackend('webgpu'); // Dawn's device thread would outlive the test otherwise
    const got = JSON.parse(io.out()) as { backends: { name: string; usable: boolean; device?: string; detail?: string }[]; auto: string };
    expect(got.backends.map((b) => b.name)).toEqual(['cpu', 'wasm', 'webgpu', 'cuda', 'gpujs']);
    // @edora/backend-cuda is installed here: without a GPU the reason is its typed error (no
    // driver, no device...), not a missing package; with one, its device
    const cuda = got.backends.find((b) => b.name === 'cuda')!;
    if (cuda.usable) expect(cuda.device).toMatch(/CUDA, sm_\d+/);
    else expect(cuda.detail).toMatch(/no NVIDIA driver found|no CUDA-capable device|compute capability|koffi/);
    expect(got.backends.find((b) => b.name === 'cpu')!.usable).toBe(true);
    // the CLI in the repository loads the webgpu package (usable wherever an adapter exists, lavapipe included)
    for (const name of ['webgpu', 'gpujs']) expect(got.backends.find((b) => b.name === name)!.detail ?? '').not.toMatch(/Cannot find package/);
    expect(got.auto).toBe(got.backends.find((b) => b.name === 'wasm')!.usable ? 'wasm' : 'cpu');
    // where wasm's products run: the BLAS its device names, or what was searched and how to get one
    const products = (got as { wasmProducts?: { found: boolean; text: string } }).wasmProducts!;
    const wasmDevice = got.backends.find((b) => b.name === 'wasm')!.device!;
    if (products.found) expect(wasmDevice).toContain(`GEMM: ${products.text.replace(/^on /, '')}`);
    else expect(products.text).toMatch(/no system BLAS .*(apt-get install libopenblas0-pthread|brew install openblas|OpenBLAS)/);
    expect(helpText(TRAIN)).toMatch(/--backend <auto\|cpu\|wasm\|webgpu\|cuda\|gpujs\|package>\s+compute backend; auto: wasm when @edora\/backend-wasm loads, else cpu \(default auto\)/);
  });

  it('--backend <package name> imports the package and selects the backend it registered (under its own name)', async () => {
    const backend = await selectBackend('@edora/backend-template');
    expect(backend.name).toBe('template');
    expect(getBackend()).toBe(backend);
    expect((await selectBackend('@edora/backend-template')).name).toBe('template'); // a second time, from the alias
    // a backend of this repository by its package name, after it was loaded by its short name too
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect((await selectBackend('@edora/backend-wasm')).name).toBe('wasm');
    await expect(selectBackend('no-such-backend-package')).rejects.toThrow(
      /--backend no-such-backend-package: not available \(no-such-backend-package\/node-register: .*in this repository: cpu, wasm, webgpu, cuda, gpujs; any other value is a package/,
    );
    await selectBackend('cpu');
  });

  it('--verbose reports which ops of a small training step ran on the host fallback or as composites', async () => {
    const io = capture();
    expect(await main(['backends', '--json', '--verbose', '--backend', '@edora/backend-template'], io)).toBe(0);
    await disposeBackend('webgpu');
    const got = JSON.parse(io.out()) as { backends: { name: string; fallbacks?: { host: Record<string, number>; composite: Record<string, number> } }[] };
    const template = got.backends.find((b) => b.name === '@edora/backend-template')!;
    expect(template.fallbacks!.host.reduce).toBeGreaterThan(0); // the template has no reduce kernel
    expect(template.fallbacks!.host.matmul).toBeUndefined(); // it has a matmul kernel
    expect(template.fallbacks!.composite.layerNorm).toBe(1);
    expect(got.backends.find((b) => b.name === 'cpu')!.fallbacks).toEqual({ host: {}, composite: {} });
  });

  it('prints whole reasons, wrapped, and the process exits by itself (backends are disposed)', async () => {
    const { code, output } = await runCli(['backends', '--backend', 'no-such-backend-package']);
    expect(code).toBe(0);
    const rows = output.split('\n').filter((l) => !l.startsWith('Warning:'));
    const reason = rows.slice(rows.findIndex((l) => l.startsWith('no-such-backend-package'))).join(' ').replace(/\s+/g, ' ');
    expect(reason).toContain('any other value is a package that calls registerBackend'); // the end of the reason: not cut off
    for (const l of rows) expect(l.length).toBeLessThanOrEqual(120);
  }, 300_000);
});

describe('edora params', () => {
  it('prints SEMANTICS.md\'s numbers for roberta-base', async () => {
    const io = capture();
    expect(await main(['params', '--model', 'roberta-base', '--ranks', '8,16', '--json'], io)).toBe(0);
    const got = JSON.parse(io.out()) as { headParameters: number; rows: { method: string; rank: number; adapters: number }[] };
    expect(got.headParameters).toBe(592_130);
    const at = (m: string, r: number): number => got.rows.find((x) => x.method === m && x.rank === r)!.adapters;
    for (const r of [8, 16]) {
      expect(at('lora', r)).toBe(101_376 * r);
      expect(at('dora', r)).toBe(101_376 * r + 36_864);
      expect(at('edora', r)).toBe(48 * r * r + 36_864);
      expect(at('lora-xs', r)).toBe(48 * r * r);
    }
    expect(at('edora', 16)).toBe(49_152); // SEMANTICS.md's worked example
    // roberta-large: 96 modules
    const large = robertaPreset('roberta-large');
    expect(adapterParameters(large, 'lora', 4)).toBe(270_336 * 4);
    expect(adapterParameters(large, 'dora', 4) - adapterParameters(large, 'lora', 4)).toBe(98_304);
  });

  it('agrees with the parameters a built model actually trains (tiny preset)', async () => {
    const config = robertaPreset('tiny');
    for (const method of ['edora', 'dora', 'lora', 'lora-xs', 'full'] as const) {
      const built = await buildModel({ model: 'tiny', method, rank: 4, alpha: 16, sigma: 1e-5, init: 'svd', seed: 1, numLabels: 2 });
      expect(built.trainable, method).toBe(adapterParameters(config, method, 4) + headParameters(config, 2));
      if (method === 'full') expect(countParameters(built.model).total).toBe(encoderParameters(config) + headParameters(config, 2));
    }
  });
});
