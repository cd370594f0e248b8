import { describe, expect, it } from 'vitest';
import { getTask, type GlueExample } from '@edora/glue';
import { loadGlueTask } from '@edora/glue/node';
import { glueDataDir, hasGlueData, missingDataReason } from './data-dir.js';

// Every GLUE file in ../shared/data/glue: row counts equal the official split sizes (HF glue),
// first and last rows hold the fields and labels read off the files by eye (head/tail), and label
// counts match `awk -F'\t'` over the raw files.
interface Expect {
  task: string;
  split: string;
  first: Partial<GlueExample>;
  last: Partial<GlueExample>;
  /** label id → count; for STS-B the sum of scores instead */
  labels?: Record<number, number>;
  scoreSum?: number;
}

const CASES: Expect[] = [
  {
    task: 'cola', split: 'train',
    first: { idx: 0, textA: "Our friends won't buy this analysis, let alone the next one we propose.", label: 1 },
    last: { idx: 8550, textA: 'What all did you get for Christmas?', label: 1 },
    labels: { 0: 2528, 1: 6023 },
  },
  {
    task: 'cola', split: 'validation',
    first: { idx: 0, textA: 'The sailors rode the breeze clear of the rocks.', label: 1 },
    last: { idx: 1042, textA: 'John talked to Bill about himself.', label: 1 }, // the file has no final newline
    labels: { 0: 322, 1: 721 },
  },
  {
    task: 'sst2', split: 'train',
    first: { idx: 0, textA: 'hide new secretions from the parental units ', label: 0 },
    last: { idx: 67348, textA: 'this new jangle of noise , mayhem and stupidity must be a serious contender for the title . ', label: 0 },
    labels: { 0: 29780, 1: 37569 },
  },
  {
    task: 'sst2', split: 'validation',
    first: { idx: 0, textA: "it 's a charming and often affecting journey . ", label: 1 },
    last: {
      idx: 871,
      textA: "looking aristocratic , luminous yet careworn in jane hamilton 's exemplary costumes , rampling gives a performance that could not be improved upon . ' ",
      label: 1,
    },
    labels: { 0: 428, 1: 444 },
  },
  {
    task: 'mrpc', split: 'train',
    first: {
      idx: 0,
      textA: 'Amrozi accused his brother, whom he called "the witness", of deliberately distorting his evidence.',
      textB: 'Referring to him as only "the witness", Amrozi accused his brother of deliberately distorting his evidence.',
      label: 1,
    },
    last: {
      idx: 3667,
      textA: "The 30-year bond US30YT=RR rose 22/32 for a yield of 4.31 percent, versus 4.35 percent at Wednesday's close.",
      textB: 'The 30-year bond US30YT=RR grew 1-3/32 for a yield of 4.30 percent, down from 4.35 percent late Wednesday.',
      label: 0,
    },
    labels: { 0: 1194, 1: 2474 },
  },
  {
    task: 'mrpc', split: 'validation',
    first: {
      idx: 0,
      textA: "He said the foodservice pie business doesn't fit the company's long-term growth strategy.",
      textB: '"The foodservice pie business does not fit our long-term growth strategy.', // unbalanced quote: quoting must be off
      label: 1,
    },
    last: {
      idx: 407,
      textA: "Ex-KGB agent Putin added that the Beatles were considered 'propaganda of an alien ideology'.",
      textB: 'In Soviet times the Beatles\' music "was considered propaganda of an alien ideology.',
      label: 1,
    },
    labels: { 0: 129, 1: 279 },
  },
  {
    task: 'stsb', split: 'train',
    first: { idx: 0, textA: 'A plane is taking off.', textB: 'An air plane is taking off.', label: 5 },
    last: { idx: 5748, textA: 'Putin spokesman: Doping charges appear unfounded', textB: 'The Latest on Severe Weather: 1 Dead in Texas After Tornado', label: 0 },
    scoreSum: 15528.043396825,
  },
  {
    task: 'stsb', split: 'validation',
    first: { idx: 0, textA: 'A man with a hard hat is dancing.', textB: 'A man wearing a hard hat is dancing.', label: 5 },
    last: { idx: 1499, textA: 'New video shows US police officers beating mentally-ill man', label: 0 },
    scoreSum: 3545.861333333,
  },
  {
    task: 'rte', split: 'train',
    first: { idx: 0, textA: 'No Weapons of Mass Destruction Found in Iraq Yet.', textB: 'Weapons of Mass Destruction Found in Iraq.', label: 1 },
    last: { idx: 2489, textB: 'U.S. to use Turkish military bases.', label: 1 },
    labels: { 0: 1249, 1: 1241 },
  },
  {
    task: 'rte', split: 'validation',
    first: { idx: 0, textB: 'Christopher Reeve had an accident.', label: 1 },
    last: { idx: 276, textB: 'Greenpeace director said that peace is terrorism.', label: 1 },
    labels: { 0: 146, 1: 131 },
  },
  {
    task: 'wnli', split: 'train',
    first: { idx: 0, textA: 'I stuck a pin through a carrot. When I pulled the pin out, it had a hole.', textB: 'The carrot had a hole.', label: 1 },
    last: { idx: 634, textA: 'Although they ran at about the same speed, Sue beat Sally because she had such a bad start.', textB: 'Sally had such a bad start.', label: 1 },
    labels: { 0: 323, 1: 312 },
  },
  {
    task: 'wnli', split: 'validation',
    first: { idx: 0, textA: 'The drain is clogged with hair. It has to be cleaned.', textB: 'The hair has to be cleaned.', label: 0 },
    last: { idx: 70, textB: 'Eric was not particularly eager to see it.', label: 0 },
    labels: { 0: 40, 1: 31 },
  },
];

describe.skipIf(!hasGlueData)(`real GLUE files (${hasGlueData ? glueDataDir : missingDataReason})`, () => {
  for (const c of CASES) {
    it(`${c.task} ${c.split}: official row count, first and last rows, labels`, async () => {
      const rows = await loadGlueTask(glueDataDir, c.task, c.split);
      expect(rows.length).toBe(getTask(c.task).sizes[c.split]);
      expect(rows[0]).toMatchObject(c.first);
      expect(rows.at(-1)).toMatchObject(c.last);
      expect(rows.every((r, i) => r.idx === i)).toBe(true);
      const pair = getTask(c.task).textFields.length === 2;
      expect(rows.every((r) => typeof r.textA === 'string' && (typeof r.textB === 'string') === pair)).toBe(true);
      if (c.labels) {
        const counts: Record<number, number> = {};
        for (const r of rows) counts[r.label!] = (counts[r.label!] ?? 0) + 1;
        expect(counts).toEqual(c.labels);
      }
      if (c.scoreSum !== undefined) {
        expect(rows.reduce((s, r) => s + r.label!, 0)).toBeCloseTo(c.scoreSum, 5);
      }
    });
  }

  it('the MRPC header BOM does not leak into data: no text starts with U+FEFF', async () => {
    const rows = await loadGlueTask(glueDataDir, 'mrpc', 'validation');
    expect(rows.some((r) => r.textA.startsWith('\uFEFF'))).toBe(false);
  });
});
