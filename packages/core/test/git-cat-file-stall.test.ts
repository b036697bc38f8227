// A git cat-file that leaves a read unanswered (as git can on an object
// damaged inside a pack) fails the read after the stall limit instead of
// hanging, and a rebuild then fails the same way, leaving the old view
// (issue 3 of the tracker). The hang is made for real: a `git` first on
// PATH whose cat-file never answers and which runs the real git otherwise.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatFile, createEvent, Store, Wal } from '../src/index.js';
import { makeRepo, rejected, type TempRepo } from './fixtures/helpers.js';

const realPath = process.env.PATH;
let repos: TempRepo[] = [];
let dirs: string[] = [];
afterEach(() => {
  process.env.PATH = realPath;
  for (const r of repos.splice(0)) r.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Puts first on PATH a git whose `cat-file` reads nothing and never answers. */
function hangCatFile(): void {
  const real = execFileSync('sh', ['-c', 'command -v git']).toString().trim();
  const d = mkdtempSync(join(tmpdir(), 'grite-hang-git-'));
  dirs.push(d);
  const script = join(d, 'git');
  writeFileSync(script, `#!/bin/sh\nif [ "$1" = cat-file ]; then exec sleep 600; fi\nexec ${JSON.stringify(real)} "$@"\n`);
  chmodSync(script, 0o755);
  process.env.PATH = `${d}:${realPath}`;
}

describe('CatFile stall limit', () => {
  it('rejects pending reads with git_error (stalled) and starts a new child for the next read', async () => {
    const r = makeRepo('grite-stall-');
    repos.push(r);
    const oid = r.git(['hash-object', '-w', '--stdin'], { input: 'hello' }).trim();
    hangCatFile();
    const cat = new CatFile(r.gitDir, { stallMs: 300 });
    try {
      const [e1, e2] = await Promise.all([rejected(cat.read(oid)), rejected(cat.readMany([oid, oid]))]);
      for (const e of [e1, e2]) {
        expect(e.code).toBe('git_error');
        expect(e.details).toMatchObject({ stalled: true, stallMs: 300 });
      }
      process.env.PATH = realPath;
      const o = await cat.read(oid);
      expect(o && Buffer.from(o.data).toString()).toBe('hello');
    } finally {
      await cat.close();
    }
  });

  it('a rebuild whose reads stall fails with git_error and leaves the old view', async () => {
    const r = makeRepo('grite-stall-rebuild-');
    repos.push(r);
    const actor = new Uint8Array(16).fill(3);
    const issueId = new Uint8Array(16).fill(4);
    const wal = Wal.open(r.gitDir);
    await wal.append([createEvent({ issueId, actor, ts: 1_700_000_000_000, kind: { type: 'IssueCreated', title: 'a', body: '', labels: [] } })]);
    await wal.close();
    const before = await Store.open({ commonDir: r.gitDir });
    const head = before.view.walHead();
    expect(before.view.stats().eventCount).toBe(1);
    await before.close();

    hangCatFile();
    const store = await Store.open({ commonDir: r.gitDir, catchUp: false, wal: { readStallMs: 300 } });
    try {
      const e = await rejected(store.rebuild());
      expect(e.code).toBe('git_error');
      expect(e.details).toMatchObject({ stalled: true });
      expect(store.view.walHead()).toBe(head);
      expect(store.view.stats().eventCount).toBe(1);
    } finally {
      await store.close();
    }
  });
});
