import { describe, expect, it } from 'vitest';
import { UnknownTaskError, collect, computeGlueMetrics, getTask, hfGlueConfigSplit, parseGlueTsv } from '@edora/glue';

/**
 * HF's GLUE config names for MNLI's two validation/test halves: `load_dataset('glue',
 * 'mnli_matched')` and `evaluate.load('glue', 'mnli_matched')` (both also `mnli_mismatched`)
 * exist in HF, and evaluate scores them exactly as `mnli` (accuracy).
 */
describe('HF config names mnli_matched / mnli_mismatched', () => {
  it('getTask answers with the MNLI spec', () => {
    for (const name of ['mnli_matched', 'mnli_mismatched']) {
      const spec = getTask(name);
      expect(spec).toBe(getTask('mnli'));
      expect(spec.labelNames).toEqual(['entailment', 'neutral', 'contradiction']);
    }
  });

  it('the metrics score them as MNLI: accuracy, worked by hand', () => {
    const predictions = [0, 1, 2, 2, 1, 0, 0];
    const references = [0, 1, 1, 2, 0, 0, 2];
    for (const name of ['mnli_matched', 'mnli_mismatched']) {
      expect(computeGlueMetrics(name, predictions, references)).toEqual({ accuracy: 4 / 7 });
    }
    expect(() => computeGlueMetrics('mnli_matched', [3], [0])).toThrow(/class ids 0\.\.2/);
  });

  it('their splits map onto ours, and an unknown one lists the config\'s', () => {
    expect(hfGlueConfigSplit('mnli_matched', 'validation')).toEqual({ task: 'mnli', split: 'validation_matched' });
    expect(hfGlueConfigSplit('mnli_mismatched', 'test')).toEqual({ task: 'mnli', split: 'test_mismatched' });
    expect(hfGlueConfigSplit('sst2', 'validation')).toEqual({ task: 'sst2', split: 'validation' });
    expect(() => hfGlueConfigSplit('mnli_matched', 'train')).toThrow(UnknownTaskError);
    expect(() => hfGlueConfigSplit('mnli_matched', 'train')).toThrow('HF config mnli_matched has no split "train"; expected one of validation, test');
    expect(() => hfGlueConfigSplit('sst2', 'validation_matched')).toThrow(/task sst2 has no split "validation_matched"/);
  });

  it('an MNLI file parses under the HF name', async () => {
    const header = ['index', 'promptID', 'pairID', 'genre', 's1bp', 's2bp', 's1p', 's2p', 'sentence1', 'sentence2', 'label1', 'gold_label'].join('\t');
    const row = ['0', '1', '1e', 'fiction', '', '', '', '', 'A cat sat.', 'An animal sat.', 'entailment', 'entailment'].join('\t');
    const rows = await collect(parseGlueTsv(`${header}\n${row}\n`, 'mnli_matched', 'validation_matched'));
    expect(rows).toEqual([{ idx: 0, textA: 'A cat sat.', textB: 'An animal sat.', label: 0 }]);
  });

  it('unknown names still list the valid ones, HF aliases included', () => {
    expect(() => getTask('mnli-m')).toThrow(
      'unknown task "mnli-m"; expected one of cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli, synthetic, synthetic-pair (or HF\'s mnli_matched, mnli_mismatched)',
    );
  });
});
