// The lint rule `edora/layering`: dependency arrows point down the package graph
// (package-graph.mjs, the graph of docs/architecture.md). For every import, re-export, dynamic
// import() and type import() with a literal specifier, it checks that
//  - a relative path stays inside the importing file's own package (no reaching into another
//    package's src/ — import it by name instead);
//  - an @edora/<pkg> import names a package the importer may use (src/: the graph; tests,
//    benchmarks and configuration files: also itself, any backend, the private tooling and
//    packages that do not depend on it), and a subpath that package's
//    `exports` map offers (no `@edora/tensor/src/...`);
//  - the importer declares that package in its package.json (src/: dependencies or
//    peerDependencies; tests and benchmarks: devDependencies too).
// It reads only package.json files, so it needs no resolver and costs next to nothing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ALL_DEV, ANY_BACKEND, DEV_FOLDERS, DEV_TOOLS, MAY_IMPORT, isBackend } from './package-graph.mjs';

const manifests = new Map();

/** The nearest package.json at or above `dir`: { root, pkg }, or null outside any package. */
function packageOf(dir) {
  if (manifests.has(dir)) return manifests.get(dir);
  let found = null;
  const file = join(dir, 'package.json');
  if (existsSync(file)) found = { root: dir, pkg: JSON.parse(readFileSync(file, 'utf8')) };
  else if (dirname(dir) !== dir) found = packageOf(dirname(dir));
  manifests.set(dir, found);
  return found;
}

/** Every workspace package by name, found from the repository root (the folder of pnpm-workspace.yaml). */
let workspace = null;
function workspacePackages(fromDir) {
  if (workspace) return workspace;
  let root = fromDir;
  while (!existsSync(join(root, 'pnpm-workspace.yaml')) && dirname(root) !== root) root = dirname(root);
  workspace = new Map();
  const globs = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').match(/^\s*-\s*['"]?[^'"\n]+/gm) ?? [];
  for (const line of globs) {
    const pattern = line.replace(/^\s*-\s*['"]?/, '').trim();
    const dirs = pattern.endsWith('/*') ? listDirs(join(root, pattern.slice(0, -2))) : [join(root, pattern)];
    for (const d of dirs) {
      const file = join(d, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8'));
        workspace.set(pkg.name, { root: d, pkg });
      }
    }
  }
  return workspace;
}

function listDirs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n !== 'node_modules' && statSync(join(dir, n)).isDirectory()).map((n) => join(dir, n));
}

/** The export keys a package offers ('.', './node', ...). */
function exportKeys(pkg) {
  if (!pkg.exports) return ['.'];
  if (typeof pkg.exports === 'string' || !Object.keys(pkg.exports).some((k) => k.startsWith('.'))) return ['.'];
  return Object.keys(pkg.exports);
}

/** Whether `target` is in the graph and does not depend on `name` (importing it closes no cycle). */
function isSibling(target, name) {
  const below = MAY_IMPORT[target];
  return below !== undefined && !below.includes(name);
}

export const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the package graph of docs/architecture.md (tooling/eslint/package-graph.mjs)' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const here = packageOf(dirname(file));
    if (!here) return {};
    const name = here.pkg.name;
    const parts = relative(here.root, file).split(sep);
    const inFolder = parts.length > 1 ? `${parts[0]}/` : 'a configuration file';
    const dev = ALL_DEV.has(name) || parts.length === 1 || DEV_FOLDERS.includes(parts[0]);
    const graph = MAY_IMPORT[name] ?? (isBackend(name) ? ['@edora/tensor', '@edora/errors'] : undefined);

    function check(node, spec) {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        const rel = relative(here.root, target);
        if (rel.startsWith('..') || rel.split(sep).includes('node_modules')) {
          const other = packageOf(dirname(target));
          const what = other && other.root !== here.root ? `package ${other.pkg.name}` : 'files outside this package';
          context.report({ node, message: `${name}: '${spec}' reaches into ${what}; import a package by its name and exports only` });
        }
        return;
      }
      const m = /^(@edora\/[^/]+)(\/.*)?$/.exec(spec);
      if (!m) return;
      const [, target, sub] = m;
      if (!graph) {
        context.report({ node, message: `${name} is not in the package graph: add it to tooling/eslint/package-graph.mjs (and docs/architecture.md)` });
        return;
      }
      const self = target === name;
      const allowed = graph.includes(target) || (isBackend(target) && ANY_BACKEND.has(name)) ||
        (dev && (self || isBackend(target) || DEV_TOOLS.includes(target) || isSibling(target, name)));
      if (!allowed) {
        const list = graph.length ? graph.join(', ') : 'no @edora package';
        context.report({
          node,
          message: `${name}${dev ? ` (${inFolder})` : ''} may not import ${target}: dependency arrows point down the package graph; ` +
            `its ${dev ? 'published code' : 'src/'} may import ${list}${dev ? `, and its tests, benchmarks and configuration also itself, any backend, ${DEV_TOOLS.join(', ')} and packages that do not depend on it` : ''}`,
        });
        return;
      }
      const declared = self || [
        here.pkg.dependencies, here.pkg.peerDependencies, dev ? here.pkg.devDependencies : undefined,
      ].some((deps) => deps && target in deps);
      if (!declared) {
        context.report({ node, message: `${name}: imports ${target} without declaring it in package.json ${dev ? '(devDependencies will do for tests)' : 'dependencies or peerDependencies'}` });
        return;
      }
      const targetPkg = self ? here : workspacePackages(here.root).get(target);
      if (targetPkg) {
        const key = sub ? `.${sub}` : '.';
        const keys = exportKeys(targetPkg.pkg);
        if (!keys.includes(key)) {
          context.report({ node, message: `${spec}: ${target} exports only ${keys.map((k) => (k === '.' ? target : target + k.slice(1))).join(', ')}; deep imports into a package are not allowed` });
        }
      }
    }

    const literal = (n) => (n && n.type === 'Literal' ? n.value : undefined);
    return {
      ImportDeclaration: (node) => check(node.source, literal(node.source)),
      ExportNamedDeclaration: (node) => node.source && check(node.source, literal(node.source)),
      ExportAllDeclaration: (node) => check(node.source, literal(node.source)),
      ImportExpression: (node) => check(node.source, literal(node.source)),
      TSImportType: (node) => {
        const arg = node.argument;
        const lit = arg && arg.type === 'TSLiteralType' ? arg.literal : arg;
        check(node, literal(lit));
      },
      TSExternalModuleReference: (node) => check(node.expression, literal(node.expression)),
    };
  },
};

export default { rules: { layering } };
