/**
 * A small stand-in for the parts of vitest the conformance suite uses (describe/it with skip, skipIf and each,
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

/** `name` with vitest's `%s` / `%i` / `%d` placeholder filled by a parameter of `.each`. */
const titled = (name: string, item: unknown): string => name.replace(/%[sid]/, String(item));

function suiteAdder(skip: boolean) {
  return Object.assign((name: string, fn: Fn) => addSuite(name, fn, skip), {
    each: (items: readonly unknown[]) => (name: string, fn: (item: unknown) => unknown) => {
      for (const item of items) addSuite(titled(name, item), () => fn(item), skip);
    },
  });
}

function testAdder(skip: boolean) {
  return Object.assign((name: string, fn: (c: TestContext) => unknown) => {
    current.children.push({ kind: 'test', name, fn, skip });
  }, {
    each: (items: readonly unknown[]) => (name: string, fn: (item: unknown) => unknown) => {
      for (const item of items) current.children.push({ kind: 'test', name: titled(name, item), fn: () => fn(item), skip });
    },
  });
}

export const describe = Object.assign(suiteAdder(false), { skipIf: (cond: boolean) => suiteAdder(cond), skip: suiteAdder(true) });
export const it = Object.assign(testAdder(false), { skipIf: (cond: boolean) => testAdder(cond), skip: testAdder(true) });
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
    toBeUndefined: () => check(actual === undefined, 'to be undefined'),
    toBeDefined: () => check(actual !== undefined, 'to be defined'),
    toBeNull: () => check(actual === null, 'to be null'),
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

type Matchers = ReturnType<typeof matchers>;

/** `expect(promise).rejects` / `.resolves`: each matcher awaits the promise, then checks its error or value. */
function settled(promise: unknown, label: string | undefined, rejects: boolean): Record<keyof Matchers, (...args: never[]) => Promise<void>> {
  const names = Object.keys(matchers(undefined, label, false)) as (keyof Matchers)[];
  return Object.fromEntries(names.map((name) => [name, async (...args: never[]) => {
    let outcome: unknown;
    let rejected = false;
    try {
      outcome = await promise;
    } catch (err) {
      outcome = err;
      rejected = true;
    }
    if (rejected !== rejects) fail(`${label ? `${label}: ` : ''}expected the promise to ${rejects ? 'reject' : 'resolve'}, it ${rejected ? `rejected with ${show(outcome)}` : 'resolved'}`);
    if (rejects && name === 'toThrow') {
      const e = args[0] as RegExp | string | (new (...a: never[]) => unknown) | undefined;
      if (!errorMatches(outcome, e)) fail(`${label ? `${label}: ` : ''}rejected with ${show(outcome)}, expected ${e}`);
      return;
    }
    (matchers(outcome, label, false)[name] as (...a: never[]) => void)(...args);
  }])) as Record<keyof Matchers, (...args: never[]) => Promise<void>>;
}

export const expect = Object.assign(
  (actual: unknown, label?: string) => ({
    ...matchers(actual, label, false),
    not: matchers(actual, label, true),
    // the matchers applied to the rejection's error (toThrow to the error as vitest does)
    rejects: settled(actual, label, true),
    resolves: settled(actual, label, false),
  }),
  { fail: (message: string): never => fail(message) },
);

/** Runs every collected test in order; returns the process exit code (1 if any failed). */
export async function run(filter?: RegExp): Promise<number> {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  // as vitest does, an unhandled rejection fails the run instead of ending the process
  process.on('unhandledRejection', (err) => {
    counts.failed++;
    console.log(`  × unhandled rejection: ${String((err as Error).stack ?? err).split('\n').slice(0, 4).join('\n    ')}`);
  });
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
