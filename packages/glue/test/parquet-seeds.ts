import { parquetWriteBuffer } from 'hyparquet-writer';

/**
 * The parquet fuzz tests' first seed file, also the one of the hostile-file regressions: 40 rows
 * in HF's SST-2 layout (sentence STRING, label INT64, idx INT32) in row groups of 16, as
 * hyparquet-writer writes them (data page v2, snappy).
 */
export function sst2SeedParquet(): Uint8Array {
  const rows = Array.from({ length: 40 }, (_, i) => ({ sentence: `sentence ${i}`, label: i % 2, idx: i }));
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: 'sentence', data: rows.map((r) => r.sentence), type: 'STRING' },
      { name: 'label', data: rows.map((r) => BigInt(r.label)), type: 'INT64' },
      { name: 'idx', data: rows.map((r) => r.idx), type: 'INT32' },
    ],
    rowGroupSize: 16,
  }));
}
