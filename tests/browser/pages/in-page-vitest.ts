/**
 * What page bundles get for `import ... from 'vitest'` (an esbuild alias, see src/bundle.ts), so
 * that `@edora/tensor/conformance`, written as vitest suites, runs unchanged in a browser tab.
 * `expect` is vitest's own (@vitest/expect's matchers on chai); describe/it/beforeAll/afterAll
 * collect a tree that `runCollected` runs in order, as vitest runs one file: beforeAll hooks, then
 * each test and nested suite, then afterAll hooks. A test's context offers `skip(note)`. Only what
 * the conformance suite uses is here; anything else is undefined and fails the bundle's page loudly.
 */
import { chai, JestChaiExpect, JestExtend } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);

type Assertion = ReturnType<typeof chai.expect>;
export const expect = Object.assign((value: unknown, message?: string): Assertion => chai.expect(value, message), {
  fail: (message?: string): never => chai.expect.fail(message),
});

interface TestContext {
  skip(note?: string): never;
}
type TestFn = (context: TestContext) => unknown;
type Hook = () => unknown;

interface Suite {
  name: string;
  beforeAll: Hook[];
  afterAll: Hook[];
  children: (Suite | { name: string; fn: TestFn })[];
}

const root: Suite = { name: '', beforeAll: [], afterAll: [], children: [] };
let current = root;

export function describe(name: string, fn: () => void): void {
  const suite: Suite = { name, beforeAll: [], afterAll: [], children: [] };
  current.children.push(suite);
  const parent = current;
  current = suite;
  try {
    fn();
  } finally {
    current = parent;
  }
}

export function it(name: string, fn: TestFn): void {
  current.children.push({ name, fn });
}

export function beforeAll(fn: Hook): void {
  current.beforeAll.push(fn);
}

export function afterAll(fn: Hook): void {
  current.afterAll.push(fn);
}

class Skipped extends Error {}

export interface TestOutcome {
  /** Suite names and the test's, joined by " > " as vitest prints them. */
  name: string;
  state: 'pass' | 'fail' | 'skip';
  /** The failure's message, or the skip's note. */
  message?: string;
  ms: number;
}

const context: TestContext = {
  skip(note) {
    throw new Skipped(note ?? 'skipped');
  },
};

const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

async function runSuite(suite: Suite, path: string[], out: TestOutcome[]): Promise<void> {
  let setupError: unknown = null;
  try {
    for (const hook of suite.beforeAll) await hook();
  } catch (err) {
    setupError = err;
  }
  for (const child of suite.children) {
    if ('children' in child) {
      if (setupError === null) await runSuite(child, [...path, child.name], out);
      continue;
    }
    const name = [...path, child.name].join(' > ');
    if (setupError !== null) {
      out.push({ name, state: 'fail', message: `beforeAll failed: ${errorText(setupError)}`, ms: 0 });
      continue;
    }
    const t0 = performance.now();
    try {
      await child.fn(context);
      out.push({ name, state: 'pass', ms: performance.now() - t0 });
    } catch (err) {
      const skipped = err instanceof Skipped;
      out.push({ name, state: skipped ? 'skip' : 'fail', message: skipped ? err.message : errorText(err), ms: performance.now() - t0 });
    }
  }
  for (const hook of suite.afterAll) {
    try {
      await hook();
    } catch (err) {
      out.push({ name: [...path, '(afterAll)'].join(' > '), state: 'fail', message: errorText(err), ms: 0 });
    }
  }
}

/** Runs every suite collected so far and returns one outcome per test, in order. */
export async function runCollected(): Promise<TestOutcome[]> {
  const out: TestOutcome[] = [];
  await runSuite(root, [], out);
  return out;
}
