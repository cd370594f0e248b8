import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tokenizer } from '@huggingface/tokenizers';
import type { RobertaTokenizer } from '../src/index.js';
import { loadTokenizer } from '../src/node.js';
import { frame, glueDir, hasRobertaFiles, missingRobertaFiles, referenceLongestFirst, referenceTokenizer, robertaTokenizerDir } from './tokenizer-reference.js';

// Every sentence and sentence pair of every GLUE file in ../shared/data/glue, tokenized by our
// tokenizer and by HF's tokenizers.js (an independent implementation) on the same roberta-base
// files: ids must be equal, with RoBERTa's framing and truncation to 128.

interface GlueFile {
  readonly file: string;
  /** Text columns: one (single-sentence task) or two (pair task). */
  readonly columns: readonly number[];
  readonly header: boolean;
  /** Data rows, as counted in shared/data/SOURCES.md. */
  readonly rows: number;
}

const FILES: readonly GlueFile[] = [
  { file: 'CoLA/train.tsv', columns: [3], header: false, rows: 8551 },
  { file: 'CoLA/dev.tsv', columns: [3], header: false, rows: 1043 },
  { file: 'SST-2/train.tsv', columns: [0], header: true, rows: 67349 },
  { file: 'SST-2/dev.tsv', columns: [0], header: true, rows: 872 },
  { file: 'MRPC/train.tsv', columns: [3, 4], header: true, rows: 3668 },
  { file: 'MRPC/dev.tsv', columns: [3, 4], header: true, rows: 408 },
  { file: 'STS-B/train.tsv', columns: [7, 8], header: true, rows: 5749 },
  { file: 'STS-B/dev.tsv', columns: [7, 8], header: true, rows: 1500 },
  { file: 'RTE/train.tsv', columns: [1, 2], header: true, rows: 2490 },
  { file: 'RTE/dev.tsv', columns: [1, 2], header: true, rows: 277 },
  { file: 'WNLI/train.tsv', columns: [1, 2], header: true, rows: 635 },
  { file: 'WNLI/dev.tsv', columns: [1, 2], header: true, rows: 71 },
];

const MAX_LENGTH = 128;

/** GLUE TSVs are read with quoting disabled: split on newlines, then tabs (see SOURCES.md). */
function readRows(g: GlueFile): { line: number; texts: string[] }[] {
  const lines = readFileSync(path.join(glueDir, g.file), 'utf8').split('\n');
  const rows: { line: number; texts: string[] }[] = [];
  lines.forEach((raw, i) => {
    if ((g.header && i === 0) || raw === '') return;
    const fields = raw.replace(/\r$/, '').split('\t');
    rows.push({ line: i + 1, texts: g.columns.map((c) => fields[c]!) });
  });
  return rows;
}

const present = hasRobertaFiles && existsSync(glueDir);
const reason = hasRobertaFiles ? `GLUE data not found at ${glueDir} (see shared/data/SOURCES.md)` : missingRobertaFiles;
if (!present) console.warn(`[@edora/models tokenizer-glue] skipped: ${reason}`);

describe.skipIf(!present)(`every GLUE sentence: ids equal to HF tokenizers.js (roberta-base)${present ? '' : ` (skipped: ${reason})`}`, () => {
  let ours: RobertaTokenizer;
  let reference: Tokenizer;
  beforeAll(async () => {
    ours = await loadTokenizer(robertaTokenizerDir);
    reference = referenceTokenizer();
  });

  for (const g of FILES) {
    it(`${g.file}: every ${g.columns.length === 1 ? 'sentence' : 'sentence pair'} (${g.rows} rows)`, () => {
      const rows = readRows(g);
      expect(rows.length).toBe(g.rows);
      const mismatches: string[] = [];
      let truncated = 0;
      for (const { line, texts } of rows) {
        const [a, b] = texts;
        // The reference's own framing of the whole input (no truncation) is checked against ours;
        // for a single text it also gives the text's ids (between <s> and </s>), saving a pass.
        const refFull = reference.encode(a!, b === undefined ? {} : { text_pair: b }).ids;
        if (!sameIds(ours.encode(a!, b, Number.POSITIVE_INFINITY).inputIds, refFull)) mismatches.push(`${g.file}:${line}: untruncated framing differs`);
        const refA = b === undefined ? refFull.slice(1, -1) : reference.encode(a!, { add_special_tokens: false }).ids;
        const refB = b === undefined ? undefined : reference.encode(b, { add_special_tokens: false }).ids;
        const specials = b === undefined ? 2 : 4;
        const [keepA, keepB] = referenceLongestFirst(refA, refB, MAX_LENGTH - specials);
        if (keepA.length + keepB.length < refA.length + (refB?.length ?? 0)) truncated++;
        const expected = frame(keepA, refB === undefined ? undefined : keepB);
        const got = ours.encode(a!, b, MAX_LENGTH).inputIds;
        if (!sameIds(got, expected)) mismatches.push(`${g.file}:${line}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(got)}`);
        // Byte-level BPE loses nothing: decoding gives the text back, as the reference's decoder does.
        for (const [text, ids] of [[a!, refA], [b, refB]] as const) {
          if (text === undefined || ids === undefined) continue;
          const decoded = ours.decode(ids);
          if (decoded !== text) mismatches.push(`${g.file}:${line}: decode gave ${JSON.stringify(decoded)} for ${JSON.stringify(text)}`);
        }
        if (mismatches.length >= 5) break;
      }
      expect(mismatches).toEqual([]);
      // Pair tasks with long premises (RTE) must exercise truncation; the count is printed so a
      // reader sees how much of the rule the data covered.
      if (g.file.startsWith('RTE/train')) expect(truncated).toBeGreaterThan(0);
      console.info(`${g.file}: ${rows.length} rows equal; ${truncated} truncated to ${MAX_LENGTH}`);
    });
  }
});

function sameIds(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
