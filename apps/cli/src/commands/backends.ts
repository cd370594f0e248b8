import { getBackend, setBackend } from '@edora/tensor';
import type { CommandSpec, Parsed } from '../args.js';
import { AUTO_BACKEND, probeBackends, selectBackend } from '../backends.js';
import { countsText, smokeFallbacks } from '../backend-smoke.js';
import { blasStatus } from '../blas-status.js';
import type { Io } from '../io.js';
import { table } from '../progress.js';
import { wrapText } from '../wrap.js';

/** Width the reason column wraps at, so a table row fits a terminal of about 100 columns. */
const REASON_WIDTH = 72;

export const BACKENDS: CommandSpec = {
  name: 'backends',
  summary: 'List the compute backends of this repository (and --backend packages), whether each is installed and usable here, its device, and what --backend auto selects.',
  usage: 'Example: edora backends --verbose --backend @edora/backend-template',
  options: {
    backend: { type: 'list', placeholder: 'package,...', help: 'also probe these backend packages (third-party plugins)' },
    verbose: {
      type: 'boolean', default: false,
      help: 'run one small training step on each usable backend and show which ops ran on the host fallback or as core composites',
    },
  },
};

export async function backendsCommand(p: Parsed, io: Io): Promise<number> {
  const extra = ((p.values.backend as string[] | undefined) ?? []).map(String);
  const all = await probeBackends(extra);
  const current = getBackend().name;
  const auto = (await selectBackend(AUTO_BACKEND)).name;
  const verbose = p.values.verbose as boolean;
  const fallbacks = new Map<string, Awaited<ReturnType<typeof smokeFallbacks>>>();
  if (verbose) {
    for (const b of all) if (b.backend) fallbacks.set(b.name, await smokeFallbacks(b.backend));
  }
  await setBackend(current);
  const wasmStatus = all.find((b) => b.name === 'wasm' && b.usable);
  const blas = wasmStatus?.device !== undefined ? await blasStatus(wasmStatus.device) : null;
  if (p.values.json) {
    const backends = all.map(({ backend: _b, ...s }) => (verbose && fallbacks.has(s.name) ? { ...s, fallbacks: fallbacks.get(s.name) } : s));
    io.stdout.write(JSON.stringify({ backends, auto, ...(blas ? { wasmProducts: blas } : {}) }) + '\n');
    return 0;
  }
  const rows: string[][] = [];
  for (const b of all) {
    const lines = wrapText(b.device ?? b.detail ?? '', REASON_WIDTH);
    rows.push([b.name, b.usable ? 'yes' : 'no', lines[0]!], ...lines.slice(1).map((l) => ['', '', l]));
  }
  io.stdout.write(table(['backend', 'usable', 'device or reason'], rows));
  io.stdout.write(`\n--backend ${AUTO_BACKEND} (the default) selects ${auto} here.\n`);
  if (blas) io.stdout.write(`${wrapText(`wasm runs its matrix products ${blas.text}.`, REASON_WIDTH + 26).join('\n  ')}\n`);
  if (verbose) {
    io.stdout.write('\nOps of one small training step that ran on the host fallback (cpu kernels, data copied through the\nbackend) or as core composites (no fused kernel):\n');
    for (const [name, f] of fallbacks) {
      const text = `host fallback: ${countsText(f.host)}; composites: ${countsText(f.composite)}`;
      const lines = wrapText(text, REASON_WIDTH + 10);
      io.stdout.write(`  ${name}: ${lines.join(`\n  ${' '.repeat(name.length + 2)}`)}\n`);
    }
  }
  return 0;
}
