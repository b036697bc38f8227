// Sync failures: a missing remote, no remote at all, an unreachable remote
// (a closed port on 127.0.0.1, git:// and http://), a path that is not a
// repository, and an HTTP remote answering 401, which must fail at once as an
// authentication error without running any askpass program. The local log is
// untouched in every case.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GriteError } from '../src/errors.js';
import { Store } from '../src/store.js';
import { sync, syncPull, syncPush } from '../src/sync/index.js';
import { Editor, freePort, git, prng, Scratch, start401Server, viewSnapshot, scratchSuite } from './sync-harness.js';

const suite = scratchSuite();
let scratch: Scratch;

async function rejectedWith(p: Promise<unknown>): Promise<GriteError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GriteError) return e;
    throw e;
  }
  throw new Error('expected the sync to fail');
}

/** A store with a few events, its WAL head and view as they were. */
async function seeded(name: string, url?: string): Promise<{ store: Store; head: string | null; view: string }> {
  const store = await Store.open({ commonDir: scratch.repo(name, url) });
  suite.track(store);
  await store.append(new Editor(prng(9), 1_700_000_000_000).events(5, []));
  return { store, head: await store.wal.head(), view: viewSnapshot(store) };
}

async function unchanged(s: { store: Store; head: string | null; view: string }): Promise<void> {
  expect(await s.store.wal.head()).toBe(s.head);
  await s.store.catchUp();
  expect(viewSnapshot(s.store)).toBe(s.view);
}

describe('sync errors', () => {
  it('names a missing remote and hints at git remote add', { timeout: 30_000 }, async () => {
    scratch = suite.scratch();
    const s = await seeded('a', scratch.bare());
    const e = await rejectedWith(sync(s.store, { remote: 'upstream' }));
    expect(e.code).toBe('not_found');
    expect(e.message).toContain('upstream');
    expect(e.hint).toContain('git remote add upstream');
    await unchanged(s);
  });

  it('asks for a remote when there is none, and for a name when several leave it ambiguous', { timeout: 30_000 }, async () => {
    scratch = suite.scratch();
    const s = await seeded('a');
    const none = await rejectedWith(syncPush(s.store));
    expect(none.code).toBe('not_found');
    expect(none.hint).toContain('git remote add origin');
    const dir = join(scratch.root, 'a');
    git(dir, ['remote', 'add', 'one', scratch.bare('one')]);
    // The only remote is the default.
    expect((await syncPush(s.store)).remote).toBe('one');
    git(dir, ['remote', 'add', 'two', scratch.bare('two')]);
    const many = await rejectedWith(sync(s.store));
    expect(many.code).toBe('invalid_args');
    expect(many.hint).toContain('one');
    expect(many.hint).toContain('two');
    expect((await sync(s.store, { remote: 'two' })).pushed).toBe(true);
  });

  it('reports an unreachable git:// remote (a closed port) as git_error without changing anything', { timeout: 30_000 }, async () => {
    scratch = suite.scratch();
    const port = await freePort();
    const s = await seeded('a', `git://127.0.0.1:${port}/repo.git`);
    const e = await rejectedWith(sync(s.store));
    expect(e.code).toBe('git_error');
    expect(e.message).toMatch(/^cannot reach remote origin/);
    expect(e.details.reason).toBe('unreachable');
    await unchanged(s);
    const p = await rejectedWith(syncPush(s.store));
    expect(p.details.reason).toBe('unreachable');
  });

  it('reports an unreachable http:// remote the same way', { timeout: 30_000 }, async () => {
    scratch = suite.scratch();
    const port = await freePort();
    const s = await seeded('a', `http://127.0.0.1:${port}/repo.git`);
    const e = await rejectedWith(syncPull(s.store));
    expect(e.code).toBe('git_error');
    expect(e.message).toMatch(/cannot reach remote origin/);
    expect(e.details.reason).toBe('unreachable');
    await unchanged(s);
  });

  it('reports a remote path that is not a repository', { timeout: 30_000 }, async () => {
    scratch = suite.scratch();
    const s = await seeded('a', join(scratch.root, 'nowhere.git'));
    const e = await rejectedWith(sync(s.store));
    expect(e.code).toBe('git_error');
    expect(e.details.reason).toBe('not_a_repository');
    await unchanged(s);
  });

  it('fails an HTTP 401 as an authentication error at once, never running an askpass program', { timeout: 30_000 }, async () => {
    scratch = suite.scratch();
    const server = await start401Server();
    // Askpass programs that would answer (and leave a mark) if git ever ran one.
    const mark = join(scratch.root, 'askpass-ran');
    const askpass = join(scratch.root, 'askpass.sh');
    writeFileSync(askpass, `#!/bin/sh\ntouch '${mark}'\necho secret\n`);
    chmodSync(askpass, 0o755);
    const saved = { GIT_ASKPASS: process.env.GIT_ASKPASS, SSH_ASKPASS: process.env.SSH_ASKPASS };
    process.env.GIT_ASKPASS = askpass;
    process.env.SSH_ASKPASS = askpass;
    try {
      const s = await seeded('a', server.url);
      git(join(scratch.root, 'a'), ['config', 'core.askPass', askpass]);
      for (const run of [() => sync(s.store), () => syncPush(s.store)]) {
        const e = await rejectedWith(run());
        expect(e.code).toBe('git_error');
        expect(e.details.reason).toBe('auth');
        expect(e.message).toMatch(/^authentication to remote origin/);
        expect(e.hint).toMatch(/never prompts/);
      }
      expect(server.requests()).toBeGreaterThan(0);
      expect(existsSync(mark)).toBe(false);
      await unchanged(s);
    } finally {
      process.env.GIT_ASKPASS = saved.GIT_ASKPASS ?? '';
      if (saved.GIT_ASKPASS === undefined) delete process.env.GIT_ASKPASS;
      if (saved.SSH_ASKPASS === undefined) delete process.env.SSH_ASKPASS;
      else process.env.SSH_ASKPASS = saved.SSH_ASKPASS;
      await server.stop();
    }
  });
});
