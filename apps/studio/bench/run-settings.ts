/** The benchmark's run, the same in the page and in Node (see tokens-per-second.ts). */
export const BENCH_RUN = { pretrainEpochs: 1, pretrainSentences: 256, trainSize: 256, validationSize: 32, method: 'edora', rank: 8, epochs: 2, batchSize: 32 } as const;
