// The one-stat gate in front of the WAL ref watch (ref-stat-gate.ts): after
// this process wrote the ref, the gate trusts it at once (the file is held
// open, so its inode cannot come back on another file), and any file put in
// its place, even one with the same content, size and times, is a move.
// The text the gate read when it pinned is what the watch (wal-watch.ts)
// marks, so the ref is read once per write: that text must be the whole file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefStatGate } from '../src/engine/ref-stat-gate.js';
import { WalRefWatch } from '../src/engine/wal-watch.js';

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
    expect(g.pinOwnWrite(HEAD_A)).toBe(`${HEAD_A}\n`);
    expect(g.unmoved()).toBe(true);
    expect(g.unmoved()).toBe(true);
  });

  it('a file renamed over it is a move, even with the same content, size and times', () => {
    moveRef(HEAD_A);
    const g = gate();
    expect(g.pinOwnWrite(HEAD_A)).not.toBeNull();
    const before = statSync(refPath);
    moveRef(HEAD_A);
    utimesSync(refPath, before.atime, before.mtime);
    expect(g.unmoved()).toBe(false);
    moveRef(HEAD_B);
    expect(g.unmoved()).toBe(false);
  });

  it('does not pin a ref holding another head, or none, or a longer file', () => {
    const g = gate();
    expect(g.pinOwnWrite(HEAD_A)).toBeNull(); // no loose ref
    expect(g.unmoved()).toBe(false);
    moveRef(HEAD_B);
    expect(g.pinOwnWrite(HEAD_A)).toBeNull();
    expect(g.unmoved()).toBe(false);
    writeFileSync(refPath, `${HEAD_A}\nmore\n`);
    expect(g.pinOwnWrite(HEAD_A)).toBeNull();
    expect(g.unmoved()).toBe(false);
    // The head, blank lines, then more: the first bytes alone look right.
    writeFileSync(refPath, `${HEAD_A}\n\nmore\n`);
    expect(g.pinOwnWrite(HEAD_A)).toBeNull();
    expect(g.unmoved()).toBe(false);
    writeFileSync(refPath, `${HEAD_A}\n\n\n`);
    expect(g.pinOwnWrite(HEAD_A)).toBeNull();
    expect(g.unmoved()).toBe(false);
  });

  it('a failed pin lets go of the previous one', () => {
    moveRef(HEAD_A);
    const g = gate();
    expect(g.pinOwnWrite(HEAD_A)).not.toBeNull();
    expect(g.pinOwnWrite(HEAD_B)).toBeNull(); // the ref still holds HEAD_A
    expect(g.unmoved()).toBe(false);
  });

  it('a deleted ref (packed by git pack-refs) is a move; reset forgets the pin', () => {
    moveRef(HEAD_A);
    const g = gate();
    expect(g.pinOwnWrite(HEAD_A)).not.toBeNull();
    rmSync(refPath);
    expect(g.unmoved()).toBe(false);
    moveRef(HEAD_A);
    expect(g.pinOwnWrite(HEAD_A)).not.toBeNull();
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

/**
 * What Engine.written does after each group commit: the gate pins the ref
 * and hands the text it read to the watch; when it could not, the watch
 * reads the ref by path and marks it only when it holds the head written.
 */
function afterOwnWrite(g: RefStatGate, w: WalRefWatch, walHead: string): void {
  const loose = g.pinOwnWrite(walHead);
  if (loose !== null) w.markLoose(loose);
  else w.markOwnWrite(walHead);
}

describe('RefStatGate.pinOwnWrite with WalRefWatch (the ref read once per write)', () => {
  it('the text handed over is the whole file: the watch then sees no change', () => {
    for (const content of [`${HEAD_A}\n`, HEAD_A, `${HEAD_A}\r\n`, `\n${HEAD_A}\n`]) {
      writeFileSync(refPath, content);
      const g = gate();
      const text = g.pinOwnWrite(HEAD_A);
      expect(text).toBe(content);
      const w = new WalRefWatch(commonDir);
      w.markLoose(text ?? '');
      expect(w.changed()).toBeNull();
      expect(w.fingerprint()).toBe(new WalRefWatch(commonDir).fingerprint());
      g.reset();
    }
  });

  it('after a pin the watch is marked; a later move shows in both', () => {
    writeFileSync(join(commonDir, 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted \n${HEAD_B} refs/grite/wal\n`);
    moveRef(HEAD_A);
    const g = gate();
    const w = new WalRefWatch(commonDir);
    expect(w.changed()).not.toBeNull();
    afterOwnWrite(g, w, HEAD_A);
    expect(g.unmoved()).toBe(true);
    expect(w.changed()).toBeNull();
    moveRef(HEAD_B);
    expect(g.unmoved()).toBe(false);
    expect(w.changed()).toContain(HEAD_B);
  });

  it('when another process moved the ref meanwhile, nothing is pinned and the watch is not marked', () => {
    moveRef(HEAD_A);
    const g = gate();
    const w = new WalRefWatch(commonDir);
    afterOwnWrite(g, w, HEAD_A);
    expect(w.changed()).toBeNull();
    moveRef(HEAD_B); // another writer, after this process wrote HEAD_A
    afterOwnWrite(g, w, HEAD_A);
    expect(g.unmoved()).toBe(false);
    const moved = w.changed();
    expect(moved).not.toBeNull();
    expect(moved).toContain(HEAD_B);
  });

  it('a loose ref with more after the head is neither pinned nor marked', () => {
    moveRef(HEAD_A);
    const g = gate();
    const w = new WalRefWatch(commonDir);
    afterOwnWrite(g, w, HEAD_A);
    writeFileSync(refPath, `${HEAD_A}\n\nmore\n`);
    afterOwnWrite(g, w, HEAD_A);
    expect(g.unmoved()).toBe(false);
    expect(w.changed()).toContain('more');
  });

  it('falls back to the watch\'s own read when the gate cannot pin a ref holding the head', () => {
    writeFileSync(refPath, `${HEAD_A}\n\n\n`); // longer than the gate reads, the head all the same
    const g = gate();
    const w = new WalRefWatch(commonDir);
    afterOwnWrite(g, w, HEAD_A);
    expect(g.unmoved()).toBe(false);
    expect(w.changed()).toBeNull();
  });

  it('with no loose ref, the watch is not marked by a write', () => {
    writeFileSync(join(commonDir, 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted \n${HEAD_A} refs/grite/wal\n`);
    const g = gate();
    const w = new WalRefWatch(commonDir);
    afterOwnWrite(g, w, HEAD_A);
    expect(g.unmoved()).toBe(false);
    expect(w.changed()).not.toBeNull();
  });
});
