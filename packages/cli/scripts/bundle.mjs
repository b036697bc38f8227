// Bundles the fast entry (src/fast.ts's build output) into one file: Node
// loads one module instead of hundreds, which is most of a hot command's
// start-up. The in-process engine and the local-file commands stay external
// and are imported lazily, so the daemon path never loads core or SQLite.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}dist/fast.js`],
  outfile: `${root}dist/fast.bundle.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  external: ['@grite/daemon/engine', '@grite/daemon/local', 'better-sqlite3', 'typescript'],
  // oclif's parser is CommonJS; give the ESM bundle a real require for Node's built-ins.
  banner: { js: "import { createRequire as __gcr } from 'node:module'; const require = __gcr(import.meta.url);" },
  plugins: [keepModuleUrls],
  logLevel: 'warning',
});
