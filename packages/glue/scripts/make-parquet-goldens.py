#!/usr/bin/python3
"""Writes packages/glue/test/fixtures/parquet/: small parquet files written by pyarrow (what HF
`datasets` writes with), one per layout glue's page decoder must read, and expected.json with the
rows each holds, so the decoder is checked against files it did not write and a reader it does not
share. The tests read the files and the JSON and need no Python.

How it was made: from the repository root, in a virtual environment with pyarrow 25.0.1,
    python packages/glue/scripts/make-parquet-goldens.py

The files:
- hf-sst2.parquet: pyarrow's defaults as `datasets` uses them (data page v1, dictionary encoding,
  snappy), SST-2's columns, several row groups and several pages per column chunk.
- stsb-v2-plain.parquet: data page v2, no dictionary, no compression; STS-B's columns, float32
  scores in BYTE_STREAM_SPLIT, some scores null.
- delta-v1.parquet: DELTA_BYTE_ARRAY text, DELTA_BINARY_PACKED labels (some null) and indices
  (negative and large), data page v1, snappy.
- delta-length-v2.parquet: DELTA_LENGTH_BYTE_ARRAY text, data page v2, snappy.
"""
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'parquet')
os.makedirs(OUT, exist_ok=True)

WORDS = ['a', 'film', 'that', 'is', 'good', 'bad', 'très', 'bien', '映画', 'テスト', '🙂', 'wow']


def sentence(i):
    # shared prefixes (for DELTA_BYTE_ARRAY), an empty text, one long one, non-ASCII text
    if i == 7:
        return ''
    if i == 11:
        return ' '.join(WORDS[(i + k) % len(WORDS)] for k in range(400))
    return f'the film number {i // 3} ' + ' '.join(WORDS[(i * k + 1) % len(WORDS)] for k in range(1 + i % 5))


N = 70
rows = [{'sentence': sentence(i), 'label': i % 2, 'idx': i} for i in range(N)]
expected = {}

sst2 = pa.table({
    'sentence': pa.array([r['sentence'] for r in rows], pa.string()),
    'label': pa.array([r['label'] for r in rows], pa.int64()),
    'idx': pa.array([r['idx'] for r in rows], pa.int32()),
})
pq.write_table(sst2, os.path.join(OUT, 'hf-sst2.parquet'), row_group_size=30, data_page_size=256)
expected['hf-sst2.parquet'] = {'task': 'sst2', 'rows': [{'idx': r['idx'], 'textA': r['sentence'], 'label': r['label']} for r in rows]}

scores = [None if i % 9 == 4 else float(pa.scalar(i * 0.0625 + 0.3, pa.float32()).as_py()) for i in range(N)]
stsb = pa.table({
    'sentence1': pa.array([r['sentence'] for r in rows], pa.string()),
    'sentence2': pa.array([sentence(i + 1) for i in range(N)], pa.string()),
    'label': pa.array(scores, pa.float32()),
    'idx': pa.array([r['idx'] for r in rows], pa.int32()),
})
pq.write_table(stsb, os.path.join(OUT, 'stsb-v2-plain.parquet'), row_group_size=40, data_page_version='2.0',
               compression='none', use_dictionary=False, column_encoding={'label': 'BYTE_STREAM_SPLIT'})
# float32 scores as the exact doubles they are (JSON keeps every digit of a double)
expected['stsb-v2-plain.parquet'] = {'task': 'stsb', 'rows': [
    {'idx': i, 'textA': rows[i]['sentence'], 'textB': sentence(i + 1), 'label': scores[i]} for i in range(N)]}

labels = [None if i % 7 == 3 else i % 3 for i in range(N)]
indices = [i * 7919 - 100 if i % 2 else -(i * 65537) for i in range(N)]
mnli = pa.table({
    'premise': pa.array([r['sentence'] for r in rows], pa.string()),
    'hypothesis': pa.array([sentence(N - i) for i in range(N)], pa.string()),
    'label': pa.array(labels, pa.int64()),
    'idx': pa.array(indices, pa.int32()),
})
pq.write_table(mnli, os.path.join(OUT, 'delta-v1.parquet'), row_group_size=50, use_dictionary=False,
               column_encoding={'premise': 'DELTA_BYTE_ARRAY', 'hypothesis': 'DELTA_BYTE_ARRAY',
                                'label': 'DELTA_BINARY_PACKED', 'idx': 'DELTA_BINARY_PACKED'})
expected['delta-v1.parquet'] = {'task': 'mnli', 'rows': [
    {'idx': indices[i], 'textA': rows[i]['sentence'], 'textB': sentence(N - i), 'label': labels[i]} for i in range(N)]}

pq.write_table(sst2, os.path.join(OUT, 'delta-length-v2.parquet'), row_group_size=N, use_dictionary=False,
               data_page_version='2.0', column_encoding={'sentence': 'DELTA_LENGTH_BYTE_ARRAY'})
expected['delta-length-v2.parquet'] = {'task': 'sst2', 'rows': expected['hf-sst2.parquet']['rows']}

# what the files hold, as pyarrow reads them back (a check that the JSON says what was written)
for name, case in expected.items():
    table = pq.read_table(os.path.join(OUT, name))
    assert table.num_rows == len(case['rows']), name
    meta = pq.ParquetFile(os.path.join(OUT, name)).metadata
    case['layout'] = sorted({f'{meta.row_group(g).column(c).path_in_schema}: {"/".join(sorted(meta.row_group(g).column(c).encodings))} {meta.row_group(g).column(c).compression}'
                             for g in range(meta.num_row_groups) for c in range(meta.num_columns)})
    case['rowGroups'] = meta.num_row_groups

with open(os.path.join(OUT, 'expected.json'), 'w', encoding='utf-8') as f:
    json.dump(expected, f, ensure_ascii=False, indent=1)
    f.write('\n')
print('wrote', ', '.join(f'{n} ({os.path.getsize(os.path.join(OUT, n))} bytes)' for n in expected))
