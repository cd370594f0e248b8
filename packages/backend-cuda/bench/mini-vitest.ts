/**
 * A small stand-in for the parts of vitest the conformance suite uses (describe/it with skipIf,
 * beforeAll/afterAll, a test context with skip(), expect with the matchers the suite calls), so
 * the suite runs as one bundled script under plain Node on a GPU machine that has no
 * node_modules (bench/gpu-prepare.sh bundles it with esbuild, aliasing `vitest` to this file).
 * `run()` executes what was collected and prints vitest's closing line "N passed, N failed, N skipped".
 */
import { isDeepStrictEqual, inspect } from 'node:util';

type Fn = () => unknown;
interface TestContext {
  skip(reason?: string): void;
}
interface Test {
  kind: 'test';
  name: string;
  fn: (c: TestContext) => unknown;
  skip: boolean;
}
interface Suite {
  kind: 'suite';
  name: string;
  children: (Test | Suite)[];
  before: Fn[];
  after: Fn[];
  skip: boolean;
}

const root: Suite = { kind: 'suite', name: '', children: [], before: [], after: [], skip: false };
let current = root;

function addSuite(name: string, fn: Fn, skip: boolean): void {
  const s: Suite = { kind: 'suite', name, children: [], before: [], after: [], skip };
  current.children.push(s);
  const parent = current;
  current = s;
  try {
    fn();
  } finally {
    current = parent;
  }
}

export const describe = Object.assign((name: string, fn: Fn) => addSuite(name, fn, false), {
  skipIf: (cond: boolean) => (name: string, fn: Fn) => addSuite(name, fn, cond),
});
export const it = Object.assign((name: string, fn: (c: TestContext) => unknown) => {
  current.children.push({ kind: 'test', name, fn, skip: false });
}, {
  skipIf: (cond: boolean) => (name: string, fn: (c: TestContext) => unknown) => {
    current.children.push({ kind: 'test', name, fn, skip: cond });
  },
});
export const test = it;
export const beforeAll = (fn: Fn): void => void current.before.push(fn);
export const afterAll = (fn: Fn): void => void current.after.push(fn);

class Skipped extends Error {}

function fail(message: string): never {
  throw new Error(message);
}

const show = (v: unknown): string => inspect(v, { depth: 4, maxArrayLength: 20 });

function matchers(actual: unknown, label: string | undefined, negate: boolean) {
  const check = (ok: boolean, what: string): void => {
    if (ok === negate) fail(`${label ? `${label}: ` : ''}expected ${show(actual)} ${negate ? 'not ' : ''}${what}`);
  };
  return {
    toBe: (e: unknown) => check(Object.is(actual, e), `to be ${show(e)}`),
    toEqual: (e: unknown) => check(isDeepStrictEqual(actual, e), `to equal ${show(e)}`),
    toBeGreaterThan: (e: number) => check((actual as number) > e, `to be > ${e}`),
    toBeGreaterThanOrEqual: (e: number) => check((actual as number) >= e, `to be ≥ ${e}`),
    toBeLessThan: (e: number) => check((actual as number) < e, `to be < ${e}`),
    toBeLessThanOrEqual: (e: number) => check((actual as number) <= e, `to be ≤ ${e}`),
    toBeTruthy: () => check(Boolean(actual), 'to be truthy'),
    toBeInstanceOf: (c: new (...a: never[]) => unknown) => check(actual instanceof c, `to be an instance of ${c.name}`),
    toMatch: (re: RegExp | string) => check(typeof actual === 'string' && (typeof re === 'string' ? actual.includes(re) : re.test(actual)), `to match ${re}`),
    toContain: (e: unknown) => check((actual as { includes(x: unknown): boolean }).includes(e), `to contain ${show(e)}`),
    toThrow: (e?: RegExp | string | (new (...a: never[]) => unknown)) => {
      let thrown: unknown = null;
      try {
        (actual as () => unknown)();
      } catch (err) {
        thrown = err;
      }
      check(thrown !== null && errorMatches(thrown, e), `to throw ${e ?? ''}`);
    },
  };
}

function errorMatches(err: unknown, e?: RegExp | string | (new (...a: never[]) => unknown)): boolean {
  if (e === undefined) return true;
  if (typeof e === 'function') return err instanceof e;
  const msg = (err as Error).message ?? String(err);
  return typeof e === 'string' ? msg.includes(e) : e.test(msg);
}

export const expect = Object.assign(
  (actual: unknown, label?: string) => ({
    ...matchers(actual, label, false),
    not: matchers(actual, label, true),
    rejects: {
      toThrow: async (e?: RegExp | string | (new (...a: never[]) => unknown)) => {
        try {
          await actual;
        } catch (err) {
          if (!errorMatches(err, e)) fail(`${label ?? ''} rejected with ${show(err)}, expected ${e}`);
          return;
        }
        fail(`${label ?? ''} expected a rejection`);
      },
    },
  }),
  { fail: (message: string): never => fail(message) },
);

/** Runs every collected test in order; returns the process exit code (1 if any failed). */
export async function run(filter?: RegExp): Promise<number> {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const walk = async (s: Suite, path: string[], skipped: boolean): Promise<void> => {
    const skip = skipped || s.skip;
    if (!skip) for (const f of s.before) await f();
    try {
      for (const c of s.children) {
        const names = [...path, c.name].filter(Boolean);
        if (c.kind === 'suite') {
          await walk(c, names, skip);
          continue;
        }
        const title = names.join(' > ');
        if (skip || c.skip || (filter && !filter.test(title))) {
          counts.skipped++;
          continue;
        }
        const t0 = performance.now();
        try {
          await c.fn({ skip: (reason?: string) => { throw new Skipped(reason ?? ''); } });
          counts.passed++;
          console.log(`  ✓ ${title} (${(performance.now() - t0).toFixed(0)} ms)`);
        } catch (err) {
          if (err instanceof Skipped) {
            counts.skipped++;
            console.log(`  ↓ ${title} [${err.message}]`);
          } else {
            counts.failed++;
            console.log(`  × ${title}\n    ${String((err as Error).stack ?? err).split('\n').slice(0, 6).join('\n    ')}`);
          }
        }
      }
    } finally {
      if (!skip) for (const f of s.after) await f();
    }
  };
  await walk(root, [], false);
  console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  return counts.failed > 0 ? 1 : 0;
}
