import { describe, expect, it } from 'vitest';
import { collect, getTask, glueTsvFileName, parseGlueTsv } from '@edora/glue';

// The layouts of files not in ../shared/data (QQP, MNLI, QNLI, every test split), written here
// with the exact headers the GLUE download script produces, plus streaming equivalence.
const tsv = (...lines: string[][]): string => `${lines.map((l) => l.join('\t')).join('\n')}\n`;
const row = (...fields: string[]): string[] => fields;

const MNLI_HEAD = ['index', 'promptID', 'pairID', 'genre', 'sentence1_binary_parse', 'sentence2_binary_parse', 'sentence1_parse', 'sentence2_parse', 'sentence1', 'sentence2'];

describe('GLUE TSV layouts', () => {
  it('maps every split to the file name the download script writes', () => {
    expect(glueTsvFileName('sst2', 'validation')).toBe('dev.tsv');
    expect(glueTsvFileName('mnli', 'validation_matched')).toBe('dev_matched.tsv');
    expect(glueTsvFileName('mnli', 'validation_mismatched')).toBe('dev_mismatched.tsv');
    expect(glueTsvFileName('mnli', 'test_mismatched')).toBe('test_mismatched.tsv');
    expect(glueTsvFileName('qqp', 'train')).toBe('train.tsv');
  });

  it('QQP: question1/question2 by name, is_duplicate as id; test has id, question1, question2', async () => {
    const train = tsv(
      row('id', 'qid1', 'qid2', 'question1', 'question2', 'is_duplicate'),
      row('133273', '213221', '213222', 'How is the life of a math student?', 'Which level of prepration is enough?', '0'),
      row('402555', '536040', '536041', 'How do I control my horny emotions?', 'How do you control your horniness?', '1'),
    );
    const rows = await collect(parseGlueTsv(train, 'qqp', 'train'));
    expect(rows).toEqual([
      { idx: 0, textA: 'How is the life of a math student?', textB: 'Which level of prepration is enough?', label: 0 },
      { idx: 1, textA: 'How do I control my horny emotions?', textB: 'How do you control your horniness?', label: 1 },
    ]);
    const test = tsv(row('id', 'question1', 'question2'), row('0', 'Why?', 'Why not?'));
    expect(await collect(parseGlueTsv(test, 'qqp', 'test'))).toEqual([{ idx: 0, textA: 'Why?', textB: 'Why not?', label: null }]);
  });

  it('MNLI: train (12 columns) and dev_matched (16 columns) both read sentence1/sentence2/gold_label by name', async () => {
    const parse = '( ( Conceptually ( cream skimming ) ) ... )';
    const train = tsv(
      row(...MNLI_HEAD, 'label1', 'gold_label'),
      row('0', '31193', '31193n', 'government', parse, parse, parse, parse,
        'Conceptually cream skimming has two basic dimensions - product and geography.',
        'Product and geography are what make cream skimming work. ', 'neutral', 'neutral'),
      row('1', '101457', '101457e', 'telephone', parse, parse, parse, parse, 'you know during the season', 'You lose the things', 'entailment', 'entailment'),
      row('2', '134793', '134793c', 'fiction', parse, parse, parse, parse, 'One of our number', 'A member of my team', 'contradiction', 'contradiction'),
    );
    const rows = await collect(parseGlueTsv(train, 'mnli', 'train'));
    expect(rows.map((r) => r.label)).toEqual([1, 0, 2]);
    expect(rows[0]).toEqual({
      idx: 0,
      textA: 'Conceptually cream skimming has two basic dimensions - product and geography.',
      textB: 'Product and geography are what make cream skimming work. ',
      label: 1,
    });
    const dev = tsv(
      row(...MNLI_HEAD, 'label1', 'label2', 'label3', 'label4', 'label5', 'gold_label'),
      row('0', '63735', '63735n', 'slate', parse, parse, parse, parse, 'The new rights are nice enough', 'Everyone really likes the newest benefits ',
        'neutral', 'entailment', 'neutral', 'neutral', 'neutral', 'neutral'),
    );
    expect(await collect(parseGlueTsv(dev, 'mnli', 'validation_matched'))).toEqual([
      { idx: 0, textA: 'The new rights are nice enough', textB: 'Everyone really likes the newest benefits ', label: 1 },
    ]);
    const test = tsv(row(...MNLI_HEAD), row('0', '31349', '31349n', 'fiction', parse, parse, parse, parse, 'Hierbas, ans seco', 'Hierbas is a name'));
    expect(await collect(parseGlueTsv(test, 'mnli', 'test_mismatched'))).toEqual([
      { idx: 0, textA: 'Hierbas, ans seco', textB: 'Hierbas is a name', label: null },
    ]);
  });

  it('QNLI: question/sentence, string labels', async () => {
    const text = tsv(
      row('index', 'question', 'sentence', 'label'),
      row('0', 'When did the third Digimon series begin?', 'Unlike the two seasons before it...', 'not_entailment'),
      row('1', 'Which missile batteries often have individual launchers?', 'When MANPADS is operated...', 'entailment'),
    );
    expect((await collect(parseGlueTsv(text, 'qnli', 'train'))).map((r) => [r.textA.slice(0, 9), r.label])).toEqual([
      ['When did ', 1],
      ['Which mis', 0],
    ]);
  });

  it('test splits of CoLA, SST-2, MRPC, STS-B, RTE, WNLI have a header and no label', async () => {
    const cases: [string, string, string[]][] = [
      ['cola', tsv(row('index', 'sentence'), row('0', 'Bill whistled past the house.')), ['Bill whistled past the house.']],
      ['sst2', tsv(row('index', 'sentence'), row('0', 'uneasy mishmash of styles and genres .')), ['uneasy mishmash of styles and genres .']],
      ['mrpc', tsv(row('index', '#1 ID', '#2 ID', '#1 String', '#2 String'), row('0', '1089874', '1089925', 'PCCW said.', 'Mr Wong said.')), ['PCCW said.', 'Mr Wong said.']],
      ['stsb', tsv(row('index', 'genre', 'filename', 'year', 'old_index', 'source1', 'source2', 'sentence1', 'sentence2'),
        row('0', 'main-captions', 'MSRvid', '2012test', '0024', 'none', 'none', 'A girl is styling her hair.', 'A girl is brushing her hair.')),
      ['A girl is styling her hair.', 'A girl is brushing her hair.']],
      ['rte', tsv(row('index', 'sentence1', 'sentence2'), row('0', 'Mangla was summoned.', 'Mangla was summoned to court.')), ['Mangla was summoned.', 'Mangla was summoned to court.']],
      ['wnli', tsv(row('index', 'sentence1', 'sentence2'), row('0', 'Maria took a course.', 'Maria took a test.')), ['Maria took a course.', 'Maria took a test.']],
    ];
    for (const [task, text, fields] of cases) {
      const [ex] = await collect(parseGlueTsv(text, task, 'test'));
      expect([ex!.textA, ...(ex!.textB === undefined ? [] : [ex!.textB])], task).toEqual(fields);
      expect(ex!.label, task).toBeNull();
    }
  });

  it('the synthetic tasks have no GLUE files', async () => {
    await expect(collect(parseGlueTsv('x\n', 'synthetic', 'train'))).rejects.toMatchObject({ code: 'E_GLUE_TASK' });
  });

  it('gives the same examples whether the text comes whole, as bytes, or as a stream cut anywhere (inside UTF-8 characters too)', async () => {
    const text = tsv(
      row('index', 'sentence1', 'sentence2', 'label'),
      ...Array.from({ length: 200 }, (_, i) => row(String(i), `Zoë's café nº${i} — “quoted" ${'é'.repeat(i % 7)}`, `naïve 日本 ${i}`, i % 3 ? 'entailment' : 'not_entailment')),
    );
    const whole = await collect(parseGlueTsv(text, 'rte', 'train'));
    expect(whole).toHaveLength(200);
    const bytes = new TextEncoder().encode(text);
    expect(await collect(parseGlueTsv(bytes, 'rte', 'train'))).toEqual(whole);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.subarray(i, i + size));
          controller.close();
        },
      });
      expect(await collect(parseGlueTsv(stream, 'rte', 'train')), `chunks of ${size}`).toEqual(whole);
    }
    expect(getTask('rte').labelNames[whole[1]!.label!]).toBe('entailment');
  });

  it('streams: the first example comes out after the first chunk, long before the source is exhausted', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      const encoder = new TextEncoder();
      yield encoder.encode('id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n');
      for (let chunk = 0; chunk < 1000; chunk++) {
        pulled++;
        let text = '';
        for (let i = 0; i < 100; i++) text += `${chunk * 100 + i}\t1\t2\tWhy is the sky blue?\tWhat makes the sky blue?\t${i % 2}\n`;
        yield encoder.encode(text);
      }
    }
    const rows = parseGlueTsv(source(), 'qqp', 'train')[Symbol.asyncIterator]();
    const first = await rows.next();
    expect(first.value).toMatchObject({ idx: 0, label: 0 });
    expect(pulled).toBeLessThanOrEqual(2);
    let count = 1;
    while (!(await rows.next()).done) count++;
    expect(count).toBe(100_000);
    expect(pulled).toBe(1000);
  });
});
