import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSplits } from '../src/data.js';
import { sharedData } from './helpers.js';

const glue = join(sharedData, 'glue');
const hasRte = existsSync(join(glue, 'RTE', 'dev.tsv'));

// The issue's QNLI dev.tsv is not in ../shared/data; RTE's files fail the same way under CSV quoting (dev.tsv:25)
describe.skipIf(!hasRte)(`--train-file / --validation-file with GLUE TSVs (${hasRte ? glue : `no RTE at ${glue}`})`, () => {
  it('the real RTE train.tsv and dev.tsv load as files exactly as through --data-dir, without --skip-malformed', async () => {
    const files = await loadSplits({ task: 'rte', trainFile: join(glue, 'RTE', 'train.tsv'), validationFile: join(glue, 'RTE', 'dev.tsv'), seed: 1 });
    const dir = await loadSplits({ task: 'rte', dataDir: glue, seed: 1 });
    expect(files.train.length).toBe(2490);
    expect(files.train).toEqual(dir.train);
    expect(files.validation).toEqual(dir.validation);
  }, 300_000);
});
