/**
 * View queries (DESIGN.md section 4): filters, full-text search safe against
 * FTS syntax, cursor paging, issue reference resolution, dependencies,
 * schema-version resets and SQLITE_BUSY -> db_busy.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GriteError } from '../src/errors.js';
import type { Event, EventKind } from '../src/event.js';
import { View, VIEW_SCHEMA_VERSION, type IssueQuery, type IssueSort } from '../src/view/index.js';

const dir = mkdtempSync(join(tmpdir(), 'grite-view-query-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const viewPath = () => join(dir, `v${++files}.sqlite`);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const idOf = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const ALICE = idOf('a1'.repeat(16));
let seq = 0;
function ev(issueId: Uint8Array, ts: number, kind: EventKind, actor = ALICE): Event {
  const eventId = new Uint8Array(32);
  new DataView(eventId.buffer).setUint32(28, ++seq);
  return { eventId, issueId, actor, ts, parent: null, kind, sig: null };
}
const create = (id: Uint8Array, ts: number, title: string, body = '', labels: string[] = []) =>
  ev(id, ts, { type: 'IssueCreated', title, body, labels });

function expectGriteError(fn: () => unknown, code: string): GriteError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GriteError);
    expect((e as GriteError).code).toBe(code);
    return e as GriteError;
  }
  throw new Error(`expected GriteError ${code}`);
}

describe('filters and full-text search', () => {
  const I1 = idOf('11'.repeat(16));
  const I2 = idOf('22'.repeat(16));
  const I3 = idOf('33'.repeat(16));
  const I4 = idOf('44'.repeat(16));
  let v: View;
  beforeAll(() => {
    v = View.open(viewPath());
    v.apply([
      create(I1, 100, 'Crash on "save" button', 'Stack trace: x*y -> null', ['bug', 'p0']),
      create(I2, 200, 'Launch 🚀 rocket', 'émigré naïve café', ['feature']),
      create(I3, 300, 'NOT a bug (really)', 'title:foo AND bar OR baz NEAR(qux)', ['bug']),
      create(I4, 400, 'Docs', 'nothing here', ['docs', 'p0']),
      ev(I1, 500, { type: 'AssigneeAdded', user: 'alice' }),
      ev(I2, 510, { type: 'AssigneeAdded', user: 'alice' }),
      ev(I2, 520, { type: 'AssigneeAdded', user: 'bob' }),
      ev(I3, 530, { type: 'StateChanged', state: 'closed' }),
      ev(I4, 540, { type: 'CommentAdded', body: 'see upstream-ticket 42 🐛' }),
      ev(I4, 550, { type: 'LabelRemoved', label: 'docs' }),
    ]);
  });
  afterAll(() => v.close());

  const ids = (q: IssueQuery) => v.listIssues({ sort: 'id', ...q }).issues.map((i) => hex(i.issueId));

  it('filters by state, by every label given, by assignee, and combined', () => {
    expect(ids({})).toEqual([I1, I2, I3, I4].map(hex));
    expect(ids({ state: 'open' })).toEqual([I1, I2, I4].map(hex));
    expect(ids({ state: 'closed' })).toEqual([hex(I3)]);
    expect(ids({ labels: ['bug'] })).toEqual([I1, I3].map(hex));
    expect(ids({ labels: ['bug', 'p0'] })).toEqual([hex(I1)]);
    expect(ids({ labels: ['p0', 'p0'] })).toEqual([I1, I4].map(hex));
    expect(ids({ labels: ['docs'] })).toEqual([]);
    expect(ids({ assignee: 'alice' })).toEqual([I1, I2].map(hex));
    expect(ids({ assignee: 'alice', labels: ['feature'], state: 'open' })).toEqual([hex(I2)]);
    expect(v.listIssues({ labels: ['bug'] }).total).toBe(2);
  });

  it('summaries carry labels, assignees, times and comment count', () => {
    const [s] = v.listIssues({ assignee: 'bob' }).issues;
    expect(s).toEqual({
      issueId: I2,
      title: 'Launch 🚀 rocket',
      state: 'open',
      labels: ['feature'],
      assignees: ['alice', 'bob'],
      updatedTs: 520,
      createdTs: 200,
      commentCount: 0,
    });
  });

  it('matches words and word prefixes in title, body and comments, case and accents folded', () => {
    expect(ids({ text: 'crash' })).toEqual([hex(I1)]);
    expect(ids({ text: 'CRA' })).toEqual([hex(I1)]);
    expect(ids({ text: 'cafe emigre' })).toEqual([hex(I2)]);
    expect(ids({ text: 'upstream' })).toEqual([hex(I4)]);
    expect(ids({ text: 'bug' })).toEqual([hex(I3)]);
    expect(ids({ text: 'bug', state: 'open' })).toEqual([]);
  });

  it('treats FTS syntax in user text as plain text', () => {
    expect(ids({ text: '"save"' })).toEqual([hex(I1)]);
    expect(ids({ text: '"save' })).toEqual([hex(I1)]);
    expect(ids({ text: 'x*y' })).toEqual([hex(I1)]);
    expect(ids({ text: '*' })).toEqual([]);
    expect(ids({ text: 'upstream-ticket' })).toEqual([hex(I4)]);
    expect(ids({ text: '-trace' })).toEqual([hex(I1)]);
    expect(ids({ text: '- -- ->' })).toEqual([]);
    // A word prefix: "NOT" also matches "nothing".
    expect(ids({ text: 'NOT' })).toEqual([I3, I4].map(hex));
    expect(ids({ text: 'AND OR' })).toEqual([hex(I3)]);
    expect(ids({ text: 'title:foo' })).toEqual([hex(I3)]);
    expect(ids({ text: 'NEAR(qux)' })).toEqual([hex(I3)]);
    expect(ids({ text: '(really' })).toEqual([hex(I3)]);
    expect(ids({ text: '^bar' })).toEqual([hex(I3)]);
    expect(ids({ text: 'crash NOT' })).toEqual([]);
  });

  it('finds emoji', () => {
    expect(ids({ text: '🚀' })).toEqual([hex(I2)]);
    expect(ids({ text: '🐛' })).toEqual([hex(I4)]);
    expect(ids({ text: '🦀' })).toEqual([]);
  });

  it('blank text is no filter', () => {
    expect(ids({ text: '   ' })).toEqual(ids({}));
    expect(v.listIssues({ text: '' }).total).toBe(4);
  });

  it('validates its arguments', () => {
    expectGriteError(() => v.listIssues({ state: 'done' as never }), 'invalid_args');
    expectGriteError(() => v.listIssues({ sort: 'size' as never }), 'invalid_args');
    expectGriteError(() => v.listIssues({ order: 'up' as never }), 'invalid_args');
    expectGriteError(() => v.listIssues({ limit: -1 }), 'invalid_args');
    expectGriteError(() => v.listIssues({ limit: 1.5 }), 'invalid_args');
  });
});

describe('sorting and cursor paging', () => {
  let v: View;
  const all: Uint8Array[] = [];
  beforeAll(() => {
    v = View.open(viewPath());
    const events: Event[] = [];
    for (let i = 0; i < 57; i++) {
      const id = new Uint8Array(16);
      id[0] = (i * 37) % 256;
      id[15] = i;
      all.push(id);
      // Few distinct timestamps and titles: ties must be broken by id.
      events.push(create(id, 1000 + (i % 5), `title ${i % 7}`, '', i % 2 === 0 ? ['even'] : []));
      if (i % 3 === 0) events.push(ev(id, 2000 + (i % 4), { type: 'CommentAdded', body: 'bump' }));
    }
    v.apply(events);
  });
  afterAll(() => v.close());

  const sorts: IssueSort[] = ['updated', 'created', 'id', 'title'];
  it.each(sorts.flatMap((s) => [[s, 'asc'], [s, 'desc']] as const))('sort %s %s: pages cover every row once, in order', (sort, order) => {
    const full = v.listIssues({ sort, order });
    expect(full.issues.length).toBe(57);
    expect(full.nextCursor).toBeNull();
    for (const limit of [1, 4, 10, 56, 57, 100]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 100; page++) {
        const r = v.listIssues({ sort, order, limit, cursor });
        expect(r.total).toBe(57);
        expect(r.issues.length).toBeLessThanOrEqual(limit);
        seen.push(...r.issues.map((i) => hex(i.issueId)));
        cursor = r.nextCursor;
        if (cursor === null) break;
      }
      expect(seen).toEqual(full.issues.map((i) => hex(i.issueId)));
    }
  });

  it('orders by the sort key then by id, in the order asked', () => {
    const key = (s: { updatedTs: number; issueId: Uint8Array }) => [s.updatedTs, hex(s.issueId)] as const;
    const desc = v.listIssues({}).issues.map(key);
    const sorted = [...desc].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1));
    expect(desc).toEqual(sorted);
    const byTitle = v.listIssues({ sort: 'title' }).issues.map((s) => [s.title, hex(s.issueId)].join('|'));
    expect(byTitle).toEqual([...byTitle].sort());
  });

  it('pages filtered queries too, whichever plan the page takes', () => {
    // Few matches (fetch and sort) and many matches (scan in order, check each row).
    for (const q of [{ labels: ['even'] }, { text: 'title' }, { text: 'bump' }, { labels: ['even'], text: 'bump' }, { state: 'open' as const, labels: ['even'] }]) {
      for (const sort of ['updated', 'created', 'id'] as const) {
        const full = v.listIssues({ ...q, sort }).issues.map((i) => hex(i.issueId));
        for (const limit of [1, 3, 7, 100]) {
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const r = v.listIssues({ ...q, sort, limit, cursor });
            expect(r.total).toBe(full.length);
            seen.push(...r.issues.map((i) => hex(i.issueId)));
            cursor = r.nextCursor;
          } while (cursor !== null);
          expect(seen, JSON.stringify({ q, sort, limit })).toEqual(full);
        }
      }
    }
    expect(v.listIssues({ labels: ['even'] }).total).toBe(29);
  });

  it('rejects a damaged cursor or one from another sort', () => {
    const { nextCursor } = v.listIssues({ limit: 5 });
    expect(nextCursor).not.toBeNull();
    expectGriteError(() => v.listIssues({ limit: 5, sort: 'title', cursor: nextCursor }), 'invalid_args');
    expectGriteError(() => v.listIssues({ limit: 5, order: 'asc', cursor: nextCursor }), 'invalid_args');
    expectGriteError(() => v.listIssues({ limit: 5, cursor: 'not-a-cursor' }), 'invalid_args');
    expectGriteError(() => v.listIssues({ limit: 5, cursor: Buffer.from('[1,2]').toString('base64url') }), 'invalid_args');
  });
});

describe('issue references', () => {
  let v: View;
  const A = idOf('abcd0000000000000000000000000001');
  const B = idOf('abcd0000000000000000000000000002');
  const C = idOf('abce0000000000000000000000000000');
  beforeAll(() => {
    v = View.open(viewPath());
    v.apply([create(A, 1, 'a'), create(B, 1, 'b'), create(C, 1, 'c')]);
    // Events without an IssueCreated do not make an issue to resolve.
    v.apply([ev(idOf('ffff0000000000000000000000000000'), 1, { type: 'CommentAdded', body: 'x' })]);
  });
  afterAll(() => v.close());

  it('resolves a unique prefix of at least 4 hex characters, any case, and full ids', () => {
    expect(hex(v.resolveIssueRef('abce'))).toBe(hex(C));
    expect(hex(v.resolveIssueRef('ABCE0'))).toBe(hex(C));
    expect(hex(v.resolveIssueRef(' abcd0000000000000000000000000002 '))).toBe(hex(B));
    expect(hex(v.resolveIssueRef('ABCD0000000000000000000000000001'))).toBe(hex(A));
  });

  it('an ambiguous prefix is invalid_args listing the candidates', () => {
    const e = expectGriteError(() => v.resolveIssueRef('abcd'), 'invalid_args');
    expect(e.details.candidates).toEqual([hex(A), hex(B)]);
    expect(e.hint).toBeTruthy();
    expect(expectGriteError(() => v.resolveIssueRef('abc'), 'invalid_args').details.candidates).toBeUndefined();
  });

  it('unknown is not_found; bad hex, too short or too long is invalid_args', () => {
    expectGriteError(() => v.resolveIssueRef('abcf'), 'not_found');
    expectGriteError(() => v.resolveIssueRef('ffff'), 'not_found');
    expectGriteError(() => v.resolveIssueRef('abc'), 'invalid_args');
    expectGriteError(() => v.resolveIssueRef('abcz'), 'invalid_args');
    expectGriteError(() => v.resolveIssueRef(''), 'invalid_args');
    expectGriteError(() => v.resolveIssueRef('a'.repeat(33)), 'invalid_args');
  });
});

describe('dependencies in the view', () => {
  const X = idOf('0a'.repeat(16));
  const Y = idOf('0b'.repeat(16));
  const Z = idOf('0c'.repeat(16));
  const GHOST = idOf('0f'.repeat(16));
  let v: View;
  beforeAll(() => {
    v = View.open(viewPath());
    v.apply([
      create(X, 1, 'x'),
      create(Y, 1, 'y'),
      create(Z, 1, 'z'),
      ev(X, 2, { type: 'DependencyAdded', target: Y, depType: 'blocks' }), // Y waits X
      ev(Z, 2, { type: 'DependencyAdded', target: Y, depType: 'related_to' }),
      ev(Z, 3, { type: 'DependencyAdded', target: GHOST, depType: 'depends_on' }), // ghost: no wait
    ]);
  });
  afterAll(() => v.close());

  it('lists edges out and in with the other issue title and state', () => {
    expect(v.listDeps(Y, 'in')).toEqual([
      { issueId: X, depType: 'blocks', title: 'x', state: 'open' },
      { issueId: Z, depType: 'related_to', title: 'z', state: 'open' },
    ]);
    expect(v.listDeps(Z, 'out')).toEqual([
      { issueId: Y, depType: 'related_to', title: 'y', state: 'open' },
      { issueId: GHOST, depType: 'depends_on', title: null, state: null },
    ]);
    expect(v.getIssue(Z)!.dependencies.map((d) => [hex(d.target), d.depType, d.title])).toEqual([
      [hex(Y), 'related_to', 'y'],
      [hex(GHOST), 'depends_on', null],
    ]);
    expectGriteError(() => v.listDeps(Y, 'both' as never), 'invalid_args');
  });

  it('ready follows the waiting graph and state changes', () => {
    expect(v.ready().map((s) => hex(s.issueId))).toEqual([X, Z].map(hex));
    expect(v.countReady()).toBe(2);
    v.apply([ev(X, 10, { type: 'StateChanged', state: 'closed' })]);
    // Dependency order: Z (waits for nothing) before Y (waits for X).
    expect(v.ready().map((s) => hex(s.issueId))).toEqual([Z, Y].map(hex));
    expect(v.ready(1).map((s) => hex(s.issueId))).toEqual([hex(Z)]);
    v.apply([ev(X, 11, { type: 'StateChanged', state: 'open' })]);
  });

  it('refuses cycles, reports cycles that arrive anyway, puts them last', () => {
    expect(v.wouldCreateCycle(Y, X, 'blocks')).toBe(true);
    expect(v.wouldCreateCycle(X, Y, 'depends_on')).toBe(true);
    expect(v.wouldCreateCycle(Y, X, 'related_to')).toBe(false);
    expect(v.wouldCreateCycle(Z, Z, 'blocks')).toBe(true);
    expect(v.wouldCreateCycle(Z, X, 'depends_on')).toBe(false);
    expect(v.cycles()).toEqual([]);
    // A synced replica added the other half of a cycle.
    v.apply([ev(Y, 20, { type: 'DependencyAdded', target: X, depType: 'blocks' })]);
    expect(v.cycles().map((c) => c.map(hex))).toEqual([[hex(X), hex(Y)]]);
    expect(v.ready().map((s) => hex(s.issueId))).toEqual([hex(Z)]);
    expect(v.topoOrder().map((s) => hex(s.issueId))).toEqual([Z, X, Y].map(hex));
    expect(v.topoOrder({ state: 'open', labels: [] }).length).toBe(3);
    v.apply([ev(Y, 21, { type: 'DependencyRemoved', target: X, depType: 'blocks' })]);
    expect(v.cycles()).toEqual([]);
    expect(v.topoOrder().map((s) => hex(s.issueId))).toEqual([X, Z, Y].map(hex));
  });

  it('an issue that arrives after edges naming it starts to wait', () => {
    const W = idOf('0d'.repeat(16));
    v.apply([ev(X, 30, { type: 'DependencyAdded', target: W, depType: 'blocks' })]);
    expect(v.topoOrder().map((s) => hex(s.issueId))).toEqual([X, Z, Y].map(hex));
    v.apply([create(W, 31, 'w')]);
    expect(v.topoOrder().map((s) => hex(s.issueId))).toEqual([X, Z, Y, W].map(hex));
    expect(v.ready().map((s) => hex(s.issueId))).toEqual([X, Z].map(hex));
  });
});

describe('ready in pages', () => {
  it('pages cover the ready list once, in dependency order, filters included', () => {
    const v = View.open(viewPath());
    const ids = Array.from({ length: 40 }, (_, i) => {
      const id = new Uint8Array(16);
      id[0] = (i * 53) % 256;
      id[1] = i;
      return id;
    });
    const events: Event[] = [];
    ids.forEach((id, i) => {
      events.push(create(id, 1, `r${i}`, '', i % 3 === 0 ? ['tri'] : []));
      if (i % 4 === 0 && i > 0) events.push(ev(id, 2, { type: 'DependencyAdded', target: ids[i - 1]!, depType: 'depends_on' }));
      if (i % 5 === 0) events.push(ev(id, 3, { type: 'StateChanged', state: 'closed' }));
      if (i % 7 === 0 && i > 1) events.push(ev(ids[i - 2]!, 4, { type: 'DependencyAdded', target: id, depType: 'blocks' }));
    });
    v.apply(events);
    for (const filter of [{}, { labels: ['tri'] }]) {
      const all = v.ready(0, filter).map((s) => hex(s.issueId));
      expect(all.length).toBeGreaterThan(5);
      expect(v.countReady(filter)).toBe(all.length);
      for (const limit of [1, 4, 9, 100]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const r = v.listReady({ ...filter, limit, cursor });
          expect(r.total).toBe(all.length);
          seen.push(...r.issues.map((s) => hex(s.issueId)));
          cursor = r.nextCursor;
        } while (cursor !== null);
        expect(seen).toEqual(all);
      }
    }
    expectGriteError(() => v.listReady({ limit: 2, cursor: v.listIssues({ limit: 1 }).nextCursor }), 'invalid_args');
    v.close();
  });
});

describe('the view file', () => {
  const I = idOf('77'.repeat(16));

  it('records the WAL head and applied commits', () => {
    const v = View.open(viewPath());
    expect(v.walHead()).toBeNull();
    v.apply([create(I, 1, 'x')], { commits: ['c1', 'c2'], walHead: 'c2' });
    expect(v.walHead()).toBe('c2');
    expect(v.hasCommit('c1')).toBe(true);
    expect(v.hasCommit('c3')).toBe(false);
    v.setWalHead('c3', ['c3']);
    const s = v.stats();
    expect(s).toMatchObject({ eventCount: 1, issueCount: 1, walHead: 'c3', appliedCommits: 3, schemaVersion: VIEW_SCHEMA_VERSION });
    expect(s.sizeBytes).toBeGreaterThan(0);
    v.close();
  });

  it('a different schema version empties the view on open', () => {
    const path = viewPath();
    const v = View.open(path);
    v.apply([create(I, 1, 'x')], { commits: ['c1'], walHead: 'c1' });
    expect(v.wasReset).toBe(false);
    v.close();
    const raw = new Database(path);
    raw.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(VIEW_SCHEMA_VERSION + 1));
    raw.close();
    const again = View.open(path);
    expect(again.wasReset).toBe(true);
    expect(again.stats()).toMatchObject({ eventCount: 0, issueCount: 0, walHead: null, appliedCommits: 0 });
    expect(again.hasEvent(new Uint8Array(32))).toBe(false);
    again.close();
    // Same version again: kept.
    const third = View.open(path);
    expect(third.wasReset).toBe(false);
    third.close();
  });

  it('a damaged file is replaced by an empty view', () => {
    const path = viewPath();
    writeFileSync(path, Buffer.alloc(8192, 7));
    const v = View.open(path);
    expect(v.wasReset).toBe(true);
    expect(v.stats().eventCount).toBe(0);
    v.close();
  });

  it('replaceAll swaps the content in one transaction', () => {
    const v = View.open(viewPath());
    v.apply([create(I, 1, 'old')], { commits: ['a'], walHead: 'a' });
    const J = idOf('78'.repeat(16));
    v.replaceAll([create(J, 1, 'new')], { commits: ['b'], walHead: 'b' });
    expect(v.listIssues().issues.map((i) => i.title)).toEqual(['new']);
    expect(v.hasCommit('a')).toBe(false);
    expect(v.walHead()).toBe('b');
    v.close();
  });

  it('a writer held off past busy_timeout gets db_busy', () => {
    const path = viewPath();
    const v = View.open(path, { busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const e = expectGriteError(() => v.apply([create(I, 1, 'x')]), 'db_busy');
      expect(e.hint).toBeTruthy();
      // Readers are not blocked by the writer (WAL mode).
      expect(v.listIssues().total).toBe(0);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    v.apply([create(I, 1, 'x')]);
    expect(v.listIssues().total).toBe(1);
    v.close();
  });

  it('a closed view refuses queries', () => {
    const v = View.open(viewPath());
    v.close();
    expectGriteError(() => v.listIssues(), 'internal_error');
  });
});
