import { build } from 'esbuild';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Stands in for 'vitest' inside pages, so that vitest-style suites (the conformance kit) run there. */
const IN_PAGE_VITEST = fileURLToPath(new URL('../pages/in-page-vitest.ts', import.meta.url));

/**
 * Bundles each page entry (pages/<name>.ts) into one ES module, resolving workspace packages to
 * their TypeScript sources (the "@edora/source" condition) with esbuild's browser platform: a
 * package that imports node:fs (or any Node builtin) from its browser entry fails right here.
 * `vitest` resolves to pages/in-page-vitest.ts. Returns the files to serve: /<name>.html loading /<name>.js.
 */
export async function bundlePages(entries: readonly string[]): Promise<Map<string, string>> {
  const result = await build({
    entryPoints: [...entries],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['@edora/source'],
    alias: { vitest: IN_PAGE_VITEST },
    outdir: '/pages',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const files = new Map<string, string>();
  for (const out of result.outputFiles) files.set(`/${basename(out.path)}`, out.text);
  for (const entry of entries) {
    const name = basename(entry).replace(/\.ts$/, '');
    files.set(`/${name}.html`, `<!doctype html><meta charset="utf-8"><title>${name}</title><script type="module" src="./${name}.js"></script>`);
  }
  files.set('/blank.html', '<!doctype html><meta charset="utf-8"><title>blank</title>');
  return files;
}
