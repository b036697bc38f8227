// `grite batch` end to end (issue 8): the line protocol (hello, one answer
// per request with its id, ping, malformed lines answered with their line
// number without ending the session, --stop-on-error, exit codes 0/1/5,
// nothing but answers on stdout) in-process and through the daemon, and
// --atomic: all writes of the input in one WAL commit, or none.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchClient } from './cli-batch-client.js';
import { git, grite, modes, stopDaemon, tempRepo, type Result } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

function lines(r: Result): any[] {
  const out = r.stdout.split('\n');
  expect(out.pop()).toBe('');
  return out.map((l) => JSON.parse(l));
}

function byId(answers: any[]): Map<unknown, any> {
  const m = new Map<unknown, any>();
  for (const a of answers) {
    if (a.id === null) continue;
    expect(m.has(a.id), `id ${String(a.id)} answered twice`).toBe(false);
    m.set(a.id, a);
  }
  return m;
}

const req = (id: string | number, op: string, args?: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ id, op, ...(args === undefined ? {} : { args }), ...extra });

function walCommits(dir: string): number {
  try {
    return Number(git(dir, 'rev-list', '--count', 'refs/grite/wal'));
  } catch {
    return 0;
  }
}

for (const mode of modes) {
  describe(`${mode.name}: grite batch`, () => {
    let repo: { dir: string; cleanup: () => void };
    let first: string;
    let second: string;
    const run = (stdin: string, ...args: string[]): Promise<Result> => grite({ cwd: repo.dir, env: mode.env, stdin }, 'batch', ...args);

    beforeAll(async () => {
      repo = tempRepo();
      const r = await run([req('a', 'issue create', { title: 'First', label: ['bug'] }), req('b', 'issue create', { title: 'Second' })].join('\n'));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const m = byId(lines(r).slice(1));
      first = m.get('a').data.issue_id;
      second = m.get('b').data.issue_id;
    });
    afterAll(async () => {
      await stopDaemon(repo.dir);
      repo.cleanup();
    });

    it('answers a hello, then one line per request with its id; malformed lines get their line number and the session goes on', async () => {
      const input = [
        req(1, 'ping'),
        'not json at all',
        req('list', 'issue list', { state: 'open' }),
        '',
        '{"op":"issue list"}',
        JSON.stringify({ id: 5 }),
        req(6, 'issue frobnicate'),
        req(7, 'issue show', { id: first.slice(0, 8) }, { fields: ['title', 'labels'] }),
        req(8, 'issue list', { bogus: true }),
        req(9, 'issue list', { limit: 'many' }),
        `${req(10, 'issue show', { id: second })}\r`,
        '[1,2,3]',
        req(11, 'issue show', { id: 'ffffffff' }),
        req('body', 'issue comment', { id: first, body: '-' }),
      ].join('\n');
      const r = await run(input);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      const out = lines(r);
      expect(out[0]).toEqual({ hello: { protocol: 1, ops: expect.arrayContaining(['ping', 'issue show', 'issue list', 'issue claim']) } });
      expect(out[0].hello.ops).not.toContain('batch');
      const answers = out.slice(1);
      // 14 lines, one blank: 13 answers.
      expect(answers).toHaveLength(13);
      for (const a of answers) expect(a.schema_version).toBe(1);
      const m = byId(answers);
      expect(m.get(1)).toEqual({ id: 1, schema_version: 1, ok: true, data: { pong: true } });
      expect(m.get('list').ok).toBe(true);
      expect(m.get('list').data.issues.map((i: any) => i.title)).toEqual(expect.arrayContaining(['First', 'Second']));
      expect(m.get(5).error).toMatchObject({ code: 'invalid_args', details: { line: 6 } });
      expect(m.get(6).error).toMatchObject({ code: 'invalid_args', details: { line: 7 } });
      expect(m.get(6).error.message).toContain('unknown op');
      expect(m.get(7)).toEqual({ id: 7, schema_version: 1, ok: true, data: { issue: { title: 'First', labels: ['bug'] } } });
      expect(m.get(8).error.code).toBe('invalid_args');
      expect(m.get(8).error.message).toContain('bogus');
      expect(m.get(9).error.code).toBe('invalid_args');
      expect(m.get(10).data.issue.title).toBe('Second');
      expect(m.get(11).error.code).toBe('not_found');
      expect(m.get('body').error.code).toBe('invalid_args');
      const orphans = answers.filter((a) => a.id === null);
      expect(orphans.map((a) => a.error.details.line).sort()).toEqual([12, 2, 5]);
      for (const o of orphans) expect(o).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    });

    it('exits 0 when every request succeeded, and writes only JSON lines to stdout', async () => {
      const r = await run([req(1, 'issue list'), req(2, 'ping'), req(3, 'issue ready'), req(4, 'db stats')].join('\n'));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      const out = lines(r);
      expect(out).toHaveLength(5);
      expect(out.slice(1).every((a) => a.ok === true)).toBe(true);
    });

    it('answers what the same command answers on the command line with --json', async () => {
      const r = await run([req(1, 'issue show', { id: first }), req(2, 'issue list', { sort: 'updated', limit: 1 })].join('\n'));
      const m = byId(lines(r).slice(1));
      const show = await grite({ cwd: repo.dir, env: mode.env }, 'issue', 'show', first, '--json');
      const list = await grite({ cwd: repo.dir, env: mode.env }, 'issue', 'list', '--sort', 'updated', '--limit', '1', '--json');
      expect(m.get(1).data).toEqual(show.json.data);
      expect(m.get(2).data).toEqual(list.json.data);
    });

    // Reads already in flight when the failure is known are still answered;
    // a write waits for everything before it, so none runs after a failure.
    it('--stop-on-error runs nothing after the first failure', async () => {
      const before = walCommits(repo.dir);
      const r = await run(
        [
          req(1, 'issue list'),
          req(2, 'issue show', { id: 'ffffffff' }),
          req(3, 'issue comment', { id: first, body: 'never' }),
          req(4, 'issue label add', { id: first, label: ['never'] }),
        ].join('\n'),
        '--stop-on-error',
      );
      expect(r.code).toBe(1);
      const m = byId(lines(r).slice(1));
      expect(m.get(1).ok).toBe(true);
      expect(m.get(2).error.code).toBe('not_found');
      expect(m.has(3)).toBe(false);
      expect(m.has(4)).toBe(false);
      expect(walCommits(repo.dir)).toBe(before);
    });

    it('reads see the writes sent before them, in input order', async () => {
      const input = [
        req(1, 'issue label add', { id: second, label: ['one'] }),
        req(2, 'issue show', { id: second }, { fields: ['labels'] }),
        req(3, 'issue label remove', { id: second, label: ['one'] }),
        req(4, 'issue label add', { id: second, label: ['two'] }),
        req(5, 'issue show', { id: second }, { fields: ['labels'] }),
        req(6, 'issue close', { id: second }),
        req(7, 'issue reopen', { id: second }),
        req(8, 'issue show', { id: second }, { fields: ['state', 'labels'] }),
      ].join('\n');
      const r = await run(input);
      expect(r.code, r.stdout).toBe(0);
      const m = byId(lines(r).slice(1));
      expect(m.get(2).data.issue.labels).toEqual(['one']);
      expect(m.get(5).data.issue.labels).toEqual(['two']);
      expect(m.get(8).data.issue).toEqual({ state: 'open', labels: ['two'] });
    });

    describe('--atomic', () => {
      it('appends every write of the input in one WAL commit; reads are answered too', async () => {
        const before = walCommits(repo.dir);
        const input = [
          req('c1', 'issue create', { title: 'Atomic one' }),
          req('c2', 'issue create', { title: 'Atomic two', label: ['x'] }),
          req('r', 'issue list', { limit: 1 }),
          req('k', 'issue comment', { id: first, body: 'atomic comment' }),
          req('l', 'issue label add', { id: first, label: ['atomic'] }),
        ].join('\n');
        const r = await run(input, '--atomic');
        expect(r.code, r.stdout + r.stderr).toBe(0);
        const m = byId(lines(r).slice(1));
        expect(m.size).toBe(5);
        expect(walCommits(repo.dir)).toBe(before + 1);
        const head = git(repo.dir, 'rev-parse', 'refs/grite/wal');
        for (const id of ['c1', 'c2', 'k', 'l']) expect(m.get(id).data.wal_head).toBe(head);
        expect(git(repo.dir, 'log', '-1', '--format=%s', 'refs/grite/wal')).toMatch(/^WAL: 4 events from [0-9a-f]{8}$/);
        expect(m.get('r').ok).toBe(true);
      });

      it('writes nothing when one write fails: that one answers its error, the others name its line', async () => {
        const before = git(repo.dir, 'rev-parse', 'refs/grite/wal');
        const count = (await grite({ cwd: repo.dir, env: mode.env }, 'issue', 'list', '--json')).json.data.total;
        const input = [
          req(1, 'issue create', { title: 'Never' }),
          req(2, 'issue comment', { id: first, body: 'never' }),
          req(3, 'issue comment', { id: 'ffffffff', body: 'no such issue' }),
          req(4, 'issue label add', { id: first, label: ['never'] }),
        ].join('\n');
        const r = await run(input, '--atomic');
        expect(r.code).toBe(1);
        const m = byId(lines(r).slice(1));
        expect(m.get(3).error.code).toBe('not_found');
        for (const id of [1, 2, 4]) {
          expect(m.get(id).ok).toBe(false);
          expect(m.get(id).error).toMatchObject({ code: 'invalid_args', details: { failed_line: 3 } });
        }
        expect(git(repo.dir, 'rev-parse', 'refs/grite/wal')).toBe(before);
        const after = await grite({ cwd: repo.dir, env: mode.env }, 'issue', 'list', '--json');
        expect(after.json.data.total).toBe(count);
        expect(after.json.data.issues.some((i: any) => i.title === 'Never')).toBe(false);
      });

      it('writes nothing when a line of the input is malformed or has bad args', async () => {
        const before = git(repo.dir, 'rev-parse', 'refs/grite/wal');
        for (const bad of ['{"id": 2, "op": ', req(2, 'issue create', { label: ['no title'] })]) {
          const r = await run([req(1, 'issue create', { title: 'Never either' }), bad].join('\n'), '--atomic');
          expect(r.code).toBe(1);
          const m = byId(lines(r).slice(1));
          expect(m.get(1).error).toMatchObject({ code: 'invalid_args', details: { failed_line: 2 } });
          expect(git(repo.dir, 'rev-parse', 'refs/grite/wal')).toBe(before);
        }
      });

      it('refuses two state changes of one issue, and edges that close a cycle together', async () => {
        const before = git(repo.dir, 'rev-parse', 'refs/grite/wal');
        let r = await run([req(1, 'issue close', { id: first }), req(2, 'issue reopen', { id: first })].join('\n'), '--atomic');
        let m = byId(lines(r).slice(1));
        expect(m.get(2).error.code).toBe('invalid_args');
        expect(m.get(2).error.message).toContain('only once');
        expect(m.get(1).error.details.failed_line).toBe(2);
        r = await run(
          [req(1, 'issue dep add', { id: first, target: second, type: 'blocks' }), req(2, 'issue dep add', { id: second, target: first, type: 'blocks' })].join('\n'),
          '--atomic',
        );
        m = byId(lines(r).slice(1));
        expect(m.get(2).error.code).toBe('invalid_args');
        expect(m.get(2).error.message).toContain('cycle');
        expect(git(repo.dir, 'rev-parse', 'refs/grite/wal')).toBe(before);
      });

      it('refuses local ops and claims in an atomic batch', async () => {
        const before = git(repo.dir, 'rev-parse', 'refs/grite/wal');
        let r = await run([req(1, 'issue comment', { id: first, body: 'x' }), req(2, 'config set', { key: 'a', value: 'b' })].join('\n'), '--atomic');
        let m = byId(lines(r).slice(1));
        expect(m.get(2).error.code).toBe('invalid_args');
        r = await run([req(1, 'issue comment', { id: first, body: 'x' }), req(2, 'issue claim', { id: second })].join('\n'), '--atomic');
        m = byId(lines(r).slice(1));
        expect(m.get(2).error.code).toBe('invalid_args');
        expect(m.get(2).error.message).toContain('IssueClaim');
        expect(git(repo.dir, 'rev-parse', 'refs/grite/wal')).toBe(before);
      });
    });
  });
}

describe('a batch session outlives its daemon', () => {
  let repo: { dir: string; cleanup: () => void };
  beforeAll(() => {
    repo = tempRepo();
  });
  afterAll(async () => {
    await stopDaemon(repo.dir);
    repo.cleanup();
  });

  it('keeps answering after the daemon stopped mid-session (a new one is started), and acts as the session actor', async () => {
    const env = { GRITE_NO_DAEMON: undefined };
    const other = (await grite({ cwd: repo.dir }, 'actor', 'init', '--label', 'other', '--json')).json.data.actor.actor_id;
    const me = (await grite({ cwd: repo.dir }, 'actor', 'init', '--label', 'me', '--json')).json.data.actor.actor_id;
    const client = new BatchClient({ cwd: repo.dir, env, args: ['--actor', me] });
    await client.hello;
    const made = await client.send({ op: 'issue create', args: { title: 'before the stop' } });
    expect(made.ok, JSON.stringify(made)).toBe(true);
    const first = (await grite({ cwd: repo.dir, env }, 'daemon', 'status', '--json')).json.data.daemon;
    expect(first.running).toBe(true);
    expect((await grite({ cwd: repo.dir, env }, 'daemon', 'stop', '--json')).json.data.stopped).toBe(true);
    const shown = await client.send({ op: 'issue show', args: { id: made.data.issue_id } });
    expect(shown.ok, JSON.stringify(shown)).toBe(true);
    const commented = await client.send({ op: 'issue comment', args: { id: made.data.issue_id, body: 'after the stop' } });
    expect(commented.ok, JSON.stringify(commented)).toBe(true);
    const second = (await grite({ cwd: repo.dir, env }, 'daemon', 'status', '--json')).json.data.daemon;
    expect(second.running).toBe(true);
    expect(second.pid).not.toBe(first.pid);
    const current = await client.send({ op: 'actor current' });
    expect(current.data.actor.actor_id).toBe(me);
    const events = (await client.send({ op: 'issue show', args: { id: made.data.issue_id } })).data.events;
    expect(events.every((e: any) => e.actor === me)).toBe(true);
    expect(other).not.toBe(me);
    expect((await client.end()).code).toBe(0);
  });
});

describe('grite batch outside a repository', () => {
  let dir: string;
  beforeAll(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-e2e-norepo-')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers every request with the environment error and exits 5 (store unreachable); ping still answers', async () => {
    const r = await grite({ cwd: dir, env: { GIT_CEILING_DIRECTORIES: dir }, stdin: [req(1, 'issue list'), req(2, 'ping'), req(3, 'issue show', { id: 'abcd' })].join('\n') }, 'batch');
    expect(r.code).toBe(5);
    const m = byId(lines(r).slice(1));
    expect(m.get(1).error.code).toBe('not_a_repo');
    expect(m.get(2).ok).toBe(true);
    expect(m.get(3).error.code).toBe('not_a_repo');
    expect(r.stderr).toContain('grite batch');
  });
});
