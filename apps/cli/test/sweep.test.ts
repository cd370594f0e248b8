import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { SPEC_OPTIONS } from '../src/commands/sweep.js';
import { finishedRuns } from '../src/sweep/report.js';
import { inShard, shardOf } from '../src/sweep/shard.js';
import { parseSweepSpec, SweepSpecError } from '../src/sweep/spec.js';
import { capture } from './helpers.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'edora-sweep-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

/** 2 methods × 1 rank × 2 head lrs × 2 seeds = 8 runs of one tiny epoch each (EDoRA's σ list has one value). */
const SPEC_YAML = `# a sweep of seconds on the embedded task
task: synthetic
model: tiny
methods: [edora, lora]
ranks: 2
sigmas: [1.0e-5]
lrs: [1.0e-2]
cls-lrs: [1.0e-2, 5.0e-3]
seeds: [1, 2]
epochs: 1
batch-size: 16
max-train-samples: 16
max-eval-samples: 16
max-seq-length: 40
padding: longest
backend: cpu
`;
const SPEC_JSON = JSON.stringify({
  task: 'synthetic', model: 'tiny', methods: ['edora', 'lora'], ranks: [2], sigmas: [1e-5], lrs: [1e-2], 'cls-lrs': [1e-2, 5e-3], seeds: [1, 2],
  epochs: 1, 'batch-size': 16, 'max-train-samples': 16, 'max-eval-samples': 16, 'max-seq-length': 40, padding: 'longest', backend: 'cpu',
}, null, 2);

interface DryRun { total: number; runs: { id: string; dir: string; state: string }[] }
async function dryRun(args: string[]): Promise<DryRun> {
  const io = capture();
  expect(await main(['sweep', ...args, '--dry-run', '--json'], io), io.out()).toBe(0);
  return JSON.parse(io.stdoutText()) as DryRun;
}

describe('sweep specs', () => {
  it('a YAML and a JSON spec of the same grid give the same runs with the same ids; typed options override the file', async () => {
    const d = await tempDir();
    await writeFile(join(d, 'sweep.yaml'), SPEC_YAML);
    await writeFile(join(d, 'sweep.json'), SPEC_JSON);
    const out = join(d, 'runs');
    const a = await dryRun([join(d, 'sweep.yaml'), '--output-dir', out]);
    const b = await dryRun([join(d, 'sweep.json'), '--output-dir', out]);
    expect(a.total).toBe(8);
    expect(new Set(a.runs.map((r) => r.id)).size).toBe(8);
    expect(b.runs).toEqual(a.runs);
    expect(a.runs.every((r) => /^[0-9a-f]{12}$/.test(r.id) && r.dir.endsWith(r.id) && r.state === 'todo')).toBe(true);
    // a typed option wins over the file and changes every id (it is part of each run's options)
    const c = await dryRun([join(d, 'sweep.yaml'), '--output-dir', out, '--epochs', '2']);
    expect(c.runs.some((r) => a.runs.some((x) => x.id === r.id))).toBe(false);
  });

  it('--grid edora-paper is the authors\' 1,750 runs per task', async () => {
    const r = await dryRun(['--grid', 'edora-paper', '--task', 'rte', '--data-dir', 'glue', '--output-dir', await tempDir()]);
    expect(r.total).toBe(7 * 2 * 5 * 5 * 5);
  });

  it('rejects an unknown key, an empty grid, a wrong type and bad YAML, naming the file, the line and the key', () => {
    const bad = (text: string): string => {
      try {
        parseSweepSpec(text, 'specs/sweep.yaml', SPEC_OPTIONS);
      } catch (e) {
        expect(e).toBeInstanceOf(SweepSpecError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad('task: rte\nlearning-rate: 1e-3\n')).toMatch(/^specs\/sweep\.yaml:2: unknown key "learning-rate"; valid keys: .*lrs/);
    expect(bad('task: rte\nranks: []\n')).toBe('specs/sweep.yaml:2: key "ranks": expected a non-empty list of integers ≥ 1 (or one value); found []');
    expect(bad('epochs: ten\n')).toBe('specs/sweep.yaml:1: key "epochs": expected an integer ≥ 1; found "ten"');
    expect(bad('methods: [edora, qlora]\n')).toMatch(/^specs\/sweep\.yaml:1: key "methods": expected a non-empty list of values from edora, dora, lora, lora-xs, full/);
    expect(bad('task: rte\n  ranks: [4\n')).toMatch(/^specs\/sweep\.yaml:\d+: not valid YAML/);
    expect(bad('- 1\n- 2\n')).toMatch(/expected a mapping of option names to values; found a list/);
    expect(() => parseSweepSpec('{"epochs": 2.5}', 'a.json', SPEC_OPTIONS)).toThrow('a.json:1: key "epochs": expected an integer ≥ 1; found 2.5');
    expect(bad('rank: 4\nranks: [8]\n')).toBe('specs/sweep.yaml:2: key "ranks": "rank" already gives ranks; give one of them');
    // edora train's single-valued names stand for the grid keys
    expect(parseSweepSpec('method: lora\nrank: 8\nlr: 1.0e-3\ncls-lr: 5.0e-4\nseed: 3\n', 's.yaml', SPEC_OPTIONS)).toEqual({ methods: ['lora'], ranks: [8], lrs: [1e-3], clsLrs: [5e-4], seeds: [3] });
  });

  it('a bad spec file fails the command with exit 1 and the message', async () => {
    const d = await tempDir();
    await writeFile(join(d, 'bad.json'), '{\n  "task": "synthetic",\n  "seeds": "one"\n}\n');
    await expect(main(['sweep', join(d, 'bad.json'), '--dry-run'], capture())).rejects.toThrow(`${join(d, 'bad.json')}:3: key "seeds": expected a non-empty list of integers in [0, 4294967295] (or one value); found "one"`);
  });
});

describe('shards', () => {
  it('reads --shard, Slurm\'s array variables and a Kubernetes completion index, and checks them', () => {
    expect(shardOf('2/5', undefined, {})).toEqual({ index: 2, count: 5, source: '--shard' });
    expect(shardOf(undefined, undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({ index: 3, count: 8, source: 'SLURM_ARRAY_TASK_ID' });
    expect(shardOf(undefined, 4, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4, source: 'JOB_COMPLETION_INDEX' });
    expect(shardOf('0/2', undefined, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 0, count: 2, source: '--shard' });
    expect(shardOf(undefined, undefined, {})).toBeNull();
    expect(() => shardOf('3/3', undefined, {})).toThrow('--shard: expected a shard index i with 0 ≤ i < n and n ≥ 1; found 3/3');
    expect(() => shardOf('1-4', undefined, {})).toThrow(/--shard: expected i\/n/);
    expect(() => shardOf(undefined, undefined, { JOB_COMPLETION_INDEX: '0' })).toThrow(/--shard-count/);
    expect(inShard([0, 1, 2, 3, 4, 5, 6], { index: 1, count: 3, source: '' })).toEqual([1, 4]);
  });

  it('3 shards together train exactly the runs of the whole spec; re-running a shard or the whole sweep trains nothing', async () => {
    const d = await tempDir();
    await writeFile(join(d, 'sweep.yaml'), SPEC_YAML);
    const out = join(d, 'runs');
    const spec = [join(d, 'sweep.yaml'), '--output-dir', out];
    const whole = await dryRun(spec);
    const shards = await Promise.all([0, 1, 2].map((i) => dryRun([...spec, '--shard', `${i}/3`])));
    expect(shards.map((s) => s.runs.length)).toEqual([3, 3, 2]);
    expect(shards.flatMap((s) => s.runs.map((r) => r.id)).sort()).toEqual(whole.runs.map((r) => r.id).sort());

    for (const i of [0, 1, 2]) {
      const io = capture();
      expect(await main(['sweep', ...spec, '--shard', `${i}/3`, '--json'], io), io.out()).toBe(0);
    }
    expect((await dryRun(spec)).runs.every((r) => r.state === 'done')).toBe(true);
    const finished = await finishedRuns(out);
    expect(finished.map((r) => r.id).sort()).toEqual(whole.runs.map((r) => r.id).sort());

    const resultsFile = join(whole.runs[0]!.dir, 'results.json');
    const before = (await stat(resultsFile)).mtimeMs;
    const again = capture();
    expect(await main(['sweep', ...spec, '--shard', '0/3'], again)).toBe(0);
    expect(again.stderrText()).not.toMatch(/^run \d/m);
    const all = capture();
    expect(await main(['sweep', ...spec, '--json'], all)).toBe(0);
    expect(all.stderrText()).not.toMatch(/^run \d/m);
    expect((await stat(resultsFile)).mtimeMs).toBe(before);

    // the summary: median over the two seeds of each configuration, from the runs' own results
    const summary = JSON.parse(all.stdoutText()) as { tasks: { metric: string; configs: { runIds: string[]; values: number[]; median: number }[] }[] };
    expect(summary.tasks).toHaveLength(1);
    expect(summary.tasks[0]!.metric).toBe('accuracy');
    expect(summary.tasks[0]!.configs).toHaveLength(4);
    for (const c of summary.tasks[0]!.configs) {
      const values = c.runIds.map((id) => finished.find((r) => r.id === id)!.results.last!.metrics.accuracy!);
      expect(c.values).toEqual(values);
      expect(c.median).toBe((values[0]! + values[1]!) / 2);
    }

    // the report command writes the same summary and its files
    const rep = capture();
    expect(await main(['sweep', 'report', out, '--json'], rep), rep.out()).toBe(0);
    const report = JSON.parse(rep.stdoutText()) as { runs: number; tasks: unknown[]; files: string[] };
    expect(report.runs).toBe(8);
    expect(report.tasks).toEqual(summary.tasks);
    expect(JSON.parse(await readFile(join(out, 'report', 'report.json'), 'utf8'))).toEqual({ tasks: summary.tasks });
    const csv = (await readFile(join(out, 'report', 'report.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/^task,metric,epoch,method,rank,sigma,lr,cls_lr,trainable,seeds,median,min,max,std,best_for_method_rank/);
    expect(csv).toHaveLength(1 + 4);
    const svg = await readFile(join(out, 'report', 'synthetic-metric-vs-params.svg'), 'utf8');
    expect(svg.match(/<circle /g)).toHaveLength(2); // the best configuration of each method at its one rank
  }, 300_000);
});
