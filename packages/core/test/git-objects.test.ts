import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCommit, buildTree, hashObject, parseCommit, parseTree, writeLooseObject, type TreeEntry } from '../src/git/index.js';
import { makeRepo, thrown, type TempRepo } from './fixtures/helpers.js';

let repo: TempRepo;
beforeEach(() => {
  repo = makeRepo();
});
afterEach(() => repo.cleanup());

const enc = new TextEncoder();

describe('loose objects', () => {
  it('writes a blob git reads back, with the id git computes', async () => {
    const data = enc.encode('hello\nworld');
    const oid = await writeLooseObject(repo.gitDir, 'blob', data);
    expect(oid).toBe(repo.git(['hash-object', '--stdin'], { input: data }).trim());
    expect(repo.git(['cat-file', '-t', oid]).trim()).toBe('blob');
    expect(repo.git(['cat-file', 'blob', oid])).toBe('hello\nworld');
    const file = join(repo.gitDir, 'objects', oid.slice(0, 2), oid.slice(2));
    expect(inflateSync(readFileSync(file)).toString('latin1')).toBe('blob 11\0hello\nworld');
    expect(statSync(file).mode & 0o777).toBe(0o444);
  });

  it('skips an object that is already there', async () => {
    const oid = await writeLooseObject(repo.gitDir, 'blob', enc.encode('x'));
    const file = join(repo.gitDir, 'objects', oid.slice(0, 2), oid.slice(2));
    const before = statSync(file).mtimeMs;
    expect(await writeLooseObject(repo.gitDir, 'blob', enc.encode('x'))).toBe(oid);
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it('binary and empty blobs', async () => {
    const bin = new Uint8Array(70000).map((_, i) => (i * 7) & 0xff);
    const oid = await writeLooseObject(repo.gitDir, 'blob', bin);
    expect(Buffer.compare(repo.gitRaw(['cat-file', 'blob', oid]), Buffer.from(bin))).toBe(0);
    expect(await writeLooseObject(repo.gitDir, 'blob', new Uint8Array(0))).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
    expect(repo.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
  });
});

describe('trees', () => {
  it('sorts entries like git mktree (a tree sorts as if its name ended in "/")', async () => {
    const blob = await writeLooseObject(repo.gitDir, 'blob', enc.encode('b'));
    const sub = await writeLooseObject(repo.gitDir, 'tree', buildTree([{ mode: '100644', name: 'f', oid: blob }]));
    const entries: TreeEntry[] = [
      { mode: '100644', name: 'a.b', oid: blob },
      { mode: '40000', name: 'a', oid: sub },
      { mode: '100644', name: 'a-', oid: blob },
      { mode: '100644', name: 'a0', oid: blob },
      { mode: '100755', name: 'Z', oid: blob },
      { mode: '100644', name: 'é', oid: blob },
      { mode: '100644', name: 'meta.json', oid: blob },
      { mode: '40000', name: 'events', oid: sub },
    ];
    const oid = await writeLooseObject(repo.gitDir, 'tree', buildTree(entries));
    const mktreeInput = entries
      .map((e) => `${e.mode === '40000' ? '040000' : e.mode} ${e.mode === '40000' ? 'tree' : 'blob'} ${e.oid}\t${e.name}`)
      .join('\n');
    expect(oid).toBe(repo.git(['mktree'], { input: `${mktreeInput}\n` }).trim());
    expect(parseTree(buildTree(entries)).map((e) => e.name)).toEqual(['Z', 'a-', 'a.b', 'a', 'a0', 'events', 'meta.json', 'é']);
    expect(repo.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
  });

  it('refuses bad entries', () => {
    const oid = '0'.repeat(40);
    expect(thrown(() => buildTree([{ mode: '100644', name: 'a/b', oid }])).code).toBe('invalid_args');
    expect(thrown(() => buildTree([{ mode: '644' as '100644', name: 'a', oid }])).code).toBe('invalid_args');
    expect(thrown(() => buildTree([{ mode: '100644', name: 'a', oid: 'xyz' }])).code).toBe('invalid_args');
    expect(thrown(() => buildTree([{ mode: '100644', name: 'a', oid }, { mode: '100644', name: 'a', oid }])).code).toBe('invalid_args');
  });
});

describe('commits', () => {
  it('match git commit-tree byte for byte, message without a trailing newline', async () => {
    const tree = repo.git(['mktree'], { input: '' }).trim();
    const ident = { name: 'grite', email: 'grit@local', seconds: 1700000000 };
    const data = buildCommit({ tree, parents: [], author: ident, committer: ident, message: 'WAL: 2 events from 10111213' });
    const oid = await writeLooseObject(repo.gitDir, 'commit', data);
    const env = {
      GIT_AUTHOR_NAME: 'grite',
      GIT_AUTHOR_EMAIL: 'grit@local',
      GIT_AUTHOR_DATE: '1700000000 +0000',
      GIT_COMMITTER_NAME: 'grite',
      GIT_COMMITTER_EMAIL: 'grit@local',
      GIT_COMMITTER_DATE: '1700000000 +0000',
    };
    // commit-tree keeps a message read from stdin as it is (-m would add a newline).
    expect(repo.git(['commit-tree', tree], { input: 'WAL: 2 events from 10111213', env }).trim()).toBe(oid);
    const child = await writeLooseObject(
      repo.gitDir,
      'commit',
      buildCommit({ tree, parents: [oid], author: ident, committer: { ...ident, seconds: 1700000001 }, message: 'next' }),
    );
    const raw = repo.git(['cat-file', 'commit', child]);
    expect(raw).toBe(
      `tree ${tree}\nparent ${oid}\nauthor grite <grit@local> 1700000000 +0000\ncommitter grite <grit@local> 1700000001 +0000\n\nnext`,
    );
    expect(parseCommit(enc.encode(raw))).toEqual({
      tree,
      parents: [oid],
      author: 'grite <grit@local> 1700000000 +0000',
      committer: 'grite <grit@local> 1700000001 +0000',
      message: 'next',
    });
    expect(repo.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
  });

  it('refuses identities that would break the format', () => {
    const tree = '0'.repeat(40);
    const bad = { name: 'a <b>', email: 'x', seconds: 1 };
    expect(thrown(() => buildCommit({ tree, parents: [], author: bad, committer: bad, message: '' })).code).toBe('invalid_args');
  });

  it('hashObject is the id without writing', () => {
    const o = hashObject('blob', enc.encode('hello\nworld'));
    expect(o.oid).toBe(repo.git(['hash-object', '--stdin'], { input: 'hello\nworld' }).trim());
    expect(() => repo.git(['cat-file', '-e', o.oid])).toThrow();
  });
});
