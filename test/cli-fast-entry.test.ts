// The fast entry and full oclif give the same bytes and exit codes: both
// parse with oclif's parser and the same op definitions and end in runOp.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grite, stopDaemon, tempRepo } from './helpers.js';

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
