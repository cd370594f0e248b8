import { describe, expect, it } from 'vitest';
import { FuzzRng, mutateBytes } from '@edora/fuzz-kit';
import { parquetReadObjects } from 'hyparquet';
import { GlueFormatError, MalformedRows, collect, parseParquet } from '../src/index.js';
import {
  CODEC, ENC, bytesOf, concat, craftParquet, dataPage, deltaBinary, i32, i64, int32s, int64s, levelsV1, page, raw, rleRun, snappyLiterals, strings, struct, u32, varint,
  type CraftColumn,
} from './parquet-craft.js';
import { sst2SeedParquet } from './parquet-seeds.js';

// Hostile parquet files (issue 21). hyparquet's page decoder trusted the counts and sizes in a
// file: a one-byte change in a data page v2 header drops its levels-length fields, hyparquet sets
// its cursor to the missing value (NaN), every read then returns byte 0 without advancing, and
// its RLE loop spins on one zero-length run forever (fuzz case 118 of seed 2300 below); a value
// count, run length, page size, dictionary size or miniblock count from the file sized its
// allocations and loops. glue now decodes pages itself and checks each of them against the bytes
// that hold it; every case here is one such lie in an otherwise honest file (parquet-craft.ts).

const SENTENCES = ['a', 'bb', 'ccc', 'dddd'];
// label: OPTIONAL INT64, definition levels 1, 1, 0, 1 (one bit-packed group), values 0, 1, 1
const LABEL_LEVELS = levelsV1([3, 0b1011]);
const sentence = (pages = [dataPage(4, strings(SENTENCES))], extra: Partial<CraftColumn> = {}): CraftColumn => ({ name: 'sentence', type: 'BYTE_ARRAY', pages, ...extra });
const label = (pages = [dataPage(4, concat([LABEL_LEVELS, int64s([0, 1, 1])]))]): CraftColumn => ({ name: 'label', type: 'INT64', optional: true, pages });
const idx = (pages = [dataPage(4, int32s([10, 11, 12, 13]))]): CraftColumn => ({ name: 'idx', type: 'INT32', pages });
const EXPECTED = [
  { idx: 10, textA: 'a', label: 0 },
  { idx: 11, textA: 'bb', label: 1 },
  { idx: 12, textA: 'ccc', label: null },
  { idx: 13, textA: 'dddd', label: 1 },
];

// the same label in a data page v2: its levels (a zero-length run, then the bit-packed group) unprefixed
const labelV2 = (lengths: Record<number, ReturnType<typeof i32>>): Uint8Array =>
  page('v2', { 1: i32(4), 2: i32(1), 3: i32(4), 4: i32(ENC.PLAIN), ...lengths }, concat([Uint8Array.from([0, 1, 3, 0b1011]), int64s([0, 1, 1])]));

const read = (bytes: Uint8Array, options = {}): Promise<unknown[]> => collect(parseParquet(bytes, { task: 'sst2', file: 'h.parquet', ...options }));

async function rejection(bytes: Uint8Array): Promise<GlueFormatError> {
  try {
    await read(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(GlueFormatError);
    return e as GlueFormatError;
  }
  throw new Error('expected a GlueFormatError');
}

const varintBytes = (n: number): number[] => {
  const out: number[] = [];
  varint(out, n);
  return out;
};

describe('crafted parquet files', () => {
  it('an honest crafted file reads the same through glue and through hyparquet (the craft kit is sound)', async () => {
    const file = craftParquet([sentence(), label(), idx()], 4);
    expect(await read(file)).toEqual(EXPECTED);
    expect(await parquetReadObjects({ file: file.buffer as ArrayBuffer })).toEqual([
      { sentence: 'a', label: 0n, idx: 10 },
      { sentence: 'bb', label: 1n, idx: 11 },
      { sentence: 'ccc', label: null, idx: 12 },
      { sentence: 'dddd', label: 1n, idx: 13 },
    ]);
    // snappy pages and a dictionary-encoded label read the same
    const text = strings(SENTENCES);
    const dictionary = page('dictionary', { 1: i32(2), 2: i32(ENC.PLAIN) }, int64s([0, 1]));
    const indices = dataPage(4, concat([LABEL_LEVELS, Uint8Array.from([1, 3, 0b110])]), ENC.RLE_DICTIONARY);
    const other = craftParquet([sentence([dataPage(4, snappyLiterals(text), ENC.PLAIN, { uncompressed: text.length })], { codec: CODEC.SNAPPY }), label([dictionary, indices]), idx()], 4);
    expect(await read(other)).toEqual(EXPECTED);
    expect(await parquetReadObjects({ file: other.buffer as ArrayBuffer, columns: ['label'] })).toEqual([{ label: 0n }, { label: 1n }, { label: null }, { label: 1n }]);
    const v2 = craftParquet([sentence(), label([labelV2({ 5: i32(4), 6: i32(0) })]), idx()], 4);
    expect(await read(v2)).toEqual(EXPECTED);
    expect(await parquetReadObjects({ file: v2.buffer as ArrayBuffer, columns: ['label'] })).toEqual([{ label: 0n }, { label: 1n }, { label: null }, { label: 1n }]);
  });
});

describe('hostile parquet files end in a GlueFormatError saying what was expected and found', () => {
  it('a data page v2 header without its levels lengths (hyparquet\'s cursor became NaN and it spun forever on a zero-length run)', async () => {
    const err = await rejection(craftParquet([sentence(), label([labelV2({})]), idx()], 4));
    expect(err.message).toBe('h.parquet:1: column "label" (row group 1, page 1): expected a definition levels length (at most the page\'s 28 bytes) in [0, 28]; found none');
  });

  it('a page value count past the rows of its row group, before anything is allocated for it', async () => {
    const err = await rejection(craftParquet([sentence([dataPage(2 ** 30, strings(SENTENCES))]), label(), idx()], 4));
    expect(err.message).toBe('h.parquet:1: column "sentence" (row group 1, page 1): expected a value count (at most the 4 rows left in the row group) in [0, 4]; found 1073741824');
  });

  it('an RLE run longer than the values left in the page (hyparquet wrote it past its array: 3 GB, then a crash)', async () => {
    const levels = levelsV1(rleRun(2 ** 30, 1));
    const err = await rejection(craftParquet([sentence(), label([dataPage(4, concat([levels, int64s([0, 1, 1])]))]), idx()], 4));
    expect(err.message).toMatch(/column "label" \(row group 1, page 1\): expected a run of at most 4 definition levels \(the values left in the page\); found 1073741824$/);
  });

  it('a bit-packed run longer than the bytes of the page', async () => {
    const levels = levelsV1(varintBytes(2 ** 29 + 1)); // 2^28 groups of 8 levels
    const err = await rejection(craftParquet([sentence(), label([dataPage(4, concat([levels, int64s([0, 1, 1])]))]), idx()], 4));
    expect(err.message).toMatch(/expected a bit-packed run of definition levels of 268435456 bytes; 0 bytes are left$/);
  });

  it('a page larger than what is left of its column chunk, or of negative size', async () => {
    for (const stored of [2 ** 31 - 1, -1]) {
      const err = await rejection(craftParquet([sentence([dataPage(4, strings(SENTENCES), ENC.PLAIN, { stored })]), label(), idx()], 4));
      expect(err.message).toMatch(new RegExp(`column "sentence" \\(row group 1, page 1\\): expected a stored page size in \\[0, 26\\]; found ${stored}$`));
    }
  });

  it('an uncompressed size the page cannot have: checked against snappy\'s own length and its densest expansion before allocating', async () => {
    const text = strings(SENTENCES);
    const snappy = (body: Uint8Array, uncompressed: number): Uint8Array =>
      craftParquet([sentence([dataPage(4, body, ENC.PLAIN, { uncompressed })], { codec: CODEC.SNAPPY }), label(), idx()], 4);
    expect((await rejection(snappy(snappyLiterals(text), 2 ** 31 - 1))).message).toMatch(/expected snappy data of 2147483647 bytes \(the page header's size\); found 26$/);
    // a snappy length that agrees with the header, but 6 bytes of snappy data cannot make 2^30
    const lying = Uint8Array.from([...varintBytes(2 ** 30), 0]);
    expect((await rejection(snappy(lying, 2 ** 30))).message).toMatch(/expected at most 128 bytes \(the most 6 bytes of snappy data expand to\); found 1073741824$/);
    const plain = craftParquet([sentence([dataPage(4, text, ENC.PLAIN, { uncompressed: 2 ** 31 - 1 })]), label(), idx()], 4);
    expect((await rejection(plain)).message).toMatch(/expected an uncompressed size equal to the 26 bytes stored \(the page is not compressed\); found 2147483647$/);
  });

  it('a dictionary larger than its bytes hold, an index past it, indices wider than 32 bits', async () => {
    const dictionary = (n: number): Uint8Array => page('dictionary', { 1: i32(n), 2: i32(ENC.PLAIN) }, int64s([0, 1]));
    const indices = (bytes: number[]): Uint8Array => dataPage(4, concat([LABEL_LEVELS, Uint8Array.from(bytes)]), ENC.RLE_DICTIONARY);
    const file = (pages: Uint8Array[]): Uint8Array => craftParquet([sentence(), label(pages), idx()], 4);
    expect((await rejection(file([dictionary(2 ** 30), indices([1, 3, 0b110])]))).message).toMatch(/expected a dictionary size \(at most the 2 values its 16 bytes hold\) in \[0, 2\]; found 1073741824$/);
    expect((await rejection(file([dictionary(2), indices([3, ...rleRun(3, 5, 3)])]))).message).toMatch(/expected dictionary indices below 2 \(the dictionary's size\); found 5$/);
    expect((await rejection(file([dictionary(2), indices([33, ...rleRun(3, 0, 33)])]))).message).toMatch(/expected dictionary indices of at most 32 bits; found 33$/);
    expect((await rejection(file([indices([1, 3, 0b110])]))).message).toMatch(/expected a dictionary page before dictionary-encoded values; found none$/);
  });

  it('a row group claiming more rows than its column chunks can hold, or more than its pages have', async () => {
    const err = await rejection(craftParquet([sentence(), label(), idx()], 4, 2n ** 40n));
    expect(err.message).toMatch(/^h\.parquet:1: row group 1: expected at most \d+ rows \(64 per byte of its \d+ bytes of column chunks\); found 1099511627776$/);
    const short = await rejection(craftParquet([sentence(), label(), idx()], 4, 5));
    expect(short.message).toBe('h.parquet:5: column "sentence" (row group 1, page 2): expected 1 more values (the row group has 5 rows); found the end of the column chunk');
  });

  it('a column chunk outside the file', async () => {
    const at = await rejection(craftParquet([sentence(undefined, { meta: { 9: i64(10 ** 9) } }), label(), idx()], 4));
    expect(at.message).toMatch(/^h\.parquet:1: row group 1: expected the offset of column "sentence"'s chunk in \[4, \d+\]; found 1000000000$/);
    const size = await rejection(craftParquet([sentence(undefined, { meta: { 7: i64(2 ** 40) } }), label(), idx()], 4));
    expect(size.message).toMatch(/expected the size of column "sentence"'s chunk \(what is left of the file\) in \[0, \d+\]; found 1099511627776$/);
  });

  it('page headers: a thrift list longer than the bytes left, structs nested deeper than any header, a varint past 10 bytes', async () => {
    const body = strings(SENTENCES);
    const headed = (fields: Record<number, ReturnType<typeof i32>>): Uint8Array =>
      craftParquet([sentence([concat([bytesOf(struct({ 1: i32(0), 2: i32(body.length), 3: i32(body.length), 5: struct({ 1: i32(4), 2: i32(ENC.PLAIN) }), ...fields })), body])]), label(), idx()], 4);
    expect((await rejection(headed({ 15: raw(9, [0xf5, 0xff, 0xff, 0xff, 0xff, 0x07]) }))).message).toMatch(/expected a thrift list of at most \d+ elements \(the bytes left\); found 2147483647$/);
    let deep = struct({});
    for (let i = 0; i < 12; i++) deep = struct({ 1: deep });
    expect((await rejection(headed({ 15: deep }))).message).toMatch(/expected thrift structs nested at most 8 deep; found deeper ones$/);
    expect((await rejection(headed({ 15: raw(5, [...new Array<number>(11).fill(0x80), 1]) }))).message).toMatch(/expected a thrift integer \(a varint of at most 10 bytes\); found a longer one$/);
  });

  it('DELTA_BINARY_PACKED headers with no miniblocks, or 2^30 of them (hyparquet allocated 1 GiB for their bit widths)', async () => {
    const delta = (header: number[]): Uint8Array => craftParquet([sentence(), label([dataPage(4, concat([LABEL_LEVELS, Uint8Array.from(header)]), ENC.DELTA_BINARY_PACKED)]), idx()], 4);
    expect((await rejection(delta([...varintBytes(128), 0, 3, 0]))).message).toMatch(/expected DELTA_BINARY_PACKED values in blocks of a multiple of 128 values, split into miniblocks of a multiple of 32; found blocks of 128 in 0 miniblocks$/);
    expect((await rejection(delta([...varintBytes(2 ** 35), ...varintBytes(2 ** 30), 3, 0, 0]))).message).toMatch(/expected the bit widths of a block of DELTA_BINARY_PACKED values of 1073741824 bytes; 0 bytes are left$/);
    // the kit's encoder, honestly: the values come back
    expect(await read(delta([...deltaBinary([0, 1, 1])]))).toEqual(EXPECTED);
  });

  it('DELTA_BYTE_ARRAY text that grows far past its bytes; the same text repeated costs nothing', async () => {
    const rows = 100;
    const long = 'x'.repeat(1000);
    const column = (prefixes: number[], suffixes: string[]): Uint8Array => {
      const body = concat([deltaBinary(prefixes), deltaBinary(suffixes.map((s) => s.length)), new TextEncoder().encode(suffixes.join(''))]);
      return craftParquet([sentence([dataPage(rows, body, ENC.DELTA_BYTE_ARRAY)])], rows);
    };
    // each text is the one before plus a letter: 100 texts of 1,000+ bytes from 1.1 kB
    const growing = column(Array.from({ length: rows }, (_, i) => (i === 0 ? 0 : 999 + i)), [long, ...new Array<string>(rows - 1).fill('y')]);
    expect((await rejection(growing)).message).toMatch(/expected new DELTA_BYTE_ARRAY values of at most \d+ bytes in all \(64 times the page's bytes\); found more$/);
    const same = column(Array.from({ length: rows }, (_, i) => (i === 0 ? 0 : 1000)), [long, ...new Array<string>(rows - 1).fill('')]);
    const examples = (await read(same)) as { textA: string }[];
    expect(examples).toHaveLength(rows);
    expect(examples.every((e) => e.textA === long)).toBe(true);
  });

  it('a codec glue does not decode, text that is not UTF-8, a repeated text column', async () => {
    expect((await rejection(craftParquet([sentence(undefined, { codec: CODEC.ZSTD }), label(), idx()], 4))).message).toBe('h.parquet:1: row group 1: expected column "sentence" compressed with SNAPPY or UNCOMPRESSED; found ZSTD');
    const bad = concat([strings(['a']), u32(1), Uint8Array.from([0xff]), strings(['ccc', 'dddd'])]);
    const file = craftParquet([sentence([dataPage(4, bad)]), label(), idx()], 4);
    expect((await rejection(file)).message).toBe('h.parquet:2: expected UTF-8 text in column "sentence"; found invalid bytes');
    const skipped = new MalformedRows();
    expect(await read(file, { skipMalformed: skipped })).toEqual([EXPECTED[0], EXPECTED[2], EXPECTED[3]]);
    expect(skipped.count).toBe(1);
    expect((await rejection(craftParquet([sentence(undefined, { repeated: true }), label(), idx()], 4))).message).toBe('h.parquet:0: expected column "sentence" to hold one value per row; found a nested or repeated column');
  });
});

describe('fuzz cases that hung the reader (seed 2300: case c is mutateBytes(sst2SeedParquet(), new FuzzRng(2300 + c), 4))', () => {
  const seed = sst2SeedParquet();
  const cases: [number, string][] = [
    // the case reported in issue 21
    [112, 'h.parquet:17: column "sentence" (row group 2, page 1): expected 16 values (16 less 0 nulls, as the header says); the definition levels give 0'],
    // hyparquet spun forever: the idx page header lost its levels lengths (its cursor became NaN)
    [118, 'h.parquet:17: column "idx" (row group 2, page 1): expected a row count equal to the value count 16 (a flat column) in [16, 16]; found 1347'],
  ];
  for (const [c, message] of cases) {
    it(`case ${c}`, async () => {
      expect((await rejection(mutateBytes(seed, new FuzzRng(2300 + c), 4))).message).toBe(message);
    });
  }
});
