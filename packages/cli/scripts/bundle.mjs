// Bundles the fast entry (src/fast.ts's build output) into one CommonJS file
// that bin/run.js compiles with a V8 code cache (Node 20 has no module
// compile cache): Node then loads one pre-compiled script instead of hundreds
// of modules, which is most of a hot command's start-up.
//
// The in-process engine, the local-file commands and anything heavy stay
// external and are imported lazily, so the daemon path never loads core or
// SQLite. A script compiled by vm cannot use import() itself (Node 20 only
// allows it behind an experimental flag), so the external dynamic imports are
// routed through `__griteImport`, which bin/run.js defines.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
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

const outfile = `${root}dist/fast.bundle.cjs`;
await build({
  entryPoints: [`${root}dist/fast.js`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  external: EXTERNAL,
  supported: { 'dynamic-import': true },
  plugins: [keepModuleUrls],
  logLevel: 'warning',
});

const text = await readFile(outfile, 'utf8');
// Every import() call, literal or computed (oclif's ts-path loader has one
// that the fast path never reaches), goes through the host's importer.
let routed = 0;
const out = text.replace(/(?<![\w$.])import\(/g, () => {
  routed++;
  return '__griteImport(';
});
await writeFile(outfile, out);
console.error(`bundle: ${(out.length / 1024).toFixed(0)} KiB, ${routed} dynamic imports routed through __griteImport`);
