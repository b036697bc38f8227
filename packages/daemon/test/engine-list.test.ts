// issue list: filters (state, all labels, assignee, text), sorts, and pages
// that cover every issue exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssueCloseT, IssueCommentT, IssueListResultT, IssueListT, IssueSort, StateFilter } from '@grite/protocol';
import { Harness, hex } from './engine-helpers.js';

// One repository for the whole file: the tests only read after setup.
let h: Harness;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await Harness.create();
  ids.login = await h.createIssue('Login page crashes', { labels: ['bug', 'ui'], assignees: ['alice'] });
  ids.export = await h.createIssue('Export to CSV', { labels: ['feature'], assignees: ['bob'] });
  ids.theme = await h.createIssue('Dark theme', { labels: ['ui', 'feature'], body: 'users want a darker palette' });
  ids.crash = await h.createIssue('Crash on startup', { labels: ['bug'], assignees: ['alice', 'bob'] });
  await h.ok(new IssueCommentT(ids.export, h.ts(), 'needs a streaming writer'));
  await h.ok(new IssueCloseT(ids.crash, h.ts()));
});

afterAll(async () => {
  await h.close();
});

function list(q: Partial<IssueListT> = {}): Promise<IssueListResultT> {
  return h.ok<IssueListResultT>(Object.assign(new IssueListT(), q));
}

function idsOf(r: IssueListResultT): string[] {
  return r.issues.map((i) => hex(i.issueId));
}

describe('filters', () => {
  it('state', async () => {
    expect(new Set(idsOf(await list({ state: StateFilter.closed })))).toEqual(new Set([ids.crash]));
    expect((await list({ state: StateFilter.open })).total).toBe(3);
    expect((await list({ state: StateFilter.any })).total).toBe(4);
  });

  it('labels: every one given must be present', async () => {
    expect(new Set(idsOf(await list({ labels: ['bug'] })))).toEqual(new Set([ids.login, ids.crash]));
    expect(new Set(idsOf(await list({ labels: ['ui', 'feature'] })))).toEqual(new Set([ids.theme]));
    expect((await list({ labels: ['nope'] })).total).toBe(0);
  });

  it('assignee', async () => {
    expect(new Set(idsOf(await list({ assignee: 'bob' })))).toEqual(new Set([ids.export, ids.crash]));
  });

  it('full text over title, body and comments', async () => {
    expect(idsOf(await list({ text: 'crash' })).sort()).toEqual([ids.login, ids.crash].sort());
    expect(idsOf(await list({ text: 'palette' }))).toEqual([ids.theme]);
    expect(idsOf(await list({ text: 'streaming' }))).toEqual([ids.export]);
  });

  it('combined, with total counting all matches', async () => {
    const r = await list({ labels: ['bug'], assignee: 'alice', state: StateFilter.open });
    expect(idsOf(r)).toEqual([ids.login]);
    expect(r.total).toBe(1);
  });
});

describe('sorts and pages', () => {
  it('sorts by id by default, and by created and updated time both ways', async () => {
    const all = Object.values(ids);
    expect(idsOf(await list())).toEqual([...all].sort());
    const created = [ids.login, ids.export, ids.theme, ids.crash];
    expect(idsOf(await list({ sort: IssueSort.created_asc }))).toEqual(created);
    expect(idsOf(await list({ sort: IssueSort.created_desc }))).toEqual([...created].reverse());
    // export was commented and crash closed after every create.
    const updated = idsOf(await list({ sort: IssueSort.updated_desc }));
    expect(updated.slice(0, 2)).toEqual([ids.crash, ids.export]);
    expect(idsOf(await list({ sort: IssueSort.updated_asc }))).toEqual([...updated].reverse());
  });

  for (const sort of [IssueSort.id, IssueSort.updated_desc, IssueSort.created_asc]) {
    it(`pages of one and of three cover every issue once (sort ${IssueSort[sort]})`, async () => {
      for (const limit of [1, 3]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 10; pages++) {
          const page: IssueListResultT = await list({ sort, limit, cursor });
          expect(page.total).toBe(4);
          expect(page.issues.length).toBeLessThanOrEqual(limit);
          seen.push(...idsOf(page));
          cursor = page.nextCursor as string | null;
          if (cursor === null) break;
        }
        expect(seen).toEqual(idsOf(await list({ sort })));
      }
    });
  }

  it('a bad cursor is invalid_args', async () => {
    const e = await h.err(Object.assign(new IssueListT(), { cursor: 'not-a-cursor' }));
    expect(e.code).toBe('invalid_args');
  });
});
