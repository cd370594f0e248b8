import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, CpuBackend, embedding, tensor, type BackendV1, type Tensor } from '@edora/tensor';
import { WebGpuIndexError, type WebGpuBackend } from '../src/index.js';
import { createTestBackend, noGpuReason } from './gpu.js';

/**
 * Out-of-range row ids: a shader cannot throw, so gatherRows and scatterAddRows record the id in
 * the backend's fault buffer and the next read() or sync() raises the typed error the cpu backend
 * raises at once (a BackendError, code E_BACKEND, same message shape). Good ids are unaffected,
 * the record is cleared after reporting, and the check adds no submission.
 */
const table = (backend: BackendV1): Tensor =>
  tensor(Float32Array.from({ length: 5 * 3 }, (_, i) => i + 1), [5, 3], { backend });
const ids = (backend: BackendV1, values: number[]): Tensor => tensor(Int32Array.from(values), [values.length], { backend });

function gather(backend: BackendV1, t: Tensor, idx: Tensor): Tensor {
  const out = tensor(new Float32Array(idx.size * 3).fill(-7), [idx.size, 3], { backend });
  backend.run('gatherRows', [t, idx], [out], {});
  return out;
}

function scatter(backend: BackendV1, src: Tensor, idx: Tensor): Tensor {
  const out = tensor(new Float32Array(5 * 3), [5, 3], { backend });
  backend.run('scatterAddRows', [src, idx], [out], {});
  return out;
}

async function caught(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof Error)) throw new Error('expected a rejection');
  return err;
}

describe('the cpu backend, whose error the webgpu one matches', () => {
  it('gatherRows with id 7 of 5 rows: BackendError E_BACKEND naming the op, the id and the rows', () => {
    const cpu = new CpuBackend();
    const err = (() => {
      try {
        gather(cpu, table(cpu), ids(cpu, [0, 7]));
      } catch (e) {
        return e as BackendError;
      }
      throw new Error('cpu gatherRows accepted id 7');
    })();
    expect(err).toBeInstanceOf(BackendError);
    expect(err.code).toBe('E_BACKEND');
    expect(err.message).toMatch(/gatherRows: index 7 is out of range for a table of 5 rows/);
  });
});

describe.skipIf(noGpuReason !== null)(`webgpu out-of-range row ids${noGpuReason ? ` (skipped: ${noGpuReason})` : ''}`, () => {
  let b: WebGpuBackend;
  beforeAll(async () => {
    b = await createTestBackend();
  });
  afterAll(() => b?.dispose());

  it('gatherRows: the next read() throws a WebGpuIndexError (a BackendError, E_BACKEND) with op, id and range', async () => {
    const t = table(b);
    const out = gather(b, t, ids(b, [1, 7, 0]));
    const err = await caught(out.data());
    expect(err).toBeInstanceOf(WebGpuIndexError);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as WebGpuIndexError).code).toBe('E_BACKEND');
    expect(err.message).toMatch(/^webgpu gatherRows: index 7 is out of range for a table of 5 rows \(expected 0 ≤ index < 5\)/);
    expect(err.message).toMatch(/raised at read\(\)/i);
    // reported once; the good rows were gathered, the bad one zeroed
    expect(Array.from(await out.data())).toEqual([4, 5, 6, 0, 0, 0, 1, 2, 3]);
  });

  it('a negative id is reported with its sign, at sync()', async () => {
    const t = table(b);
    gather(b, t, ids(b, [-3]));
    const err = await caught(b.sync());
    expect(err).toBeInstanceOf(WebGpuIndexError);
    expect(err.message).toMatch(/gatherRows: index -3 is out of range for a table of 5 rows/);
    expect(err.message).toMatch(/raised at sync\(\)/i);
    await expect(b.sync()).resolves.toBeUndefined();
  });

  it('scatterAddRows: skips the bad id, counts every bad one, reports the first at read()', async () => {
    const src = tensor(Float32Array.from({ length: 4 * 3 }, (_, i) => i), [4, 3], { backend: b });
    const out = scatter(b, src, ids(b, [2, 5, 2, -1]));
    const err = await caught(out.data());
    expect(err).toBeInstanceOf(WebGpuIndexError);
    expect(err.message).toMatch(/^webgpu scatterAddRows: index 5 is out of range for a table of 5 rows/);
    expect(err.message).toMatch(/2 out-of-range ids in all/);
    // src rows 0 (0, 1, 2) and 2 (6, 7, 8) went to row 2; rows 1 and 3 were skipped
    expect(Array.from(await out.data())).toEqual([0, 0, 0, 0, 0, 0, 6, 8, 10, 0, 0, 0, 0, 0, 0]);
  });

  it('good ids after a report: no error, right values (the record was cleared), the backend stays usable', async () => {
    const t = table(b);
    gather(b, t, ids(b, [9]));
    await expect(b.sync()).rejects.toBeInstanceOf(WebGpuIndexError);
    const out = gather(b, t, ids(b, [4, 0, 4]));
    expect(Array.from(await out.data())).toEqual([13, 14, 15, 1, 2, 3, 13, 14, 15]);
    const src = tensor(Float32Array.from([1, 1, 1, 2, 2, 2]), [2, 3], { backend: b });
    const acc = scatter(b, src, ids(b, [3, 3]));
    expect(Array.from(await acc.data())).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 0, 0, 0]);
    await expect(b.sync()).resolves.toBeUndefined();
  });

  it('the first faulting op of a batch wins; later faults only add to the count', async () => {
    const t = table(b);
    gather(b, t, ids(b, [11]));
    const src = tensor(Float32Array.from([1, 2, 3]), [1, 3], { backend: b });
    scatter(b, src, ids(b, [12]));
    const err = await caught(b.sync());
    expect(err.message).toMatch(/^webgpu gatherRows: index 11 .* 2 out-of-range ids in all/);
  });

  it('through the Tensor API: embedding with an id past the vocabulary fails at the read', async () => {
    const t = table(b);
    const rows = embedding(t, tensor(Int32Array.from([[0, 1], [2, 5]].flat()), [2, 2], { backend: b }));
    await expect(rows.sum().item()).rejects.toThrow(/gatherRows: index 5 is out of range for a table of 5 rows/);
  });

  it('the check adds no submission: a batch with gathers is one submission per read, as without them', async () => {
    const t = table(b);
    const idx = ids(b, [0, 1, 2, 3, 4]);
    await b.sync();
    const before = b.stats().submissions;
    let acc = gather(b, t, idx);
    for (let i = 0; i < 20; i++) acc = acc.add(gather(b, t, idx));
    const got = await acc.data();
    expect(b.stats().submissions).toBe(before + 1);
    expect(Array.from(got)).toEqual(Array.from({ length: 15 }, (_, i) => 21 * (i + 1)));
    // a sync with a pending record also stays one submission
    gather(b, t, idx);
    const mid = b.stats().submissions;
    await b.sync();
    expect(b.stats().submissions).toBe(mid + 1);
  });
});
