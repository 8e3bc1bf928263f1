// The layering rule of docs/architecture.md as an ESLint rule: each file belongs to a part, and an import may
// point only at the parts that part is allowed to see. Relative imports are resolved, so the check is by file.
import path from 'node:path';

/** The app-wide half of the core that knows services exist: the composition root, the control plane, HAProxy's config of them all. */
const CORE_APP = new Set(['compose-control-plane', 'control-plane', 'control-plane-parts', 'docker-watch', 'haproxy-settings', 'settings-check'].map((name) => `electron/core/${name}.ts`));

/** Parts by path, first match wins; files matching none (tests, benchmarks, scripts) are not checked. */
const PARTS = [
  ['contract', (p) => p.startsWith('electron/contract/')],
  ['core-app', (p) => CORE_APP.has(p)],
  // One service's parts, built N times by the composition root.
  ['core-service', (p) => p.startsWith('electron/core/service/')],
  // What both build on and neither owns: the settings store, policy, metrics, drivers, Compose files, the clock.
  ['core', (p) => p.startsWith('electron/core/')],
  // What HAProxy's config can carry, as pure functions: the settings schema and the config renderer share them.
  ['haproxy-values', (p) => p === 'haproxy/config-values.ts'],
  ['shell', (p) => p.startsWith('electron/shells/')],
  // Anything else under electron/ belongs to no part yet: a new file must be placed in one of the folders above.
  ['unplaced', (p) => p.startsWith('electron/')],
  ['haproxy', (p) => p.startsWith('haproxy/')],
  ['renderer', (p) => p.startsWith('renderer/')],
  ['api', (p) => p.startsWith('api/')],
];

/** Which parts each part may import; the arrows of docs/architecture.md. */
export const ALLOWED = {
  contract: ['contract', 'haproxy-values'],
  'core-app': ['contract', 'core-app', 'core-service', 'core', 'haproxy', 'haproxy-values'],
  'core-service': ['contract', 'core-service', 'core', 'haproxy', 'haproxy-values'],
  core: ['contract', 'core', 'haproxy', 'haproxy-values'],
  shell: ['contract', 'core-app', 'core', 'haproxy', 'haproxy-values', 'shell'],
  haproxy: ['haproxy', 'haproxy-values'],
  'haproxy-values': [],
  renderer: ['contract', 'renderer'],
  unplaced: [],
  api: ['api'],
};

/** Packages only some parts may import. */
const PACKAGE_OWNERS = { electron: ['shell'] };

export function partOf(repoPath) {
  const normal = repoPath.split(path.sep).join('/').replace(/\.(js|cjs|mjs)$/, '.ts');
  return PARTS.find(([, matches]) => matches(normal) || matches(normal.replace(/\.ts$/, '.tsx')) || matches(normal.replace(/\.ts$/, '.cts')))?.[0] ?? null;
}

export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the arrows between parts in docs/architecture.md' },
    schema: [],
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename);
    const from = partOf(file);
    if (!from) return {};
    if (from === 'unplaced') {
      return {
        Program: (node) =>
          context.report({ node, message: `${file} belongs to no part: put it under electron/contract/, electron/core/ or electron/shells/ (see docs/architecture.md)` }),
      };
    }
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (!source.startsWith('.')) {
        const pkg = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0];
        const owners = PACKAGE_OWNERS[pkg];
        if (owners && !owners.includes(from)) {
          context.report({ node, message: `${from} may not import '${pkg}' (only ${owners.join(', ')}); see docs/architecture.md` });
        }
        return;
      }
      const target = path.relative(root, path.resolve(path.dirname(context.filename), source));
      const to = partOf(target);
      if (to && !ALLOWED[from].includes(to)) {
        context.report({ node, message: `${from} may not import ${to} (${target}); allowed: ${ALLOWED[from].join(', ')}. See docs/architecture.md` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { layering: layeringRule } };
