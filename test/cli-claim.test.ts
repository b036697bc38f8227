// Claims end to end (issue 8): `grite issue claim` and `grite issue ready
// --claim` take an issue:<id> lease lock plus the claimant as assignee;
// another actor's claim is a conflict (exit 4) naming the holder; claiming
// your own again writes nothing; closed and waiting issues cannot be
// claimed. Races: 8 agents with 8 actors claim through one daemon until
// nothing is ready (no issue claimed twice, none left over); 3 clones
// sharing a bare remote race for the same issues (one winner per issue).
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchClient } from './cli-batch-client.js';
import { git, grite, modes, stopDaemon, tempRepo, type Result } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

function ok(r: Result): any {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.json?.ok, r.stdout).toBe(true);
  return r.json.data;
}

function refused(r: Result, code: string, exit: number): any {
  expect(r.code, r.stdout + r.stderr).toBe(exit);
  expect(r.json).toMatchObject({ schema_version: 1, ok: false, error: { code } });
  return r.json.error;
}

const walHead = (dir: string): string => git(dir, 'rev-parse', 'refs/grite/wal');

for (const mode of modes) {
  describe(`${mode.name}: issue claim`, () => {
    let repo: { dir: string; cleanup: () => void };
    let me = '';
    let other = '';
    const ids: string[] = [];
    const run = (...args: string[]): Promise<Result> => grite({ cwd: repo.dir, env: mode.env }, ...args);

    beforeAll(async () => {
      repo = tempRepo();
      me = ok(await run('actor', 'init', '--label', 'me', '--json')).actor.actor_id;
      other = ok(await run('actor', 'init', '--label', 'other', '--json')).actor.actor_id;
      for (const title of ['one', 'two', 'three', 'blocked']) ids.push(ok(await run('issue', 'create', '--title', title, '--json')).issue_id);
      ok(await run('issue', 'dep', 'add', ids[0]!, '--target', ids[3]!, '--type', 'blocks', '--json'));
    });
    afterAll(async () => {
      await stopDaemon(repo.dir);
      repo.cleanup();
    });

    it('takes the lock and assigns the claimant; claiming it again writes nothing', async () => {
      const before = Date.now();
      const c = ok(await run('issue', 'claim', ids[1]!.slice(0, 6), '--ttl', '20m', '--json'));
      expect(c.issue).toMatchObject({ issue_id: ids[1], title: 'two', assignees: [me] });
      expect(c.lock).toMatchObject({ resource: `issue:${ids[1]}`, owner: me });
      expect(c.lock.expires_unix_ms).toBeGreaterThanOrEqual(before + 20 * 60_000);
      expect(c.already_held).toBe(false);
      expect(c.event_id).toMatch(/^[0-9a-f]{64}$/);
      expect(c.assignee).toBe(me);
      const head = walHead(repo.dir);
      const again = ok(await run('issue', 'claim', ids[1]!, '--json'));
      expect(again.already_held).toBe(true);
      expect(again.event_id).toBeNull();
      expect(again.lock).toEqual(c.lock);
      expect(walHead(repo.dir)).toBe(head);
      const status = ok(await run('lock', 'status', '--json'));
      expect(status.locks.filter((l: any) => l.resource === `issue:${ids[1]}`)).toEqual([c.lock]);
    });

    it("refuses another actor's claim with a conflict naming the holder (exit 4)", async () => {
      const head = walHead(repo.dir);
      const err = refused(await run('issue', 'claim', ids[1]!, '--actor', other, '--json'), 'conflict', 4);
      expect(err.message).toContain(me);
      expect(err.details.owner).toBe(me);
      expect(walHead(repo.dir)).toBe(head);
      const human = await run('issue', 'claim', ids[1]!, '--actor', other);
      expect(human.code).toBe(4);
      expect(human.stderr).toContain(`locked by actor ${me}`);
    });

    it('ready --claim takes the first ready issue nobody holds, skipping held and waiting ones; then nothing', async () => {
      // Ready, in dependency order then by id: one, two (held) and three; never the blocked one.
      const order = ok(await run('issue', 'ready', '--json')).issues.map((i: any) => i.issue_id).filter((id: string) => id !== ids[1]);
      expect([...order].sort()).toEqual([ids[0], ids[2]].sort());
      const a = ok(await run('issue', 'ready', '--claim', '--actor', other, '--json'));
      expect(a.issue.issue_id).toBe(order[0]);
      expect(a.lock.owner).toBe(other);
      expect(a.issue.assignees).toEqual([other]);
      const b = ok(await run('issue', 'ready', '--claim', '--json'));
      expect(b.issue.issue_id).toBe(order[1]);
      const none = ok(await run('issue', 'ready', '--claim', '--json'));
      expect(none).toMatchObject({ issue: null, lock: null, already_held: false, event_id: null });
      expect((await run('issue', 'ready', '--claim')).stdout).toBe('nothing ready to claim\n');
      // The queue itself is unchanged by claims.
      expect(ok(await run('issue', 'ready', '--json')).total).toBe(3);
    });

    it('refuses waiting, closed and unknown issues', async () => {
      const waiting = refused(await run('issue', 'claim', ids[3]!, '--json'), 'conflict', 4);
      expect(waiting.details).toMatchObject({ reason: 'not_ready', waits_for: [ids[0]] });
      const fresh = ok(await run('issue', 'create', '--title', 'short-lived', '--json')).issue_id;
      ok(await run('issue', 'close', fresh, '--json'));
      expect(refused(await run('issue', 'claim', fresh, '--json'), 'conflict', 4).details.reason).toBe('closed');
      refused(await run('issue', 'claim', 'ffffffff', '--json'), 'not_found', 3);
      refused(await run('issue', 'claim', ids[0]!, '--ttl', 'soon', '--json'), 'invalid_args', 2);
    });

    it('a released claim can be taken by another actor', async () => {
      ok(await run('lock', 'release', '--resource', `issue:${ids[1]}`, '--actor', me, '--json'));
      const c = ok(await run('issue', 'claim', ids[1]!, '--actor', other, '--json'));
      expect(c.lock.owner).toBe(other);
      expect(c.issue.assignees.sort()).toEqual([me, other].sort());
    });
  });
}

describe('8 agents claim through one daemon until nothing is ready', () => {
  const AGENTS = 8;
  const ISSUES = 40;
  let repo: { dir: string; cleanup: () => void };
  const actors: string[] = [];
  const ready: string[] = [];
  const waiting: string[] = [];
  const env = { GRITE_NO_DAEMON: undefined };

  beforeAll(async () => {
    repo = tempRepo();
    for (let i = 0; i < AGENTS; i++) actors.push(ok(await grite({ cwd: repo.dir }, 'actor', 'init', '--label', `agent-${i}`, '--json')).actor.actor_id);
    const creates = Array.from({ length: ISSUES }, (_, i) => JSON.stringify({ id: i, op: 'issue create', args: { title: `task ${i}` } }));
    const r = await grite({ cwd: repo.dir, stdin: creates.join('\n') }, 'batch', '--atomic');
    expect(r.code, r.stderr).toBe(0);
    const all = r.stdout.trim().split('\n').slice(1).map((l) => JSON.parse(l)).sort((a, b) => a.id - b.id).map((a) => a.data.issue_id as string);
    // The last 5 wait for the first: never ready while it is open.
    const deps = all.slice(ISSUES - 5).map((w, i) => JSON.stringify({ id: i, op: 'issue dep add', args: { id: w, target: all[0], type: 'depends_on' } }));
    expect((await grite({ cwd: repo.dir, stdin: deps.join('\n') }, 'batch')).code).toBe(0);
    ready.push(...all.slice(0, ISSUES - 5));
    waiting.push(...all.slice(ISSUES - 5));
  });
  afterAll(async () => {
    await stopDaemon(repo.dir);
    repo.cleanup();
  });

  it('no issue is claimed twice and none is left over', async () => {
    // Start the daemon first, so the agents share it.
    ok(await grite({ cwd: repo.dir, env }, 'daemon', 'start', '--json'));
    const agents = actors.map((a) => new BatchClient({ cwd: repo.dir, env, args: ['--actor', a] }));
    const claims = await Promise.all(
      agents.map(async (agent) => {
        await agent.hello;
        const mine: string[] = [];
        for (;;) {
          const a = await agent.send({ op: 'issue ready', args: { claim: true } });
          expect(a.ok, JSON.stringify(a)).toBe(true);
          if (a.data.issue === null) break;
          mine.push(a.data.issue.issue_id);
        }
        expect((await agent.end()).code).toBe(0);
        return mine;
      }),
    );
    const all = claims.flat();
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...ready].sort());
    for (const w of waiting) expect(all).not.toContain(w);

    const status = ok(await grite({ cwd: repo.dir, env }, 'lock', 'status', '--prefix', 'issue:', '--json'));
    const owner = new Map(status.locks.map((l: any) => [l.resource, l.owner]));
    const list = ok(await grite({ cwd: repo.dir, env }, 'issue', 'list', '--json'));
    const assignees = new Map(list.issues.map((i: any) => [i.issue_id, i.assignees]));
    claims.forEach((mine, k) => {
      for (const id of mine) {
        expect(owner.get(`issue:${id}`)).toBe(actors[k]);
        expect(assignees.get(id)).toEqual([actors[k]]);
      }
    });
  });
});

describe('3 clones sharing a bare remote race to claim the same issues', () => {
  const CLONES = 3;
  let scratch: string;
  const dirs: string[] = [];
  const actors: string[] = [];
  const issues: string[] = [];
  const run = (dir: string, ...args: string[]): Promise<Result> => grite({ cwd: dir }, ...args);

  beforeAll(async () => {
    scratch = realpathSync(mkdtempSync(join(tmpdir(), 'grite-e2e-claims-')));
    const remote = join(scratch, 'remote.git');
    git(scratch, 'init', '-q', '--bare', remote);
    for (let i = 0; i < CLONES; i++) {
      const dir = join(scratch, `clone-${i}`);
      git(scratch, 'init', '-q', '-b', 'main', dir);
      git(dir, 'commit', '-q', '--allow-empty', '-m', 'init');
      git(dir, 'remote', 'add', 'origin', remote);
      actors.push(ok(await run(dir, 'actor', 'init', '--label', `clone-${i}`, '--json')).actor.actor_id);
      dirs.push(dir);
    }
    for (const t of ['alpha', 'beta', 'gamma', 'delta']) issues.push(ok(await run(dirs[0]!, 'issue', 'create', '--title', t, '--json')).issue_id);
    ok(await run(dirs[0]!, 'sync', '--json'));
    for (const d of dirs.slice(1)) ok(await run(d, 'sync', '--json'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('exactly one clone wins each issue; the others get conflict naming the winner', async () => {
    for (const id of issues) {
      const answers = await Promise.all(dirs.map((d) => run(d, 'issue', 'claim', id, '--json')));
      const won = answers.filter((r) => r.code === 0);
      expect(won, answers.map((r) => r.stdout + r.stderr).join('\n')).toHaveLength(1);
      const winner = won[0]!.json.data.lock.owner;
      expect(actors).toContain(winner);
      for (const r of answers.filter((x) => x.code !== 0)) {
        const err = refused(r, 'conflict', 4);
        expect(err.details.owner).toBe(winner);
      }
    }
  });

  it('ready --claim in every clone at once: each issue goes to one clone, and then nothing is left', async () => {
    const fresh: string[] = [];
    for (const t of ['e', 'f', 'g', 'h', 'i']) fresh.push(ok(await run(dirs[1]!, 'issue', 'create', '--title', t, '--json')).issue_id);
    ok(await run(dirs[1]!, 'sync', '--json'));
    for (const d of [dirs[0]!, dirs[2]!]) ok(await run(d, 'sync', '--json'));
    const claims = await Promise.all(
      dirs.map(async (d) => {
        const mine: string[] = [];
        for (;;) {
          const c = ok(await run(d, 'issue', 'ready', '--claim', '--json'));
          if (c.issue === null) return mine;
          mine.push(c.issue.issue_id);
        }
      }),
    );
    const all = claims.flat();
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...fresh].sort());
  });
});
