// The thin entry, the fast entry and full oclif give the same bytes and exit
// codes: all parse with oclif's parser and the same op definitions and end in
// runOp (the thin entry's in the daemon, serve.ts).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { CliRunResultT, decodeRequest, encodeFrame, encodeResponse, HelloResultT, IpcCommand, SCHEMA_VERSION } from '@grite/protocol';
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
  /** This build's id, as the CLI gives it to the daemons it starts. */
  const build = async (): Promise<string> => {
    const started = (await grite({ cwd: repo.dir, env: daemon }, 'daemon', 'start', '--json')).json as { data: { build: string } };
    return started.data.build;
  };

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

  /** Expects the thin entry to pass `args` on cleanly: nothing printed, no failure. */
  function passesOn(args: string[], opts: Parameters<typeof thin>[1] = {}, why = args.join(' ')): void {
    const r = thin(args, opts);
    expect({ handled: r.handled, code: r.code, stdout: r.stdout, stderr: r.stderr }, why).toEqual({ handled: false, code: 0, stdout: '', stderr: '' });
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
        passesOn(args);
      }
      passesOn(['issue', 'list', '--json'], { env: { GRITE_NO_DAEMON: '1' } });
      passesOn(['issue', 'list'], { devNull: true }, 'human output to a character device');
      expect(thin(['issue', 'list', '--json'], { devNull: true }).handled).toBe(true);
      // Nothing was written or claimed.
      expect((await grite({ cwd: repo.dir }, 'issue', 'list', '--json')).stdout).toBe(before);
      expect((await grite({ cwd: repo.dir }, 'lock', 'status', '--json')).json).toMatchObject({ ok: true, data: { locks: [] } });
    } finally {
      await stopDaemon(repo.dir);
    }
  });

  /** thin(), without blocking this process (whose event loop serves a fake daemon meanwhile). */
  function thinAsync(args: string[]): Promise<{ handled: boolean; stdout: string; stderr: string; code: number | null }> {
    const script = `require(${JSON.stringify(THIN)}).thinMain(process.argv.slice(1)).then((h) => require('node:fs').writeSync(3, String(h)))`;
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.GRITE_NO_DAEMON;
    const child = spawn(process.execPath, ['-e', script, ...args], { cwd: repo.dir, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const read = (i: number): Promise<string> =>
      new Promise((res) => {
        const chunks: Buffer[] = [];
        (child.stdio[i] as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(c));
        (child.stdio[i] as NodeJS.ReadableStream).on('end', () => res(Buffer.concat(chunks).toString('utf8')));
      });
    const outs = Promise.all([read(1), read(2), read(3)]);
    return new Promise((res) =>
      child.on('close', (code) => void outs.then(([stdout, stderr, h]) => res({ handled: h === 'true', stdout, stderr, code }))),
    );
  }

  it('reads answers cut into single bytes and in either order; passes on a Hello of another build', async () => {
    const ours = await build();
    await stopDaemon(repo.dir);
    const sockDir = mkdtempSync(join(tmpdir(), 'grite-fake-daemon-')); // 0700, as the thin entry requires
    const socketPath = join(sockDir, 'd.sock');
    const infoPath = join(repo.dir, '.git', 'grite', 'ts-daemon.json');
    let helloBuild = ours;
    const seen: string[] = [];
    // Answers the run first, then Hello, one byte per write.
    const server = createServer((sock) => {
      let buf = Buffer.alloc(0);
      const requests: { id: Uint8Array; type: number }[] = [];
      sock.on('error', () => undefined);
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
          const req = decodeRequest(new Uint8Array(buf.subarray(4, 4 + buf.readUInt32BE(0))));
          buf = buf.subarray(4 + buf.readUInt32BE(0));
          requests.push({ id: req.requestIdArray()!.slice(), type: req.commandType() });
          seen.push(IpcCommand[req.commandType()]!);
        }
        if (requests.length < 2) return;
        const hello = requests.find((r) => r.type === IpcCommand.Hello)!;
        const run = requests.find((r) => r.type === IpcCommand.CliRun)!;
        const bytes = Buffer.concat([
          encodeFrame(encodeResponse(run.id, new CliRunResultT(true, 'out ü\n', 'err\n', 4))),
          encodeFrame(encodeResponse(hello.id, new HelloResultT(SCHEMA_VERSION, helloBuild, process.pid))),
        ]);
        void (async () => {
          for (const byte of bytes) {
            if (sock.destroyed) return;
            sock.write(Buffer.from([byte]));
            await new Promise((r) => setImmediate(r));
          }
        })();
      });
    });
    await new Promise<void>((r) => server.listen(socketPath, r));
    const now = Date.now();
    writeFileSync(infoPath, JSON.stringify({ pid: process.pid, start_time: null, socket: socketPath, build: ours, schema_version: SCHEMA_VERSION, started_ts: now, heartbeat_ts: now, idle_timeout_s: 0 }));
    try {
      expect(await thinAsync(['issue', 'list', '--json'])).toEqual({ handled: true, stdout: 'out ü\n', stderr: 'err\n', code: 4 });
      helloBuild = 'another-build';
      expect(await thinAsync(['issue', 'list', '--json'])).toEqual({ handled: false, stdout: '', stderr: '', code: 0 });
      expect(seen).toEqual(['Hello', 'CliRun', 'Hello', 'CliRun']);
    } finally {
      rmSync(infoPath, { force: true });
      await new Promise((r) => server.close(r));
      rmSync(sockDir, { recursive: true, force: true });
    }
  });

  it('passes on without a daemon, with a daemon of another build or without the runner; the full path replaces such a daemon', async () => {
    const ours = await build();
    await stopDaemon(repo.dir);
    passesOn(['issue', 'list', '--json'], {}, 'no daemon');
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
      passesOn(['issue', 'list', '--json'], {}, 'another build');
      await stopDaemon(repo.dir);

      start(['--build', ours]);
      await waitForStatus();
      passesOn(['issue', 'list', '--json'], {}, 'no runner');
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

describe('the bin', () => {
  it("lists for the thin entry exactly the ops the daemon's runner takes on", async () => {
    const { THIN_COMMANDS } = createRequire(import.meta.url)(join(ROOT, 'packages/cli/bin/run.cjs')) as { THIN_COMMANDS: Set<string> };
    const { OPS } = (await import(pathToFileURL(join(ROOT, 'packages/cli/dist/ops/index.js')).href)) as { OPS: { id: string }[] };
    const { runsInDaemon } = (await import(pathToFileURL(join(ROOT, 'packages/cli/dist/hot.js')).href)) as { runsInDaemon: (op: unknown) => boolean };
    const ids = OPS.filter(runsInDaemon).map((op) => op.id);
    expect(ids.length).toBeGreaterThan(0);
    expect([...THIN_COMMANDS].sort()).toEqual(ids.sort());
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
      const env = { ...process.env };
      delete env.GRITE_NO_DAEMON;
      // A command line the bin gives the thin entry (the stand-in bundle below).
      const run = (): string => spawnSync(process.execPath, [join(dir, 'bin/run.cjs'), 'issue', 'list'], { encoding: 'utf8', env }).stdout;
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

describe('a reader that goes away', () => {
  // `grite issue list --json | head -c1`: the output ends quietly with the
  // command's exit code (as the thin entry does), not with an EPIPE stack.
  it('ends the output quietly on every path', async () => {
    for (const env of [{ GRITE_NO_DAEMON: '1' }, { GRITE_NO_DAEMON: '1', GRITE_NO_FAST: '1' }]) {
      const child = spawn(process.execPath, [join(ROOT, 'packages/cli/bin/run.cjs'), 'issue', 'list', '--json'], {
        cwd: repo.dir,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy(); // closed before the command writes anything
      const err: Buffer[] = [];
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      expect({ code, stderr: Buffer.concat(err).toString('utf8') }, JSON.stringify(env)).toEqual({ code: 0, stderr: '' });
    }
  });
});
