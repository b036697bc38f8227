// The one-stat gate in front of the WAL ref watch (ref-stat-gate.ts): after
// this process wrote the ref, the gate trusts it at once (the file is held
// open, so its inode cannot come back on another file), and any file put in
// its place, even one with the same content, size and times, is a move.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefStatGate } from '../src/engine/ref-stat-gate.js';

const HEAD_A = 'a'.repeat(40);
const HEAD_B = 'b'.repeat(40);

let dir: string;
let commonDir: string;
let refPath: string;
const gates: RefStatGate[] = [];

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-ref-gate-')));
  execFileSync('git', ['init', '-q', dir]);
  commonDir = join(dir, '.git');
  refPath = join(commonDir, 'refs', 'grite', 'wal');
  mkdirSync(join(commonDir, 'refs', 'grite'), { recursive: true });
});

afterEach(() => {
  for (const g of gates.splice(0)) g.reset();
  rmSync(dir, { recursive: true, force: true });
});

function gate(): RefStatGate {
  const g = new RefStatGate(commonDir);
  gates.push(g);
  return g;
}

/** As git and casRef move a ref: a new file renamed over the old one. */
function moveRef(value: string): void {
  const lock = `${refPath}.lock`;
  writeFileSync(lock, `${value}\n`);
  renameSync(lock, refPath);
}

describe('RefStatGate.pinOwnWrite', () => {
  it('trusts a ref this process just wrote, younger than the racy window', () => {
    moveRef(HEAD_A);
    const g = gate();
    expect(g.unmoved()).toBe(false);
    expect(g.sample().settled).toBe(false);
    expect(g.pinOwnWrite(HEAD_A)).toBe(true);
    expect(g.unmoved()).toBe(true);
    expect(g.unmoved()).toBe(true);
  });

  it('a file renamed over it is a move, even with the same content, size and times', () => {
    moveRef(HEAD_A);
    const g = gate();
    expect(g.pinOwnWrite(HEAD_A)).toBe(true);
    const before = statSync(refPath);
    moveRef(HEAD_A);
    utimesSync(refPath, before.atime, before.mtime);
    expect(g.unmoved()).toBe(false);
    moveRef(HEAD_B);
    expect(g.unmoved()).toBe(false);
  });

  it('does not pin a ref holding another head, or none, or a longer file', () => {
    const g = gate();
    expect(g.pinOwnWrite(HEAD_A)).toBe(false); // no loose ref
    expect(g.unmoved()).toBe(false);
    moveRef(HEAD_B);
    expect(g.pinOwnWrite(HEAD_A)).toBe(false);
    expect(g.unmoved()).toBe(false);
    writeFileSync(refPath, `${HEAD_A}\nmore\n`);
    expect(g.pinOwnWrite(HEAD_A)).toBe(false);
    expect(g.unmoved()).toBe(false);
  });

  it('a deleted ref (packed by git pack-refs) is a move; reset forgets the pin', () => {
    moveRef(HEAD_A);
    const g = gate();
    expect(g.pinOwnWrite(HEAD_A)).toBe(true);
    rmSync(refPath);
    expect(g.unmoved()).toBe(false);
    moveRef(HEAD_A);
    expect(g.pinOwnWrite(HEAD_A)).toBe(true);
    g.reset();
    expect(g.unmoved()).toBe(false);
  });
});

/** Makes the ref file look older than the racy window, as a ref left alone for a while is. */
function age(path: string): void {
  const old = new Date(Date.now() - 60_000);
  utimesSync(path, old, old);
}

/**
 * A gate trusting `path` as it stands, once the file is older than the racy
 * window: its mtime is set back, and as ctime cannot be, the racy window is
 * waited out.
 */
async function trustedGate(path: string): Promise<RefStatGate> {
  age(path);
  await new Promise((r) => setTimeout(r, 150));
  const g = gate();
  const s = g.sample();
  expect(s.settled).toBe(true);
  g.trust(s);
  return g;
}

describe('RefStatGate.trust (a settled stat, confirmed by the watch)', () => {
  it('holds the loose ref: unmoved while it stands, a move once a file is renamed over it', async () => {
    moveRef(HEAD_A);
    const g = await trustedGate(refPath);
    expect(g.unmoved()).toBe(true);
    expect(g.unmoved()).toBe(true);
    moveRef(HEAD_A); // same content and size: still another file
    expect(g.unmoved()).toBe(false);
  });

  it('sees a ref rewritten in place (size or times change) and a ref deleted', async () => {
    moveRef(HEAD_A);
    const g = await trustedGate(refPath);
    expect(g.unmoved()).toBe(true);
    writeFileSync(refPath, `${HEAD_B}\n`); // in place: same inode
    expect(g.unmoved()).toBe(false);

    const again = await trustedGate(refPath);
    expect(again.unmoved()).toBe(true);
    rmSync(refPath);
    expect(again.unmoved()).toBe(false);
  });

  it('trusts nothing when the stat is too young or the file changed between sample and trust', () => {
    moveRef(HEAD_A);
    const g = gate();
    g.trust(g.sample()); // written just now: not settled
    expect(g.unmoved()).toBe(false);
    age(refPath);
    const stale = { key: g.sample(false).key, settled: true };
    moveRef(HEAD_B);
    g.trust(stale);
    expect(g.unmoved()).toBe(false);
  });

  it('with no loose ref, trusts packed-refs by path', async () => {
    writeFileSync(join(commonDir, 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted \n${HEAD_A} refs/grite/wal\n`);
    const g = await trustedGate(join(commonDir, 'packed-refs'));
    expect(g.unmoved()).toBe(true);
    writeFileSync(join(commonDir, 'packed-refs.new'), `# pack-refs with: peeled fully-peeled sorted \n${HEAD_B} refs/grite/wal\n`);
    renameSync(join(commonDir, 'packed-refs.new'), join(commonDir, 'packed-refs'));
    expect(g.unmoved()).toBe(false);
  });
});
