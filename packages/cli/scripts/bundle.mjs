// Bundles the fast entry (src/fast.ts's build output) into one CommonJS file
// that bin/run.cjs compiles with a V8 code cache (Node 20 has no module
// compile cache): Node then loads one pre-compiled script instead of hundreds
// of modules, which is most of a hot command's start-up.
//
// Also bundles the thin entry (src/thin.ts) alone into dist/thin.cjs, with
// this build's id and the schema version written in, and writes the build's stamp to dist/build-id,
// where daemon-launch.ts reads it: every build gets a new one, so a daemon
// started by an earlier build (whose rendering, in serve.ts, may differ) is
// replaced.
//
// The in-process engine, the local-file commands and anything heavy stay
// external and are imported lazily, so the daemon path never loads core or
// SQLite. A script compiled by vm cannot use import() itself (Node 20 only
// allows it behind an experimental flag), so the external dynamic imports are
// routed through `__griteImport`, which bin/run.cjs defines.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const EXTERNAL = [
  '@grite/daemon/engine',
  '@grite/daemon/local',
  'better-sqlite3',
  'typescript',
  '@modelcontextprotocol/*',
  'zod',
];

// Bundled modules keep their own `import.meta.url` (the daemon client finds
// dist/main.js and package.json beside itself), so it is replaced by each
// module's original file URL.
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'js' };
    });
  },
};

// Built-in modules that the bundled code loads at start-up but a hot command
// rarely calls (node:crypto is ~2 ms with its internals; node:readline for
// oclif's stdin reader; fs/promises, tty and os): each is replaced by a
// stand-in that requires the real module the first time it is used.
// - `require()` (oclif and its CommonJS dependencies) gets a Proxy: every
//   bundled use reads a property when it calls it, or destructures.
// - `import` (our ES modules) gets one forwarding function per function the
//   module exports, listed from the real module by the Node that builds the
//   bundle (a function another Node lacks fails when called, as a direct
//   import of it would). A named import of anything that is not a function
//   has no stand-in, so the build fails instead of misbehaving.
export const LAZY_BUILTINS = ['crypto', 'readline', 'os', 'tty', 'fs/promises'];
const requireNode = createRequire(import.meta.url);
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** A CommonJS module standing in for `specifier`: the real one is required on first use of its exports. */
function lazyProxy(specifier) {
  return `let real;
const load = () => (real ??= require(${JSON.stringify(specifier)}));
module.exports = new Proxy({}, {
  get: (_, k) => load()[k],
  has: (_, k) => k in load(),
  set: (_, k, v) => ((load()[k] = v), true),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, k) => {
    const d = Reflect.getOwnPropertyDescriptor(load(), k);
    return d && { ...d, configurable: true };
  },
});`;
}

function lazyEsm(name) {
  const real = requireNode(`node:${name}`);
  const fns = Object.keys(real).filter((k) => typeof real[k] === 'function' && IDENT.test(k) && k !== 'default');
  return [
    `import { createRequire as __cr } from 'node:module';`,
    `let real;`,
    `const load = () => (real ??= __cr(__filename)(${JSON.stringify(`node:${name}`)}));`,
    ...fns.map(
      (k) => `export function ${k}(...a) { return new.target ? new (load().${k})(...a) : load().${k}.apply(this, a); }`,
    ),
  ].join('\n');
}

const lazyBuiltins = (names) => ({
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${names.map((m) => m.replace('/', '\\/')).join('|')})$`);
    b.onResolve({ filter }, (args) => {
      // The stand-ins' own requires are the real modules.
      if (args.namespace === 'lazy-builtin') return { path: args.path, external: true };
      const name = args.path.replace(/^node:/, '');
      return { path: args.kind === 'require-call' ? `${name}#cjs` : `${name}#esm`, namespace: 'lazy-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const [name, kind] = args.path.split('#');
      return { loader: 'js', contents: kind === 'cjs' ? lazyProxy(`node:${name}`) : lazyEsm(name) };
    });
  },
});

// Inside oclif, the modules a successful parse never calls into (errors and
// their pretty-printing, help, ux, the debug logger) are required at load
// time, and their loading runs colour and terminal detection (~3 ms of every
// call). Those requires get the Proxy stand-in too; the real module loads on
// first use, e.g. when a parse error is thrown (then full oclif renders it).
const OCLIF_LAZY = new Set(['./errors', '../errors', './help', '../help', './ux', '../ux', '../logger']);
const lazyOclif = {
  name: 'lazy-oclif',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/(errors|help|ux|logger)$/ }, async (args) => {
      if (args.kind !== 'require-call' || args.pluginData?.real || !OCLIF_LAZY.has(args.path)) return undefined;
      if (!/[\\/]@oclif[\\/]core[\\/]lib[\\/]/.test(args.importer)) return undefined;
      const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-oclif' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-oclif' }, (args) => ({
      loader: 'js',
      resolveDir: dirname(args.path),
      contents: lazyProxy(args.path),
    }));
  },
};

// flatbuffers' ES module build instead of its CommonJS one: every generated
// file does `import * as flatbuffers`, which against CommonJS costs a copied
// namespace object per file (95 of them) and a getter call on every
// `flatbuffers.X` read afterwards.
const flatbuffersEsm = {
  name: 'flatbuffers-esm',
  setup(b) {
    b.onResolve({ filter: /^flatbuffers$/ }, (args) =>
      b.resolve('flatbuffers/mjs/flatbuffers.js', { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer }),
    );
  },
};

/** What both bundles are: one minified CommonJS script for Node 20. */
const SCRIPT = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, legalComments: 'none', logLevel: 'warning' };

const outfile = `${root}dist/fast.bundle.cjs`;
await build({
  ...SCRIPT,
  entryPoints: [`${root}dist/fast.js`],
  outfile,
  external: EXTERNAL,
  supported: { 'dynamic-import': true },
  plugins: [keepModuleUrls, lazyBuiltins(LAZY_BUILTINS), lazyOclif, flatbuffersEsm],
});

const requireHere = createRequire(import.meta.url);
const { currentBuild } = await import(pathToFileURL(requireHere.resolve('@grite/daemon/client')).href);
const { SCHEMA_VERSION } = await import(pathToFileURL(requireHere.resolve('@grite/protocol')).href);
// The stamp is new on every build; the id also carries the daemon package's
// own (its version and dist/main.js's mtime), as daemon-launch.ts computes it.
const stamp = Date.now().toString(36);
const buildId = `${currentBuild()}~${stamp}`;
await build({
  ...SCRIPT,
  entryPoints: [`${root}dist/thin.js`],
  outfile: `${root}dist/thin.cjs`,
  define: {
    GRITE_BUILD: JSON.stringify(buildId),
    GRITE_SCHEMA_VERSION: JSON.stringify(SCHEMA_VERSION),
  },
  // node:net too (~3 ms): every command loads the thin entry, and only the
  // command lines it takes on connect.
  plugins: [keepModuleUrls, lazyBuiltins([...LAZY_BUILTINS, 'net']), flatbuffersEsm],
});
await writeFile(`${root}dist/build-id`, `${stamp}\n`);

const text = await readFile(outfile, 'utf8');
// Every import() call, literal or computed (oclif's ts-path loader has one
// that the fast path never reaches), goes through the host's importer.
let routed = 0;
const out = text.replace(/(?<![\w$.])import\(/g, () => {
  routed++;
  return '__griteImport(';
});
await writeFile(outfile, out);
const thinBytes = (await readFile(`${root}dist/thin.cjs`)).length;
console.error(
  `bundle: ${(out.length / 1024).toFixed(0)} KiB, ${routed} dynamic imports routed through __griteImport; ` +
    `thin entry ${(thinBytes / 1024).toFixed(0)} KiB; build ${buildId}`,
);
