import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatFile, writeLooseObject } from '../src/git/index.js';
import { makeRepo, rejected, type TempRepo } from './fixtures/helpers.js';

let repo: TempRepo;
let cat: CatFile;
const enc = new TextEncoder();

beforeEach(() => {
  repo = makeRepo();
  cat = new CatFile(repo.gitDir);
});
afterEach(async () => {
  await cat.close();
  repo.cleanup();
});

describe('CatFile', () => {
  it('reads many objects pipelined, replies matched to requests in order', async () => {
    const blobs = Array.from({ length: 300 }, (_, i) => enc.encode(`blob ${i}\n`.repeat(i % 7)));
    const oids = await Promise.all(blobs.map((b) => writeLooseObject(repo.gitDir, 'blob', b)));
    const got = await Promise.all(oids.map((o) => cat.read(o)));
    for (let i = 0; i < blobs.length; i++) {
      expect(got[i]).toEqual({ oid: oids[i], type: 'blob', data: blobs[i] });
    }
    expect(cat.requests).toBe(300);
  });

  it('reports missing objects as null (read) or git_error (get), in the right slots', async () => {
    const x = await writeLooseObject(repo.gitDir, 'blob', enc.encode('x'));
    const missing = '1'.repeat(40);
    const [r1, r2, r3] = await Promise.all([cat.read(x), cat.read(missing), cat.read(x)]);
    expect(r1?.data).toEqual(enc.encode('x'));
    expect(r2).toBeNull();
    expect(r3?.oid).toBe(x);
    const err = await rejected(cat.get(missing));
    expect(err.code).toBe('git_error');
    expect(err.details).toMatchObject({ missing: true });
  });

  it('reads <rev>:<path>', async () => {
    repo.git(['commit', '-q', '--allow-empty', '-m', 'root']);
    const blob = repo.git(['hash-object', '-w', '--stdin'], { input: 'content' }).trim();
    const tree = repo.git(['mktree'], { input: `100644 blob ${blob}\tdir name.txt\n` }).trim();
    const commit = repo.git(['commit-tree', tree], { input: 'm' }).trim();
    const o = await cat.read(`${commit}:dir name.txt`);
    expect(o).toEqual({ oid: blob, type: 'blob', data: enc.encode('content') });
    expect(await cat.read(`${commit}:nope`)).toBeNull();
    expect((await cat.read(`${commit}^{tree}`))?.type).toBe('tree');
  });

  it('reads objects larger than a pipe buffer, interleaved with small ones', async () => {
    const big = new Uint8Array(5_000_000).map((_, i) => (i * 31) & 0xff);
    const bigOid = await writeLooseObject(repo.gitDir, 'blob', big);
    const small = await writeLooseObject(repo.gitDir, 'blob', enc.encode('s'));
    const [s1, b1, s2, b2] = await Promise.all([cat.read(small), cat.read(bigOid), cat.read(small), cat.read(bigOid)]);
    expect(Buffer.compare(Buffer.from(b1!.data), Buffer.from(big))).toBe(0);
    expect(Buffer.compare(Buffer.from(b2!.data), Buffer.from(big))).toBe(0);
    expect(s1!.data).toEqual(enc.encode('s'));
    expect(s2!.data).toEqual(enc.encode('s'));
  });

  it('refuses names that would break the request framing', async () => {
    expect((await rejected(cat.read('a\nb'))).code).toBe('invalid_args');
  });

  it('after close, every request fails with git_error', async () => {
    const x = await writeLooseObject(repo.gitDir, 'blob', enc.encode('x'));
    expect((await cat.read(x))?.type).toBe('blob');
    await cat.close();
    expect((await rejected(cat.read(x))).code).toBe('git_error');
  });

  it('rejects pending requests when git fails, and the next request starts a new child', async () => {
    const bad = new CatFile('/nonexistent/grite-test-dir');
    const err = await rejected(bad.read('1'.repeat(40)));
    expect(err.code).toBe('git_error');
    await bad.close();
    const x = await writeLooseObject(repo.gitDir, 'blob', enc.encode('x'));
    const c2 = new CatFile(repo.gitDir);
    expect((await c2.read(x))?.oid).toBe(x);
    // Kill the child behind its back: pending requests fail, later ones respawn.
    const child = (c2 as unknown as { child: { kill(): void } | null }).child;
    child?.kill();
    await new Promise((r) => setTimeout(r, 100));
    expect((await c2.read(x))?.oid).toBe(x);
    await c2.close();
  });
});

describe('CatFile.readMany', () => {
  it('reads a batch with one promise, null for missing objects, in order', async () => {
    const r = makeRepo();
    const c = new CatFile(r.gitDir);
    try {
      const oids = await Promise.all(['a', 'b', 'c'].map((x) => writeLooseObject(r.gitDir, 'blob', enc.encode(x))));
      const got = await c.readMany([oids[2]!, '2'.repeat(40), oids[0]!, oids[1]!]);
      expect(got.map((o) => (o ? new TextDecoder().decode(o.data) : null))).toEqual(['c', null, 'a', 'b']);
      expect(await c.readMany([])).toEqual([]);
      expect((await rejected(c.readMany([oids[0]!, 'x\ny']))).code).toBe('invalid_args');
    } finally {
      await c.close();
      r.cleanup();
    }
  });
});
