// The thin entry, the fast entry and full oclif give the same bytes and exit
// codes: all parse with oclif's parser and the same op definitions and end in
// runOp (the thin entry's in the daemon, serve.ts).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grite, ROOT, stopDaemon, tempRepo } from './helpers.js';

let repo: { dir: string; cleanup: () => void };
let id = '';

beforeAll(async () => {
  repo = tempRepo();
  id = (await grite({ cwd: repo.dir }, 'issue', 'create', '--title', 'fast path', '--label', 'x', '--json')).json.data.issue_id;
  await grite({ cwd: repo.dir }, 'issue', 'comment', id, '--body', 'hello');
});
afterAll(() => repo.cleanup());

describe('fast entry == oclif', () => {
  const cases = (): string[][] => [
    ['issue', 'list', '--json'],
    ['issue', 'list'],
    ['issue', 'list', '--limit', '1', '--json'],
    ['issue', 'show', id, '--json'],
    ['issue', 'show', id],
    ['issue', 'show', 'ffffffff', '--json'],
    ['issue', 'show', 'ffffffff'],
    ['issue', 'list', '--state', 'bogus', '--json'],
    ['issue', 'list', '--nope'],
    ['issue', 'dep', 'list', id, '--json'],
    ['issue', 'ready', '--json'],
    ['db', 'stats', '--json'],
    ['actor', 'list', '--json'],
  ];
  it('same stdout, stderr and exit code for each command', async () => {
    for (const args of cases()) {
      const fast = await grite({ cwd: repo.dir }, ...args);
      const slow = await grite({ cwd: repo.dir, env: { GRITE_NO_FAST: '1' } }, ...args);
      const label = args.join(' ');
      expect(fast.code, label).toBe(slow.code);
      expect(fast.stdout.replace(/"size_bytes":\d+/, ''), label).toBe(slow.stdout.replace(/"size_bytes":\d+/, ''));
      expect(fast.stderr, label).toBe(slow.stderr);
    }
  });
});

describe('what a hot command loads', () => {
  // Start-up is paid on every call: a read through a warm daemon must not
  // load Node built-ins it does not use (node:crypto and its internals,
  // readline, fs/promises, perf_hooks, child_process, tty) nor start the ES
  // module loader's file reading. Checked through Node's own list of the
  // built-in modules a process loaded, written at exit by a preload.
  it('a read through the daemon loads none of the heavy built-ins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grite-loads-'));
    const preload = join(dir, 'preload.cjs');
    const out = join(dir, 'modules.txt');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));`,
    );
    const daemon = { GRITE_NO_DAEMON: undefined };
    try {
      await grite({ cwd: repo.dir, env: daemon }, 'issue', 'list', '--json'); // starts the daemon
      for (const args of [['issue', 'list', '--json'], ['issue', 'show', id, '--json']]) {
        const r = await grite({ cwd: repo.dir, env: { ...daemon, NODE_OPTIONS: `--require ${preload}` } }, ...args);
        expect(r.code, args.join(' ')).toBe(0);
        const loaded = readFileSync(out, 'utf8').split('\n');
        expect(loaded, 'the fast entry ran').toContain('NativeModule vm');
        expect(loaded, 'it went through the socket').toContain('NativeModule net');
        for (const heavy of ['crypto', 'readline', 'fs/promises', 'perf_hooks', 'child_process', 'tty', 'internal/modules/esm/load']) {
          expect(loaded, `${args.join(' ')} loads ${heavy}`).not.toContain(`NativeModule ${heavy}`);
        }
      }
    } finally {
      await stopDaemon(repo.dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the thin entry', () => {
  const daemon = { GRITE_NO_DAEMON: undefined };
  const THIN = join(ROOT, 'packages/cli/dist/thin.cjs');
  const build = (): string => readFileSync(join(ROOT, 'packages/cli/dist/build-id'), 'utf8').trim();

  /** Runs only the thin entry on `args`: whether it took the command on, and what it printed. */
  function thin(args: string[], opts: { env?: Record<string, string>; devNull?: boolean } = {}): { handled: boolean; stdout: string; stderr: string; code: number | null } {
    const script = `require(${JSON.stringify(THIN)}).thinMain(process.argv.slice(1)).then((h) => require('node:fs').writeSync(3, String(h)))`;
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.GRITE_NO_DAEMON;
    Object.assign(env, opts.env);
    const nul = opts.devNull ? openSync('/dev/null', 'w') : null;
    try {
      const r = spawnSync(process.execPath, ['-e', script, ...args], {
        cwd: repo.dir,
        env,
        stdio: ['ignore', nul ?? 'pipe', 'pipe', 'pipe'],
        encoding: 'utf8',
      });
      const out = r.output as (string | null)[];
      return { handled: out[3] === 'true', stdout: r.stdout ?? '', stderr: r.stderr, code: r.status };
    } finally {
      if (nul !== null) closeSync(nul);
    }
  }

  it('gives what the fast entry and full oclif give, through the daemon', async () => {
    await grite({ cwd: repo.dir, env: daemon }, 'daemon', 'start', '--json');
    const actors = (await grite({ cwd: repo.dir }, 'actor', 'list', '--json')).json as { data: { actors: { data_dir: string }[] } };
    const actorDir = relative(repo.dir, actors.data.actors[0]!.data_dir);
    try {
      const cases = [
        ['issue', 'list', '--json'],
        ['issue', 'list'],
        ['issue', 'list', '--label', 'x', '--limit', '1', '--json'],
        ['issue', 'show', id, '--json'],
        ['issue', 'show', id],
        ['issue', 'show', 'ffffffff', '--json'],
        ['issue', 'show', 'ffffffff'],
        ['issue', 'show', id.slice(0, 3), '--json'],
        ['issue', 'list', '--state', 'bogus', '--json'],
        ['issue', 'dep', 'list', id, '--json'],
        ['issue', 'dep', 'topo', '--json'],
        ['issue', 'ready', '--json'],
        ['issue', 'ready', '-q'],
        ['snapshot', 'list', '--json'],
        // Relative to the client's directory, not the daemon's.
        ['issue', 'list', '--data-dir', 'no-actor-here', '--json'],
        ['issue', 'list', '--data-dir', actorDir, '--json'],
      ];
      let taken = 0;
      for (const args of cases) {
        const label = args.join(' ');
        const viaThin = await grite({ cwd: repo.dir, env: daemon }, ...args);
        const viaFast = await grite({ cwd: repo.dir, env: { ...daemon, GRITE_NO_THIN: '1' } }, ...args);
        const viaOclif = await grite({ cwd: repo.dir, env: { ...daemon, GRITE_NO_FAST: '1' } }, ...args);
        for (const other of [viaFast, viaOclif]) {
          expect(viaThin.code, label).toBe(other.code);
          expect(viaThin.stdout, label).toBe(other.stdout);
          expect(viaThin.stderr, label).toBe(other.stderr);
        }
        const alone = thin(args);
        if (alone.handled) {
          taken++;
          expect(alone.stdout, label).toBe(viaThin.stdout);
          expect(alone.stderr, label).toBe(viaThin.stderr);
          expect(alone.code, label).toBe(viaThin.code);
        }
      }
      // All but the one the parser rejects (--state bogus).
      expect(taken).toBe(cases.length - 1);
    } finally {
      await stopDaemon(repo.dir);
    }
  });

  it('passes on writes, claims, --no-daemon, help, bad input, local commands and output to a terminal-like device', async () => {
    await grite({ cwd: repo.dir, env: daemon }, 'daemon', 'start', '--json');
    try {
      const before = (await grite({ cwd: repo.dir }, 'issue', 'list', '--json')).stdout;
      expect(thin(['issue', 'list', '--json']).handled).toBe(true);
      expect(thin(['issue', 'list']).handled, 'human output to a pipe').toBe(true);
      for (const args of [
        ['issue', 'create', '--title', 'not through the thin entry', '--json'],
        ['issue', 'ready', '--claim', '--json'],
        ['issue', 'list', '--no-daemon', '--json'],
        ['issue', 'list', '--help'],
        ['issue', 'list', '--nope'],
        ['actor', 'list', '--json'],
        ['daemon', 'status', '--json'],
      ]) {
        const r = thin(args);
        expect(r.handled, args.join(' ')).toBe(false);
        expect(r.stdout + r.stderr, args.join(' ')).toBe('');
      }
      expect(thin(['issue', 'list', '--json'], { env: { GRITE_NO_DAEMON: '1' } }).handled).toBe(false);
      expect(thin(['issue', 'list'], { devNull: true }).handled, 'human output to a character device').toBe(false);
      expect(thin(['issue', 'list', '--json'], { devNull: true }).handled).toBe(true);
      // Nothing was written or claimed.
      expect((await grite({ cwd: repo.dir }, 'issue', 'list', '--json')).stdout).toBe(before);
      expect((await grite({ cwd: repo.dir }, 'lock', 'status', '--json')).json).toMatchObject({ ok: true, data: { locks: [] } });
    } finally {
      await stopDaemon(repo.dir);
    }
  });

  it('passes on without a daemon, with a daemon of another build or without the runner; the full path replaces such a daemon', async () => {
    await stopDaemon(repo.dir);
    expect(thin(['issue', 'list', '--json']).handled, 'no daemon').toBe(false);
    const commonDir = join(repo.dir, '.git');
    const main = join(ROOT, 'packages/daemon/dist/main.js');
    const serve = join(ROOT, 'packages/cli/dist/serve.js');
    // A daemon process of our choosing (stopped below with `grite daemon stop`, which stops any build).
    const start = (extra: string[]): void => {
      spawn(process.execPath, [main, '--repo', commonDir, '--idle-timeout', '60', ...extra], { stdio: 'ignore', detached: true }).unref();
    };
    const waitForStatus = async (): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        const s = (await grite({ cwd: repo.dir, env: daemon }, 'daemon', 'status', '--json')).json as { data?: { daemon?: { running?: boolean } } };
        if (s.data?.daemon?.running) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('the daemon did not start');
    };
    try {
      start(['--build', 'another-build', '--cli', serve]);
      await waitForStatus();
      expect(thin(['issue', 'list', '--json']).handled, 'another build').toBe(false);
      await stopDaemon(repo.dir);

      start(['--build', build()]);
      await waitForStatus();
      expect(thin(['issue', 'list', '--json']).handled, 'no runner').toBe(false);
      await stopDaemon(repo.dir);

      start(['--build', 'another-build', '--cli', serve]);
      await waitForStatus();
      expect((await grite({ cwd: repo.dir, env: daemon }, 'issue', 'list', '--json')).code).toBe(0);
      expect(thin(['issue', 'list', '--json']).handled, 'replaced by the full path').toBe(true);
    } finally {
      await stopDaemon(repo.dir);
    }
  });
});

describe('the code caches of the bundles', () => {
  // V8 accepts a code cache for any source of the same length: a rebuilt
  // bundle must never run the bytecode of the one before it.
  it('a rebuilt bundle of the same length runs its own code, and its old cache goes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'grite-v8cache-'));
    try {
      mkdirSync(join(dir, 'bin'));
      mkdirSync(join(dir, 'dist'));
      copyFileSync(join(ROOT, 'packages/cli/bin/run.cjs'), join(dir, 'bin/run.cjs'));
      const bundle = join(dir, 'dist/thin.cjs');
      const write = (word: string, mtime: number): void => {
        writeFileSync(bundle, `exports.thinMain = async () => { process.stdout.write(${JSON.stringify(word)}); return true; };\n`);
        utimesSync(bundle, mtime, mtime);
      };
      const run = (): string => spawnSync(process.execPath, [join(dir, 'bin/run.cjs'), 'x'], { encoding: 'utf8' }).stdout;
      const caches = (): string[] => readdirSync(join(dir, 'dist')).filter((f) => f.startsWith('thin.cjs.') && f.endsWith('.v8cache'));
      write('one', 1_700_000_000);
      expect(run()).toBe('one');
      expect(caches()).toHaveLength(1);
      expect(run()).toBe('one'); // from the cache
      write('two', 1_700_000_100);
      expect(run()).toBe('two');
      expect(caches()).toHaveLength(1);
      expect(run()).toBe('two');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
