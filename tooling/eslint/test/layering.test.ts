import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import edora from '../layering.mjs';
import { ALL_DEV, ANY_BACKEND, MAY_IMPORT, isBackend } from '../package-graph.mjs';

// The rule reads the real package.json files of this repository, so each case lints a snippet as
// if it were a file at that path.
const repo = resolve(import.meta.dirname, '..', '..', '..');
const linter = new Linter({ configType: 'flat', cwd: repo });
const config = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { edora }, rules: { 'edora/layering': 'error' } }] as Linter.Config[];

function problems(path: string, code: string): string[] {
  return linter.verify(code, config, { filename: join(repo, path) }).map((m) => m.message);
}

describe('edora/layering', () => {
  it('accepts imports down the graph', () => {
    expect(problems('packages/glue/src/x.ts', "import { EdoraError } from '@edora/errors';")).toEqual([]);
    expect(problems('packages/layers/src/x.ts', "import { svd } from '@edora/linalg';\nimport { tensor } from '@edora/tensor';")).toEqual([]);
    expect(problems('packages/models/src/x.ts', "import { readSafetensorsFile } from '@edora/tensor/node';")).toEqual([]);
    expect(problems('packages/layers/src/x.ts', "import { y } from './y.js';\nexport * from '../src/z.js';")).toEqual([]);
  });

  it('rejects an import up or across the graph, naming what is allowed', () => {
    const [up] = problems('packages/layers/src/x.ts', "import { roberta } from '@edora/models';");
    expect(up).toMatch(/@edora\/layers may not import @edora\/models: .* may import @edora\/linalg, @edora\/tensor, @edora\/errors$/);
    expect(problems('packages/glue/src/x.ts', "import { tensor } from '@edora/tensor';")).toHaveLength(1);
    // train depends on small interfaces, not on the models package
    expect(problems('packages/train/src/x.ts', "import type { RobertaModel } from '@edora/models';")).toHaveLength(1);
    expect(problems('packages/backend-wasm/src/x.ts', "import { Linear } from '@edora/layers';")).toHaveLength(1);
  });

  it('checks re-exports, dynamic import() and type import() too', () => {
    expect(problems('packages/tensor/src/x.ts', "export { svd } from '@edora/linalg';")).toHaveLength(1);
    expect(problems('packages/tensor/src/x.ts', "export * from '@edora/linalg';")).toHaveLength(1);
    expect(problems('packages/tensor/src/x.ts', "const m = await import('@edora/linalg');")).toHaveLength(1);
    expect(problems('packages/tensor/src/x.ts', "let s: import('@edora/linalg').SVDResult;")).toHaveLength(1);
  });

  it("rejects a relative path into another package's source", () => {
    const [msg] = problems('packages/backend-wasm/bench/x.ts', "import { roberta } from '../../models/src/index.js';");
    expect(msg).toBe("@edora/backend-wasm: '../../models/src/index.js' reaches into package @edora/models; import a package by its name and exports only");
  });

  it('rejects a deep import that the package does not export', () => {
    const [msg] = problems('packages/models/test/x.ts', "import { cpu } from '@edora/tensor/src/backend/cpu/index.js';");
    expect(msg).toMatch(/^@edora\/tensor\/src\/backend\/cpu\/index\.js: @edora\/tensor exports only @edora\/tensor, @edora\/tensor\/node, /);
  });

  it('lets tests and benchmarks use their own package, any backend and the tooling, but nothing above', () => {
    expect(problems('packages/glue/test/x.ts', "import { getTask } from '@edora/glue';\nimport { getTask as g } from '@edora/glue/node';")).toEqual([]);
    expect(problems('packages/models/test/x.ts', "import '@edora/backend-wasm/register';")).toEqual([]);
    expect(problems('packages/tensor/bench/x.ts', "import { table } from '@edora/bench-kit';")).toEqual([]);
    // a package above (models depends on linalg) would close a cycle; a sibling closes none
    expect(problems('packages/linalg/test/x.ts', "import { roberta } from '@edora/models';")).toHaveLength(1);
    expect(problems('packages/train/test/x.ts', "import { roberta } from '@edora/models';")).toEqual([]);
    // src/ may not import itself by name (that is a cycle through the package's own entry point)
    expect(problems('packages/glue/src/x.ts', "import { getTask } from '@edora/glue';")).toHaveLength(1);
  });

  it('requires the imported package to be declared in package.json', () => {
    // @edora/errors is allowed below layers, but layers reaches it through tensor's re-export
    const [msg] = problems('packages/layers/src/x.ts', "import { EdoraError } from '@edora/errors';");
    expect(msg).toBe('@edora/layers: imports @edora/errors without declaring it in package.json dependencies or peerDependencies');
  });
});

describe('the package graph', () => {
  const workspace = ['packages', 'apps', 'tooling', 'tests', 'examples'].flatMap((dir) =>
    readdirSync(join(repo, dir)).map((n) => join(repo, dir, n, 'package.json')).filter(existsSync),
  ).concat(join(repo, 'benchmarks', 'package.json'));
  const manifests = workspace.map((f) => JSON.parse(readFileSync(f, 'utf8')) as {
    name: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string>;
  });

  it('lists every workspace package (a new package must say where it sits)', () => {
    const missing = manifests.map((m) => m.name).filter((n) => n.startsWith('@edora/') && !(n in MAY_IMPORT) && !isBackend(n));
    // the shared tsconfig has no code
    expect(missing.filter((n) => n !== '@edora/tsconfig')).toEqual([]);
  });

  it('has no cycle', () => {
    const graph = MAY_IMPORT as Record<string, string[]>;
    const state = new Map<string, 'open' | 'done'>();
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 'done') return;
      expect(state.get(n), `cycle ${[...path, n].join(' → ')}`).not.toBe('open');
      state.set(n, 'open');
      for (const d of graph[n] ?? []) if (d !== n) visit(d, [...path, n]);
      state.set(n, 'done');
    };
    for (const n of Object.keys(graph)) visit(n, []);
  });

  it("agrees with every published package's declared dependencies", () => {
    for (const m of manifests) {
      if (!m.name.startsWith('@edora/') || ALL_DEV.has(m.name)) continue;
      const allowed = (MAY_IMPORT as Record<string, string[]>)[m.name] ?? (isBackend(m.name) ? ['@edora/tensor', '@edora/errors'] : []);
      const declared = Object.keys({ ...m.dependencies, ...m.peerDependencies }).filter((d) => d.startsWith('@edora/'));
      for (const d of declared.filter((d) => !(ANY_BACKEND.has(m.name) && isBackend(d)))) expect(allowed, `${m.name} depends on ${d}`).toContain(d);
    }
  });
});
