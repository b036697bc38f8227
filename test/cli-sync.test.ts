// `grite sync` end to end through the built CLI, in-process and through each
// clone's daemon, against real remotes: a bare repository by path and `git
// daemon` on 127.0.0.1; and the failures (a missing remote, no remote, a
// closed port, an HTTP server answering 401) with their exit codes, nothing
// local lost. Issue 6.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, start401Server, startGitDaemon, type GitDaemon } from '../packages/core/test/sync-harness.js';
import { git, grite, modes, stopDaemon, tempRepo, type Result } from './helpers.js';

const HEAD = /^[0-9a-f]{40}$/;

/** A scratch dir holding bare remotes; removed by cleanup. */
function scratchDir(): { dir: string; bare: (name: string) => string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-e2e-remote-')));
  return {
    dir,
    bare: (name) => {
      const path = join(dir, `${name}.git`);
      git(dir, 'init', '-q', '--bare', path);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function walHead(dir: string, ref = 'refs/grite/wal'): string | null {
  try {
    return git(dir, 'rev-parse', '-q', '--verify', ref);
  } catch {
    return null;
  }
}

function expectOk(r: Result): void {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.json?.ok, r.stdout).toBe(true);
}

function expectError(r: Result, code: string, exit: number): void {
  expect(r.code, r.stdout + r.stderr).toBe(exit);
  expect(r.json).toMatchObject({ schema_version: 1, ok: false, error: { code } });
}

for (const mode of modes) {
  describe(`${mode.name}: two clones converge through grite sync`, () => {
    const repos: { dir: string; cleanup: () => void }[] = [];
    let scratch: ReturnType<typeof scratchDir>;
    let gitd: GitDaemon;
    const run = (dir: string, ...args: string[]): Promise<Result> => grite({ cwd: dir, env: mode.env }, ...args);

    function clone(url: string): string {
      const r = tempRepo();
      repos.push(r);
      git(r.dir, 'remote', 'add', 'origin', url);
      return r.dir;
    }

    beforeAll(async () => {
      scratch = scratchDir();
      scratch.bare('served');
      gitd = await startGitDaemon(scratch.dir);
    });
    afterAll(async () => {
      for (const r of repos) await stopDaemon(r.dir);
      await gitd.stop();
      for (const r of repos) r.cleanup();
      scratch.cleanup();
    });

    async function converge(url: string): Promise<void> {
      const a = clone(url);
      const b = clone(url);
      const a1 = (await run(a, 'issue', 'create', '--title', 'from a', '--label', 'x', '--json')).json.data.issue_id as string;
      const a2 = (await run(a, 'issue', 'create', '--title', 'second from a', '--json')).json.data.issue_id as string;
      const b1 = (await run(b, 'issue', 'create', '--title', 'from b', '--json')).json.data.issue_id as string;

      // A remote without grite refs is simply pushed to.
      const s1 = await run(a, 'sync', '--json');
      expectOk(s1);
      expect(Object.keys(s1.json.data).sort()).toEqual(['events_pulled', 'events_pushed', 'pulled', 'pushed', 'remote_wal_head', 'wal_head']);
      expect(s1.json.data).toMatchObject({ pulled: false, pushed: true, events_pulled: 0, events_pushed: 2 });
      expect(s1.json.data.wal_head).toBe(walHead(a));
      expect(s1.json.data.remote_wal_head).toBe(walHead(a));

      // b's log diverged: it takes a's head plus one commit of its own events, and pushes that.
      const s2 = await run(b, 'sync', '--json');
      expectOk(s2);
      expect(s2.json.data).toMatchObject({ pulled: true, pushed: true, events_pulled: 2, events_pushed: 1 });
      expect(s2.json.data.wal_head).toMatch(HEAD);
      expect(git(b, 'merge-base', '--is-ancestor', s1.json.data.wal_head, 'refs/grite/wal')).toBe('');

      expectOk(await run(a, 'issue', 'comment', a1.slice(0, 6), '--body', 'while apart', '--json'));
      const s3 = await run(a, 'sync', '--json');
      expect(s3.json.data).toMatchObject({ pulled: true, events_pulled: 1, pushed: true, events_pushed: 1 });
      const s4 = await run(b, 'sync', '--json');
      expect(s4.json.data).toMatchObject({ pulled: true, events_pulled: 1, pushed: false, events_pushed: 0 });
      expect(walHead(a)).toBe(walHead(b));

      const listA = await run(a, 'issue', 'list', '--json');
      const listB = await run(b, 'issue', 'list', '--json');
      expect(listA.json.data.total).toBe(3);
      expect(listB.stdout).toBe(listA.stdout);
      for (const id of [a1, a2, b1]) {
        const showA = await run(a, 'issue', 'show', id, '--json');
        expectOk(showA);
        expect((await run(b, 'issue', 'show', id, '--json')).stdout).toBe(showA.stdout);
      }
      // Nothing left to move: a sync that changes nothing.
      const again = await run(a, 'sync', '--json');
      expect(again.json.data).toMatchObject({ pulled: false, pushed: false, events_pulled: 0, events_pushed: 0, wal_head: walHead(a) });
    }

    it('through a bare repository by path', async () => {
      await converge(scratch.bare('origin'));
    });

    it('through git daemon on 127.0.0.1', async () => {
      await converge(`${gitd.baseUrl}served.git`);
    });

    it('--pull only pulls, --push only pushes, and the human output says what moved', async () => {
      const url = scratch.bare('halves');
      const a = clone(url);
      const b = clone(url);
      await run(a, 'issue', 'create', '--title', 'one');
      const pushOnly = await run(a, 'sync', '--push');
      expect(pushOnly.code, pushOnly.stderr).toBe(0);
      expect(pushOnly.stdout).toMatch(/^pushed 1 event \(wal [0-9a-f]{12}\)\n$/);

      await run(b, 'issue', 'create', '--title', 'two');
      const bHead = walHead(b);
      const pullOnly = await run(b, 'sync', '--pull', '--json');
      expect(pullOnly.json.data).toMatchObject({ pulled: true, pushed: false, events_pulled: 1, events_pushed: 0 });
      // Nothing of b went to the remote.
      expect(walHead(a, 'refs/grite/wal')).toBe(git(url, 'rev-parse', 'refs/grite/wal'));
      expect(walHead(b)).not.toBe(bHead);

      const both = await run(b, 'sync', '--pull', '--push');
      expect(both.stdout).toMatch(/^pushed 1 event/);
      expect(git(url, 'rev-parse', 'refs/grite/wal')).toBe(walHead(b));
      expect((await run(b, 'sync')).stdout).toMatch(/^already in sync/);
    });
  });
}

describe('the daemon notices a WAL moved by a sync run outside it', () => {
  const repos: { dir: string; cleanup: () => void }[] = [];
  let scratch: ReturnType<typeof scratchDir>;
  const viaDaemon = { GRITE_NO_DAEMON: undefined };
  beforeAll(() => {
    scratch = scratchDir();
  });
  afterAll(async () => {
    for (const r of repos) await stopDaemon(r.dir);
    for (const r of repos) r.cleanup();
    scratch.cleanup();
  });

  it('an in-process sync moves the WAL under a running daemon, which answers the pulled issues next', async () => {
    const url = scratch.bare('origin');
    const [a, b] = [tempRepo(), tempRepo()];
    repos.push(a, b);
    for (const r of [a, b]) git(r.dir, 'remote', 'add', 'origin', url);
    await grite({ cwd: a.dir }, 'issue', 'create', '--title', 'pulled later');
    expectOk(await grite({ cwd: a.dir }, 'sync', '--json'));

    // b's daemon is up and has answered once.
    const before = await grite({ cwd: b.dir, env: viaDaemon }, 'issue', 'list', '--json');
    expect(before.json.data.total).toBe(0);
    expect((await grite({ cwd: b.dir, env: viaDaemon }, 'daemon', 'status', '--json')).json.data.daemon.running).toBe(true);

    expectOk(await grite({ cwd: b.dir }, 'sync', '--no-daemon', '--json'));
    const after = await grite({ cwd: b.dir, env: viaDaemon }, 'issue', 'list', '--json');
    expect(after.json.data.issues.map((i: { title: string }) => i.title)).toEqual(['pulled later']);

    // And a sync through the daemon, then a read through it, with a's next write.
    await grite({ cwd: a.dir }, 'issue', 'create', '--title', 'pulled by the daemon');
    expectOk(await grite({ cwd: a.dir }, 'sync', '--json'));
    const s = await grite({ cwd: b.dir, env: viaDaemon }, 'sync', '--json');
    expect(s.json.data).toMatchObject({ pulled: true, events_pulled: 1 });
    const titles = (await grite({ cwd: b.dir, env: viaDaemon }, 'issue', 'list', '--json')).json.data.issues.map((i: { title: string }) => i.title);
    expect(titles.sort()).toEqual(['pulled by the daemon', 'pulled later']);
  });
});

for (const mode of modes) {
  describe(`${mode.name}: sync failures say what went wrong and lose nothing`, () => {
    let repo: { dir: string; cleanup: () => void };
    let scratch: ReturnType<typeof scratchDir>;
    let head: string | null;
    let list = '';
    const run = (...args: string[]): Promise<Result> => grite({ cwd: repo.dir, env: mode.env }, ...args);

    beforeAll(async () => {
      repo = tempRepo();
      scratch = scratchDir();
      await run('issue', 'create', '--title', 'precious', '--body', 'must survive');
      await run('issue', 'create', '--title', 'also precious');
      head = walHead(repo.dir);
      list = (await run('issue', 'list', '--json')).stdout;
    });
    afterAll(async () => {
      await stopDaemon(repo.dir);
      repo.cleanup();
      scratch.cleanup();
    });

    async function nothingLost(): Promise<void> {
      expect(walHead(repo.dir)).toBe(head);
      expect((await run('issue', 'list', '--json')).stdout).toBe(list);
    }

    it('no remote at all: not_found (exit 3) with a hint to add one', async () => {
      const r = await run('sync', '--json');
      expectError(r, 'not_found', 3);
      expect(r.json.error.hint).toContain('git remote add');
      const human = await run('sync');
      expect(human.code).toBe(3);
      expect(human.stderr).toMatch(/^error: this repository has no git remote/);
      expect(human.stderr).toContain('hint: Add one with `git remote add origin <url>`');
      await nothingLost();
    });

    it('a missing remote: not_found (exit 3) naming it', async () => {
      git(repo.dir, 'remote', 'add', 'origin', scratch.bare('exists'));
      const r = await run('sync', '--remote', 'upstream', '--json');
      expectError(r, 'not_found', 3);
      expect(r.json.error.message).toContain('"upstream"');
      expect(r.json.error.hint).toContain('git remote add upstream');
      await nothingLost();
    });

    it('an unreachable remote (a closed port): git_error (exit 1), "cannot reach"', async () => {
      const port = await freePort();
      git(repo.dir, 'remote', 'add', 'closed', `git://127.0.0.1:${port}/nothing.git`);
      const r = await run('sync', '--remote', 'closed', '--json');
      expectError(r, 'git_error', 1);
      expect(r.json.error.message).toMatch(/^cannot reach remote closed/);
      expect(r.json.error.details.reason).toBe('unreachable');
      await nothingLost();
    });

    it('an authentication failure (HTTP 401): git_error (exit 1), and git never prompts', async () => {
      const server = await start401Server();
      try {
        git(repo.dir, 'remote', 'add', 'secured', server.url);
        const r = await run('sync', '--remote', 'secured', '--json');
        expectError(r, 'git_error', 1);
        expect(r.json.error.message).toMatch(/^authentication to remote secured .* failed/);
        expect(r.json.error.details.reason).toBe('auth');
        expect(r.json.error.hint).toMatch(/never prompts/);
        expect(server.requests()).toBeGreaterThan(0);
      } finally {
        await server.stop();
      }
      await nothingLost();
    });

    it('bad flags are invalid_args (exit 2)', async () => {
      expectError(await run('sync', '--remote', ' ', '--json'), 'invalid_args', 2);
      expectError(await run('sync', '--bogus', '--json'), 'invalid_args', 2);
      await nothingLost();
    });
  });
}
