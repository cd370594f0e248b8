import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArgumentError, FormatError, ShapeError } from '../src/errors.js';
import { parseSafetensorsHeader, readSafetensors, writeSafetensors, type SafetensorsWriteEntry } from '../src/io/index.js';
import { openSafetensorsFile, readSafetensorsFile, writeSafetensorsFile } from '../src/node.js';
import { fixtureBytes, fixtureJson, fixturesDir } from './fixtures/safetensors/expected.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const modelPath = resolve(repoRoot, '../shared/data/models/tiny-roberta-mlm/model.safetensors');
const dtypesPath = fileURLToPath(new URL('dtypes.safetensors', fixturesDir));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edora-safetensors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('openSafetensorsFile', () => {
  it('reads the header only, then each tensor on demand, equal to the in-memory reader', async () => {
    const bytes = fixtureBytes('dtypes.safetensors');
    const inMemory = readSafetensors(bytes);
    const file = await openSafetensorsFile(dtypesPath);
    try {
      const header = parseSafetensorsHeader(bytes);
      expect(file.entries).toEqual(header.entries);
      expect({ ...file.metadata }).toEqual({ ...header.metadata });
      expect(file.headerLength).toBe(header.headerLength);
      for (const [name, t] of inMemory) {
        const data = await file.read(name);
        expect(data.constructor).toBe(t.data.constructor);
        expect(Array.from(data), name).toEqual(Array.from(t.data));
      }
      const err = await rejection(file.read('nope'));
      expect(err).toBeInstanceOf(ArgumentError);
      expect(err.message).toMatch(/dtypes\.safetensors: no tensor named "nope"; the file has 11: /);
    } finally {
      await file.close();
    }
    await file.close(); // idempotent
    await expect(file.read('f32')).rejects.toThrow(/after close\(\)/);
  });

  it('readSafetensorsFile reads every tensor, like readSafetensors', async () => {
    const fromFile = await readSafetensorsFile(dtypesPath);
    const inMemory = readSafetensors(fixtureBytes('dtypes.safetensors'));
    expect([...fromFile.keys()]).toEqual([...inMemory.keys()]);
    for (const [name, t] of inMemory) {
      expect(fromFile.get(name)!.shape).toEqual(t.shape);
      expect(Array.from(fromFile.get(name)!.data), name).toEqual(Array.from(t.data));
    }
  });

  it('opens a 2 GiB (sparse) file by its header and reads one small tensor without touching the rest', async () => {
    const big = 2 ** 31;
    const header = JSON.stringify({
      small: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      big: { dtype: 'U8', shape: [big], data_offsets: [8, 8 + big] },
    });
    const path = join(dir, 'sparse.safetensors');
    const head = new Uint8Array(8 + header.length + 8);
    const dv = new DataView(head.buffer);
    dv.setBigUint64(0, BigInt(header.length), true);
    head.set(new TextEncoder().encode(header), 8);
    dv.setFloat32(8 + header.length, 0.5, true);
    dv.setFloat32(8 + header.length + 4, -4, true);
    await writeFile(path, head);
    await truncate(path, head.length + big);
    // Record every read the implementation makes through Node's FileHandle.
    const probe = await open(path, 'r');
    const spy = vi.spyOn(Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> }, 'read');
    await probe.close();
    try {
      const file = await openSafetensorsFile(path);
      try {
        expect(file.entries.get('big')!.byteLength).toBe(big);
        expect(Array.from(await file.read('small'))).toEqual([0.5, -4]);
      } finally {
        await file.close();
      }
      const results = await Promise.all(spy.mock.results.map((r) => r.value as Promise<{ bytesRead: number }>));
      const total = results.reduce((sum, r) => sum + r.bytesRead, 0);
      // The 8-byte prefix, prefix + header again, and the 8 bytes of "small": nothing of "big".
      expect(total).toBe(8 + (8 + header.length) + 8);
    } finally {
      spy.mockRestore();
    }
  });

  it('names the file in errors, on open and for every truncation of a valid file', async () => {
    const bytes = fixtureBytes('dtypes.safetensors');
    const path = join(dir, 'cut.safetensors');
    const header = parseSafetensorsHeader(bytes);
    const cuts = [0, 1, 7, 8, 9, header.dataOffset - 1, header.dataOffset, header.dataOffset + 1, bytes.length - 1];
    for (const cut of cuts) {
      await writeFile(path, bytes.subarray(0, cut));
      const err = await rejection(openSafetensorsFile(path));
      expect(err, `cut at ${cut}`).toBeInstanceOf(FormatError);
      expect(err.message.startsWith(`${path}: `), err.message).toBe(true);
    }
    const lying = bytes.slice();
    new DataView(lying.buffer).setBigUint64(0, 2n ** 40n, true);
    await writeFile(path, lying);
    await expect(openSafetensorsFile(path)).rejects.toThrow(/header length 1099511627776 exceeds the limit/);
  });

  it('reports a file truncated after it was opened', async () => {
    const path = join(dir, 'shrinks.safetensors');
    await writeFile(path, fixtureBytes('dtypes.safetensors'));
    const file = await openSafetensorsFile(path);
    try {
      await truncate(path, file.dataOffset + 4);
      const err = await rejection(file.read('f64'));
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).toMatch(/shrinks\.safetensors: file ends at byte \d+, expected \d+ more bytes .*changed since it was opened/);
    } finally {
      await file.close();
    }
  });
});

describe('writeSafetensorsFile', () => {
  const entries: Record<string, SafetensorsWriteEntry> = {
    'layer.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    'layer.bias': { dtype: 'F64', shape: [3], data: [0.1, 0.2, 0.3] },
    ids: { dtype: 'I64', shape: [2], data: [7, -7] },
    labels: { dtype: 'I32', shape: [1], data: [3] },
  };

  it('writes exactly writeSafetensors’ bytes, leaving no temporary file', async () => {
    const path = join(dir, 'out', 'model.safetensors');
    await mkdir(dirname(path));
    await writeSafetensorsFile(path, entries, { format: 'pt' });
    expect(Buffer.from(await readFile(path)).equals(Buffer.from(writeSafetensors(entries, { format: 'pt' })))).toBe(true);
    expect(await readdir(dirname(path))).toEqual(['model.safetensors']);
    const back = await readSafetensorsFile(path);
    expect(Array.from(back.get('layer.bias')!.data)).toEqual([0.1, 0.2, 0.3]);
  });

  it('replaces an existing file, and leaves it untouched when the new content is invalid', async () => {
    const path = join(dir, 'replace.safetensors');
    await writeFile(path, 'old');
    await writeSafetensorsFile(path, { a: { dtype: 'I32', shape: [1], data: [1] } });
    expect(readSafetensors(new Uint8Array(await readFile(path))).get('a')!.data[0]).toBe(1);
    const before = await readFile(path);
    const err = await rejection(writeSafetensorsFile(path, { a: { dtype: 'I32', shape: [2], data: [1] } }));
    expect(err).toBeInstanceOf(ShapeError);
    expect((await readFile(path)).equals(before)).toBe(true);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with the system error (naming the path) when the directory does not exist', async () => {
    const path = join(dir, 'missing', 'x.safetensors');
    const err = await rejection(writeSafetensorsFile(path, {}));
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(err.message).toContain(join(dir, 'missing'));
  });

  it('does not leave its temporary file behind when the rename fails', async () => {
    // A directory where the file should go makes rename fail after the data is written.
    const path = join(dir, 'is-a-dir.safetensors');
    await mkdir(path);
    await (await open(join(path, 'keep'), 'w')).close();
    await expect(writeSafetensorsFile(path, {})).rejects.toThrow();
    expect((await readdir(dir)).filter((f) => f.includes('is-a-dir') && f.endsWith('.tmp'))).toEqual([]);
  });
});

interface ModelFacts {
  file_bytes: number;
  header_length: number;
  tensor_count: number;
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; sum: number; first: number[]; last: number[] }>;
}

describe.skipIf(!existsSync(modelPath))(`real checkpoint ${modelPath} (skipped when that file is missing)`, () => {
  it('reads tiny-roberta-mlm tensor by tensor and agrees with numpy (scripts/make-safetensors-fixtures.py)', async () => {
    const facts = fixtureJson<ModelFacts>('tiny-roberta-mlm.json');
    const file = await openSafetensorsFile(modelPath);
    try {
      expect(file.headerLength).toBe(facts.header_length);
      expect(file.entries.size).toBe(facts.tensor_count);
      expect({ ...file.metadata }).toEqual(facts.metadata);
      const last = [...file.entries.values()].at(-1)!;
      expect(last.byteOffset + last.byteLength).toBe(facts.file_bytes);
      for (const [name, f] of Object.entries(facts.tensors)) {
        const entry = file.entries.get(name)!;
        expect(entry.dtype).toBe(f.dtype);
        expect(entry.shape).toEqual(f.shape);
        const data = await file.read(name);
        expect(Array.from(data.subarray(0, 4))).toEqual(f.first);
        expect(Array.from(data.subarray(-4))).toEqual(f.last);
        let sum = 0;
        for (const v of data) sum += v;
        // numpy sums pairwise, we sum in order: equal up to rounding of the float64 accumulation.
        expect(Math.abs(sum - f.sum)).toBeLessThan(1e-9 * Math.max(1, Math.abs(f.sum)));
      }
    } finally {
      await file.close();
    }
  });
});
