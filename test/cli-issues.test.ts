// The issue workflow end to end through the built CLI, in-process
// (--no-daemon path). The daemon suite re-runs these through a daemon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, grite, modes, stopDaemon, tempRepo, type Result } from './helpers.js';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const HEX40 = /^[0-9a-f]{40}$/;

for (const mode of modes) {
describe(mode.name, () => {
  let repo: { dir: string; cleanup: () => void };
  const run = (...args: string[]): Promise<Result> => grite({ cwd: repo.dir, env: mode.env }, ...args);
  const runIn = (stdin: string, ...args: string[]): Promise<Result> => grite({ cwd: repo.dir, stdin, env: mode.env }, ...args);

  beforeAll(() => {
    repo = tempRepo();
  });
  afterAll(async () => {
    await stopDaemon(repo.dir);
    repo.cleanup();
  });

  function walHead(): string | null {
    try {
      return git(repo.dir, 'rev-parse', '-q', '--verify', 'refs/grite/wal');
    } catch {
      return null;
    }
  }

  describe('an uninitialised repository', () => {
    it('reads show nothing and write nothing', async () => {
      const r = await run('issue', 'list', '--json');
      expect(r.code).toBe(0);
      expect(r.json).toEqual({ schema_version: 1, ok: true, data: { issues: [], total: 0 } });
      expect(walHead()).toBeNull();
    });
  });

  describe('issue workflow', () => {
    let id = '';

    it('creates an issue and answers {issue_id, event_id, wal_head}', async () => {
      const r = await run('issue', 'create', '--title', 'First issue', '--body', 'Body text', '--label', 'bug', '--label', 'p0', '--json');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.json.ok).toBe(true);
      expect(Object.keys(r.json.data).sort()).toEqual(['event_id', 'issue_id', 'wal_head']);
      expect(r.json.data.issue_id).toMatch(HEX32);
      expect(r.json.data.event_id).toMatch(HEX64);
      expect(r.json.data.wal_head).toMatch(HEX40);
      expect(walHead()).toBe(r.json.data.wal_head);
      id = r.json.data.issue_id;
    });

    it('lists it with the summary shape', async () => {
      const r = await run('issue', 'list', '--json');
      expect(r.code).toBe(0);
      expect(r.json.data.total).toBe(1);
      const s = r.json.data.issues[0];
      expect(Object.keys(s).sort()).toEqual(['assignees', 'comment_count', 'issue_id', 'labels', 'state', 'title', 'updated_ts']);
      expect(s).toMatchObject({ issue_id: id, title: 'First issue', state: 'open', labels: ['bug', 'p0'], assignees: [], comment_count: 0 });
    });

    it('shows it by a 4-character prefix with its events', async () => {
      const r = await run('issue', 'show', id.slice(0, 4), '--json');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const { issue, events } = r.json.data;
      expect(issue).toMatchObject({ issue_id: id, title: 'First issue', body: 'Body text', links: [], attachments: [], dependencies: [], comments: [] });
      expect(typeof issue.created_ts).toBe('number');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ issue_id: id, parent: null, kind: { IssueCreated: { title: 'First issue', body: 'Body text', labels: ['bug', 'p0'] } } });
      expect(Object.keys(events[0]).sort()).toEqual(['actor', 'event_id', 'issue_id', 'kind', 'parent', 'ts_unix_ms']);
    });

    it('updates, comments, labels, assigns, links, closes and reopens', async () => {
      const steps: [string[], (d: any) => void][] = [
        [['issue', 'update', id, '--title', 'Renamed'], () => {}],
        [['issue', 'comment', id, '--body', 'a comment'], () => {}],
        [['issue', 'label', 'add', id, '--label', 'ui'], () => {}],
        [['issue', 'label', 'remove', id, '--label', 'p0'], () => {}],
        [['issue', 'assignee', 'add', id, '--user', 'alice'], () => {}],
        [['issue', 'link', 'add', id, '--url', 'https://example.com/x', '--note', 'spec'], () => {}],
        [['issue', 'close', id], (d) => expect(d.state).toBe('closed')],
        [['issue', 'reopen', id], (d) => expect(d.state).toBe('open')],
      ];
      for (const [args, check] of steps) {
        const r = await run(...args, '--json');
        expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
        expect(r.json.data.issue_id).toBe(id);
        expect(r.json.data.event_id).toMatch(HEX64);
        check(r.json.data);
      }
      const show = await run('issue', 'show', id, '--json');
      const issue = show.json.data.issue;
      expect(issue).toMatchObject({ title: 'Renamed', state: 'open', labels: ['bug', 'ui'], assignees: ['alice'], comment_count: 1 });
      expect(issue.comments[0].body).toBe('a comment');
      expect(issue.links[0]).toMatchObject({ url: 'https://example.com/x', note: 'spec' });
    });

    it('records an attachment by hash', async () => {
      const r = await runIn('', 'issue', 'attachment', 'add', id, 'package.json', '--json');
      expect(r.code).toBe(2); // no such file in the scratch repo
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${repo.dir}/notes.txt`, 'hello\n');
      const ok = await run('issue', 'attachment', 'add', id, 'notes.txt', '--json');
      expect(ok.code, ok.stdout).toBe(0);
      const show = await run('issue', 'show', id, '--json');
      expect(show.json.data.issue.attachments[0]).toMatchObject({
        name: 'notes.txt',
        mime: 'text/plain',
        sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
      });
    });

    it('reads bodies from stdin and files', async () => {
      const r = await runIn('from stdin\n', 'issue', 'create', '--title', 'stdin body', '--body', '-', '--json');
      expect(r.code).toBe(0);
      const show = await run('issue', 'show', r.json.data.issue_id, '--json');
      expect(show.json.data.issue.body).toBe('from stdin\n');
    });
  });

  describe('dependencies', () => {
    it('adds, lists both ways, orders, refuses cycles, and ready follows them', async () => {
      const a = (await run('issue', 'create', '--title', 'A', '--json')).json.data.issue_id;
      const b = (await run('issue', 'create', '--title', 'B', '--json')).json.data.issue_id;
      const add = await run('issue', 'dep', 'add', a, '--target', b, '--type', 'blocks', '--json');
      expect(add.code, add.stdout).toBe(0);
      expect(add.json.data).toMatchObject({ issue_id: a, target: b, dep_type: 'blocks', action: 'added' });
      expect(Object.keys(add.json.data).sort()).toEqual(['action', 'dep_type', 'event_id', 'issue_id', 'target']);

      const out = await run('issue', 'dep', 'list', a, '--json');
      expect(out.json.data).toMatchObject({ issue_id: a, direction: 'out', deps: [{ issue_id: b, dep_type: 'blocks', title: 'B' }] });
      const inn = await run('issue', 'dep', 'list', b, '--reverse', '--json');
      expect(inn.json.data.deps[0]).toMatchObject({ issue_id: a, dep_type: 'blocks' });

      const head = walHead();
      const cycle = await run('issue', 'dep', 'add', b, '--target', a, '--type', 'blocks', '--json');
      expect(cycle.code).toBe(2);
      expect(cycle.json.error.code).toBe('invalid_args');
      expect(walHead()).toBe(head);

      const ready = await run('issue', 'ready', '--json');
      const readyIds = ready.json.data.issues.map((i: { issue_id: string }) => i.issue_id);
      expect(readyIds).toContain(a);
      expect(readyIds).not.toContain(b);

      const topo = await run('issue', 'dep', 'topo', '--json');
      expect(topo.json.data.order).toBe('topological');
      const order = topo.json.data.issues.map((i: { issue_id: string }) => i.issue_id);
      expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));

      const closed = await run('issue', 'close', a);
      expect(closed.code, closed.stdout + closed.stderr).toBe(0);
      const ready2 = await run('issue', 'ready', '--json');
      expect(ready2.json.data.issues.map((i: { issue_id: string }) => i.issue_id)).toContain(b);

      const rm = await run('issue', 'dep', 'remove', a, '--target', b, '--type', 'blocks', '--json');
      expect(rm.json.data.action).toBe('removed');
    });
  });

  describe('filters and paging', () => {
    it('filters by state, label, assignee and text, and pages with a cursor', async () => {
      const dir = tempRepo();
      const r = (...args: string[]): Promise<Result> => grite({ cwd: dir.dir, env: mode.env }, ...args);
      try {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          const c = await r('issue', 'create', '--title', `item ${i} ${i % 2 ? 'odd' : 'even'}`, '--label', i % 2 ? 'odd' : 'even', '--json');
          ids.push(c.json.data.issue_id);
        }
        expect((await r('issue', 'assignee', 'add', ids[3]!, '--user', 'bob')).code).toBe(0);
        expect((await r('issue', 'close', ids[0]!)).code).toBe(0);
        expect((await r('issue', 'comment', ids[5]!, '--body', 'needle in a comment')).code).toBe(0);
        expect((await r('issue', 'list', '--state', 'closed', '--json')).json.data.total).toBe(1);
        expect((await r('issue', 'list', '--state', 'open', '--json')).json.data.total).toBe(6);
        expect((await r('issue', 'list', '--label', 'odd', '--json')).json.data.total).toBe(3);
        expect((await r('issue', 'list', '--assignee', 'bob', '--json')).json.data.issues[0].issue_id).toBe(ids[3]);
        expect((await r('issue', 'list', '--search', 'needle', '--json')).json.data.issues.map((i: any) => i.issue_id)).toEqual([ids[5]]);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 10; page++) {
          const p = await r('issue', 'list', '--limit', '3', ...(cursor ? ['--cursor', cursor] : []), '--json');
          expect(p.json.data.total).toBe(7);
          seen.push(...p.json.data.issues.map((i: any) => i.issue_id));
          cursor = p.json.data.next_cursor;
          if (!cursor) break;
        }
        expect([...seen].sort()).toEqual([...ids].sort());
      } finally {
        await stopDaemon(dir.dir);
        dir.cleanup();
      }
    });
  });
});
}
