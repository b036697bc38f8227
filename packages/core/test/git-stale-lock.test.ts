// Regression (daemon kill -9 mid-append, found by the daemon crash test): a
// ref lock left by a dead writer must not stall every later append.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { casRef, readRef, STALE_REF_LOCK_MS } from '../src/git/refs.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function repo(): { git: string; oid: string } {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-stale-lock-')));
  execFileSync('git', ['init', '-q', dir]);
  const oid = execFileSync('git', ['-C', dir, 'hash-object', '-w', '--stdin'], { input: 'x' }).toString().trim();
  return { git: join(dir, '.git'), oid };
}

describe('ref locks left behind', () => {
  it('a fresh lock is respected: the CAS reports a lost race', async () => {
    const { git, oid } = repo();
    writeFileSync(join(git, 'refs/grite-test.lock'), '');
    expect(await casRef(git, 'refs/grite-test', oid, null)).toBe(false);
    expect(await readRef(git, 'refs/grite-test')).toBeNull();
  });

  it('a lock older than the stale limit is broken and the CAS lands', async () => {
    const { git, oid } = repo();
    const lock = join(git, 'refs/grite-test.lock');
    writeFileSync(lock, '');
    const old = (Date.now() - STALE_REF_LOCK_MS - 5_000) / 1000;
    utimesSync(lock, old, old);
    expect(await casRef(git, 'refs/grite-test', oid, null)).toBe(true);
    expect(await readRef(git, 'refs/grite-test')).toBe(oid);
  });
});
