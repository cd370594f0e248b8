import { EdoraError } from '@edora/errors';
import { FuzzRng } from './rng.js';
import { shrink, showInput, sizeOf, type Shrinkable } from './shrink.js';

/**
 * One parser's fuzz test: `generate` makes the input of a case from its own seeded stream, `run`
 * feeds it to the parser and checks a result it returns (throwing on a wrong one). Every case
 * must end in a correct result or an expected typed error (an `EdoraError` unless `expected` says
 * otherwise), within `timeLimitMs` and `memoryLimitBytes`; anything else fails the test with the
 * case's seed and the shortest input that still fails the same way.
 */
export interface FuzzTarget<T extends Shrinkable> {
  readonly name: string;
  /** Case c draws from `new FuzzRng(seed + c)`. */
  readonly seed: number;
  /** Cases in CI; `pnpm fuzz` multiplies it by EDORA_FUZZ_SCALE (50 there, 1 by default). */
  readonly cases: number;
  generate(r: FuzzRng, c: number): T;
  run(input: T): unknown;
  /** Which thrown values count as a correct rejection. Default: any EdoraError. */
  expected?(err: unknown): boolean;
  /** Per case; default 2,000 ms (generous: CI machines are loaded; a quadratic parser takes far longer). */
  readonly timeLimitMs?: number;
  /** Growth of heap + array buffers over one case; default 256 MiB. */
  readonly memoryLimitBytes?: number;
}

export interface FuzzSummary {
  cases: number;
  /** Cases that gave a result. */
  accepted: number;
  /** Cases rejected with an expected typed error, by error code. */
  rejected: Record<string, number>;
}

type Outcome = { kind: 'accepted' } | { kind: 'rejected'; code: string } | { kind: 'failed'; signature: string; detail: string; cause?: unknown };

/** The case multiplier: EDORA_FUZZ_SCALE (a positive number), default 1. */
export function fuzzScale(): number {
  const raw = typeof process !== 'undefined' ? process.env.EDORA_FUZZ_SCALE : undefined;
  const n = raw === undefined ? 1 : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

function memoryNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function outcomeOf<T extends Shrinkable>(target: FuzzTarget<T>, input: T): Promise<Outcome> {
  const timeLimit = target.timeLimitMs ?? 2000;
  const memoryLimit = target.memoryLimitBytes ?? 256 * 2 ** 20;
  const expected = target.expected ?? ((e: unknown) => e instanceof EdoraError);
  const mem0 = memoryNow();
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    await target.run(input);
    outcome = { kind: 'accepted' };
  } catch (err) {
    outcome = expected(err)
      ? { kind: 'rejected', code: (err as { code?: string }).code ?? (err as Error).name }
      : { kind: 'failed', signature: `threw ${(err as Error)?.constructor?.name ?? typeof err}`, detail: `${String((err as Error)?.stack ?? err)}`.split('\n').slice(0, 6).join('\n'), cause: err };
  }
  const ms = performance.now() - t0;
  const grew = memoryNow() - mem0;
  if (outcome.kind !== 'failed' && ms > timeLimit) outcome = { kind: 'failed', signature: 'slow', detail: `took ${ms.toFixed(0)} ms, over the ${timeLimit} ms bound` };
  if (outcome.kind !== 'failed' && grew > memoryLimit) outcome = { kind: 'failed', signature: 'memory', detail: `grew the heap by ${(grew / 2 ** 20).toFixed(0)} MiB, over the ${(memoryLimit / 2 ** 20).toFixed(0)} MiB bound` };
  return outcome;
}

/** Runs every case; throws on the first failure, after shrinking its input. */
export async function fuzz<T extends Shrinkable>(target: FuzzTarget<T>): Promise<FuzzSummary> {
  const cases = Math.max(1, Math.round(target.cases * fuzzScale()));
  const summary: FuzzSummary = { cases, accepted: 0, rejected: {} };
  for (let c = 0; c < cases; c++) {
    const seed = target.seed + c;
    const input = target.generate(new FuzzRng(seed), c);
    const outcome = await outcomeOf(target, input);
    if (outcome.kind === 'accepted') summary.accepted++;
    else if (outcome.kind === 'rejected') summary.rejected[outcome.code] = (summary.rejected[outcome.code] ?? 0) + 1;
    else {
      const signature = outcome.signature;
      const small = await shrink(input, async (x) => {
        const o = await outcomeOf(target, x);
        return o.kind === 'failed' && o.signature === signature;
      });
      const again = await outcomeOf(target, small.input);
      const detail = again.kind === 'failed' ? again.detail : outcome.detail;
      throw new Error(
        `${target.name}: case ${c} (seed ${seed}: generate(new FuzzRng(${seed}))) ${signature}:\n${detail}\n` +
          `shortest input that fails the same way (${sizeOf(small.input)} of ${sizeOf(input)} after ${small.tries} shrink tries):\n${showInput(small.input)}`,
        { cause: outcome.cause },
      );
    }
  }
  return summary;
}
