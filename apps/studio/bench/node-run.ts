/**
 * One run of the benchmark's demo fine-tuning in Node, in a process of its own (a backend's
 * threads — wasm workers, OpenBLAS — must not outlive its run into the next one's). Prints the
 * second epoch's tokens/s. Usage: node-run.ts <backend>
 */
import { setBackend } from '@edora/tensor';
import '@edora/backend-wasm/register';
import { loadData } from '../src/engine/data-source.js';
import { demoBase } from '../src/engine/demo-base.js';
import { StudioRun } from '../src/engine/run.js';
import { DEFAULT_SETTINGS } from '../src/engine/settings.js';
import { BENCH_RUN as RUN } from './run-settings.js';

await setBackend(process.argv[2] ?? 'cpu');
const base = await demoBase({ epochs: RUN.pretrainEpochs, sentences: RUN.pretrainSentences, batchSize: 32, lr: 3e-3, seed: 1 }, null);
const data = await loadData({ kind: 'synthetic', task: 'synthetic', trainSize: RUN.trainSize, validationSize: RUN.validationSize, seed: 1 });
const run = await StudioRun.build(base.folder, data, { ...DEFAULT_SETTINGS, method: RUN.method, rank: RUN.rank, epochs: RUN.epochs, batchSize: RUN.batchSize });
const results = await run.fit('bench', {});
console.log(JSON.stringify({ tokensPerSecond: results.epochs.at(-1)!.tokensPerSecond }));
process.exit(0);
