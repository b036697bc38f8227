// `grite lock` end to end through the built CLI, in-process and through each
// clone's daemon: clones racing through a real remote (a bare repository by
// path, and `git daemon` on 127.0.0.1) for one resource and for an expired
// lock, where exactly one wins and the others exit 4; `lock_policy = require`
// refusing another actor's write with exit 4 and nothing written; the lock
// flags and the JSON shapes of DESIGN.md section 8. Issue 6.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startGitDaemon, type GitDaemon } from '../packages/core/test/sync-harness.js';
import { git, grite, modes, stopDaemon, tempRepo, type Result } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ACTOR = /^[0-9a-f]{32}$/;
const CLONES = 4;

function walHead(dir: string): string | null {
  try {
    return git(dir, 'rev-parse', '-q', '--verify', 'refs/grite/wal');
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const mode of modes) {
  describe(`${mode.name}: clones race for a lock through the remote`, () => {
    const repos: { dir: string; cleanup: () => void }[] = [];
    let scratch: string;
    let gitd: GitDaemon;
    const run = (dir: string, ...args: string[]): Promise<Result> => grite({ cwd: dir, env: mode.env }, ...args);

    beforeAll(async () => {
      scratch = realpathSync(mkdtempSync(join(tmpdir(), 'grite-e2e-locks-')));
      gitd = await startGitDaemon(scratch);
    });
    afterAll(async () => {
      for (const r of repos) await stopDaemon(r.dir);
      await gitd.stop();
      for (const r of repos) r.cleanup();
      rmSync(scratch, { recursive: true, force: true });
    });

    /** `n` clones of a new bare remote, each with its own actor; `url` maps the bare path to the URL the clones use. */
    async function clones(name: string, url: (path: string) => string): Promise<string[]> {
      const path = join(scratch, `${name}.git`);
      git(scratch, 'init', '-q', '--bare', path);
      const dirs: string[] = [];
      for (let i = 0; i < CLONES; i++) {
        const r = tempRepo();
        repos.push(r);
        git(r.dir, 'remote', 'add', 'origin', url(path));
        expectOk(await run(r.dir, 'actor', 'init', '--label', `agent-${i}`, '--json'));
        dirs.push(r.dir);
      }
      return dirs;
    }

    async function race(dirs: string[], resource: string, ttl: string): Promise<{ winner: string; answers: Result[] }> {
      const answers = await Promise.all(dirs.map((d) => run(d, 'lock', 'acquire', '--resource', resource, '--ttl', ttl, '--json')));
      const won = answers.filter((r) => r.code === 0);
      expect(won.map((r) => r.json.data.resource)).toEqual([resource]);
      for (const r of answers.filter((x) => x.code !== 0)) {
        expectError(r, 'conflict', 4);
        expect(r.json.error.message).toContain(`${resource} is locked by actor ${won[0]!.json.data.owner}`);
      }
      return { winner: dirs[answers.indexOf(won[0]!)]!, answers };
    }

    for (const [transport, url] of [
      ['a bare repository by path', (p: string) => p],
      ['git daemon', (p: string) => `${gitd.baseUrl}${p.slice(scratch.length + 1)}`],
    ] as const) {
      it(`exactly one of ${CLONES} clones wins, through ${transport}; the others exit 4; all then read the winner`, async () => {
        const dirs = await clones(`race-${transport.replace(/\W+/g, '-')}`, (p) => url(p));
        const { winner, answers } = await race(dirs, 'repo:global', '15m');
        const lock = answers.find((r) => r.code === 0)!.json.data;
        expect(Object.keys(lock).sort()).toEqual(['expires_unix_ms', 'nonce', 'owner', 'resource']);
        expect(lock.owner).toMatch(ACTOR);
        expect(lock.nonce).toMatch(UUID);
        for (const d of dirs) {
          const s = await run(d, 'lock', 'status', '--json');
          expectOk(s);
          expect(s.json.data).toEqual({ locks: [lock], conflicts: [] });
        }
        // Only the holder renews and releases; then the next race has a winner again.
        expectError(await run(dirs.find((d) => d !== winner)!, 'lock', 'release', '--resource', 'repo:global', '--json'), 'conflict', 4);
        const renewed = await run(winner, 'lock', 'renew', '--resource', 'repo:global', '--ttl', '1h', '--json');
        expectOk(renewed);
        expect(renewed.json.data.nonce).toBe(lock.nonce);
        expect(renewed.json.data.expires_unix_ms).toBeGreaterThan(lock.expires_unix_ms);
        const released = await run(winner, 'lock', 'release', '--resource', 'repo:global', '--json');
        expect(released.json.data).toMatchObject({ resource: 'repo:global', owner: lock.owner, expires_unix_ms: 0 });
        await race(dirs, 'repo:global', '15m');
      });
    }

    it('clones race to take over an expired lock: exactly one wins', async () => {
      const dirs = await clones('takeover', (p) => p);
      const first = await run(dirs[0]!, 'lock', 'acquire', '--resource', 'path:src', '--ttl', '1', '--json');
      expectOk(first);
      // Let the one-second lease run out.
      while (Date.now() <= first.json.data.expires_unix_ms) await sleep(100);
      const { winner } = await race(dirs.slice(1), 'path:src', '15m');
      expect(winner).not.toBe(dirs[0]);
      // The first holder's lease is gone: it cannot renew what another now holds.
      expectError(await run(dirs[0]!, 'lock', 'renew', '--resource', 'path:src', '--json'), 'conflict', 4);
    });
  });
}

for (const mode of modes) {
  describe(`${mode.name}: lock_policy = require`, () => {
    let repo: { dir: string; cleanup: () => void };
    let issue = '';
    let other = '';
    const run = (...args: string[]): Promise<Result> => grite({ cwd: repo.dir, env: mode.env }, ...args);

    beforeAll(async () => {
      repo = tempRepo();
      issue = (await run('issue', 'create', '--title', 'guarded', '--json')).json.data.issue_id;
      other = (await run('actor', 'init', '--label', 'other', '--json')).json.data.actor.actor_id;
      expectOk(await run('config', 'set', 'lock_policy', 'require', '--json'));
    });
    afterAll(async () => {
      await stopDaemon(repo.dir);
      repo.cleanup();
    });

    it("blocks another actor's issue close with exit 4 and writes nothing; the holder writes", async () => {
      const lock = await run('lock', 'acquire', '--resource', `issue:${issue.slice(0, 6)}`, '--ttl', '10m', '--actor', other, '--json');
      expectOk(lock);
      expect(lock.json.data).toMatchObject({ resource: `issue:${issue}`, owner: other });

      const head = walHead(repo.dir);
      const refused = await run('issue', 'close', issue, '--json');
      expectError(refused, 'conflict', 4);
      expect(refused.json.error.message).toContain(`issue:${issue} is locked by actor ${other}`);
      expect(refused.json.error.hint).toContain('require');
      const human = await run('issue', 'comment', issue, '--body', 'nope');
      expect(human.code).toBe(4);
      expect(human.stderr).toMatch(/^error: cannot write to issue /);
      expect(walHead(repo.dir)).toBe(head);
      const show = await run('issue', 'show', issue, '--json');
      expect(show.json.data.issue).toMatchObject({ state: 'open', comments: [] });

      expectOk(await run('issue', 'comment', issue, '--body', 'by the holder', '--actor', other, '--json'));
      expect(walHead(repo.dir)).not.toBe(head);
    });

    it('a repo: lock of another actor blocks creates too; releasing it lets writes through', async () => {
      expectOk(await run('lock', 'acquire', '--resource', 'repo:global', '--actor', other, '--json'));
      const head = walHead(repo.dir);
      expectError(await run('issue', 'create', '--title', 'blocked', '--json'), 'conflict', 4);
      expect(walHead(repo.dir)).toBe(head);
      expectOk(await run('lock', 'release', '--resource', 'repo:global', '--actor', other, '--json'));
      expectOk(await run('lock', 'release', '--resource', `issue:${issue}`, '--actor', other, '--json'));
      const closed = await run('issue', 'close', issue, '--json');
      expectOk(closed);
      expect(closed.json.data.state).toBe('closed');
    });

    it('under warn the write goes through, with a warning on stderr when run in-process', async () => {
      expectOk(await run('config', 'set', 'lock_policy', 'warn', '--json'));
      expectOk(await run('lock', 'acquire', '--resource', `issue:${issue}`, '--actor', other, '--json'));
      const r = await run('issue', 'reopen', issue, '--json');
      expectOk(r);
      if (mode.name === 'in-process') expect(r.stderr).toContain(`warning: writing to issue ${issue}: issue:${issue} is locked by actor ${other}`);
      expectOk(await run('config', 'set', 'lock_policy', 'require', '--json'));
    });
  });
}

describe('a lock taken on another clone blocks writes here once this clone has seen it', () => {
  let scratch: string;
  const repos: { dir: string; cleanup: () => void }[] = [];
  afterAll(() => {
    for (const r of repos) r.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('sync fetches the remote lock refs; the policy check reads them', async () => {
    scratch = realpathSync(mkdtempSync(join(tmpdir(), 'grite-e2e-locks-')));
    const origin = join(scratch, 'origin.git');
    git(scratch, 'init', '-q', '--bare', origin);
    const [a, b] = [tempRepo(), tempRepo()];
    repos.push(a, b);
    for (const r of [a, b]) git(r.dir, 'remote', 'add', 'origin', origin);
    const issue = (await grite({ cwd: a.dir }, 'issue', 'create', '--title', 'shared', '--json')).json.data.issue_id as string;
    expectOk(await grite({ cwd: a.dir }, 'sync', '--json'));
    expectOk(await grite({ cwd: b.dir }, 'sync', '--json'));
    expectOk(await grite({ cwd: b.dir }, 'lock', 'acquire', '--resource', `issue:${issue.slice(0, 8)}`, '--json'));
    expectOk(await grite({ cwd: a.dir }, 'config', 'set', 'lock_policy', 'require', '--json'));

    // a has not seen the lock yet: its write goes through.
    expectOk(await grite({ cwd: a.dir }, 'issue', 'comment', issue, '--body', 'before', '--json'));
    expectOk(await grite({ cwd: a.dir }, 'sync', '--json'));
    const head = walHead(a.dir);
    expectError(await grite({ cwd: a.dir }, 'issue', 'comment', issue, '--body', 'after', '--json'), 'conflict', 4);
    expect(walHead(a.dir)).toBe(head);
  });
});

for (const mode of modes) {
  describe(`${mode.name}: lock flags, shapes and errors`, () => {
    let repo: { dir: string; cleanup: () => void };
    const run = (...args: string[]): Promise<Result> => grite({ cwd: repo.dir, env: mode.env }, ...args);

    beforeAll(() => {
      repo = tempRepo();
    });
    afterAll(async () => {
      await stopDaemon(repo.dir);
      repo.cleanup();
    });

    it('bad --ttl, missing or bad --resource are invalid_args (exit 2), nothing sent', async () => {
      for (const ttl of ['5y', '-3', '0', 'soon', '999999999999']) {
        const r = await run('lock', 'acquire', '--resource', 'repo:global', '--ttl', ttl, '--json');
        expectError(r, 'invalid_args', 2);
      }
      expectError(await run('lock', 'acquire', '--json'), 'invalid_args', 2);
      expectError(await run('lock', 'acquire', '--resource', 'global', '--json'), 'invalid_args', 2);
      expectError(await run('lock', 'acquire', '--resource', 'issue:abcd', '--json'), 'not_found', 3);
      expect((await run('lock', 'status', '--json')).json.data).toEqual({ locks: [], conflicts: [] });
    });

    it('acquire with each --ttl spelling, status, renew of nothing, release, gc', async () => {
      for (const [ttl, ms] of [['90s', 90_000], ['15m', 900_000], ['2h', 7_200_000], ['30', 30_000]] as const) {
        const before = Date.now();
        const r = await run('lock', 'acquire', '--resource', 'path:docs/', '--ttl', ttl, '--json');
        expectOk(r);
        expect(r.json.data.resource).toBe('path:docs');
        expect(r.json.data.expires_unix_ms).toBeGreaterThanOrEqual(before + ms);
        expect(r.json.data.expires_unix_ms).toBeLessThanOrEqual(Date.now() + ms);
      }
      const human = await run('lock', 'status');
      expect(human.stdout).toMatch(/^RESOURCE\s+OWNER\s+STATE\s+EXPIRES\npath:docs\s+[0-9a-f]{8}\s+held\s+\d{4}-/);
      expectError(await run('lock', 'renew', '--resource', 'repo:other', '--json'), 'not_found', 3);
      expectOk(await run('lock', 'release', '--resource', 'path:docs', '--json'));
      expect((await run('lock', 'gc', '--json')).json.data).toEqual({ expired_pruned: 1 });
      expect((await run('lock', 'gc')).stdout).toBe('pruned 0 locks\n');
    });

    it('an unreachable remote: git_error (exit 1), no lock taken', async () => {
      const port = await freePort();
      git(repo.dir, 'remote', 'add', 'origin', `git://127.0.0.1:${port}/nothing.git`);
      try {
        const r = await run('lock', 'acquire', '--resource', 'repo:global', '--json');
        expectError(r, 'git_error', 1);
        expect(r.json.error.message).toMatch(/^cannot reach remote origin/);
        expect(git(repo.dir, 'for-each-ref', 'refs/grite/locks/')).toBe('');
      } finally {
        git(repo.dir, 'remote', 'remove', 'origin');
      }
    });
  });
}
