// safetensors throughput: in-memory write/read, F16/BF16 widening, and the Node file entry.
// Run from packages/tensor: node --conditions=@edora/source --import tsx bench/safetensors.ts
// Prints a markdown table (median of the runs; MB/s counts file bytes, 1 MB = 10^6 bytes).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeTensorData, readSafetensors, writeSafetensors } from '../src/io/index.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../src/node.js';

const RUNS = 5;

async function median(fn: () => unknown): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const rows: string[] = [];
function row(what: string, bytes: number, ms: number): void {
  rows.push(`| ${what} | ${(bytes / 1e6).toFixed(1)} | ${ms.toFixed(1)} | ${(bytes / 1e3 / ms).toFixed(0)} |`);
}

export async function benchSafetensors(): Promise<string> {
  const n = 16 * 2 ** 20; // 16 Mi floats, 64 MiB
  const data = new Float32Array(n).map((_, i) => Math.sin(i));
  const entries = {
    a: { dtype: 'F32' as const, shape: [n / 2], data: data.subarray(0, n / 2) },
    b: { dtype: 'F32' as const, shape: [n / 2], data: data.subarray(n / 2) },
  };
  const file = writeSafetensors(entries);
  row('writeSafetensors, 2 × F32 tensors', file.length, await median(() => writeSafetensors(entries)));
  row('readSafetensors, same file', file.length, await median(() => readSafetensors(file)));

  const halves = new Uint8Array(n); // 8 Mi half-precision values
  for (let i = 0; i < halves.length; i++) halves[i] = (i * 2654435761) >>> 24;
  row('decodeTensorData F16 → Float32Array', halves.length, await median(() => decodeTensorData('F16', [n / 2], halves)));
  row('decodeTensorData BF16 → Float32Array', halves.length, await median(() => decodeTensorData('BF16', [n / 2], halves)));

  const dir = await mkdtemp(join(tmpdir(), 'edora-bench-'));
  try {
    const path = join(dir, 'bench.safetensors');
    row('writeSafetensorsFile (temp file, fsync, rename)', file.length, await median(() => writeSafetensorsFile(path, entries)));
    row('readSafetensorsFile, same file (page cache warm)', file.length, await median(() => readSafetensorsFile(path)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const model = resolve(repoRoot, '../shared/data/models/tiny-roberta-mlm/model.safetensors');
  if (existsSync(model)) {
    const tensors = await readSafetensorsFile(model);
    let bytes = 0;
    for (const t of tensors.values()) bytes += t.data.byteLength;
    row('readSafetensorsFile tiny-roberta-mlm (74 tensors)', bytes, await median(() => readSafetensorsFile(model)));
  } else {
    rows.push(`| tiny-roberta-mlm skipped: missing ${model} | | | |`);
  }

  return ['| operation | MB | ms (median of 5) | MB/s |', '|---|---:|---:|---:|', ...rows].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  console.log(await benchSafetensors());
}
