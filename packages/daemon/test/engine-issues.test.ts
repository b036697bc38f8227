// The issue commands through Engine.handleBytes in a real repository:
// create, list, show, update, comment, close, reopen, labels, assignees,
// links, attachments; retries; exact round trips of unusual text.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DbStatsResultT,
  DbStatsT,
  EditAction,
  EventKind,
  IssueAssignT,
  IssueAttachT,
  IssueCloseT,
  IssueCommentT,
  IssueCreatedT,
  IssueCreateT,
  IssueLabelT,
  IssueLinkT,
  IssueListResultT,
  IssueListT,
  IssueReopenT,
  IssueShowResultT,
  IssueShowT,
  IssueState,
  IssueUpdateT,
  IssueWriteResultT,
  StateChangedT,
} from '@grite/protocol';
import { Harness, hex } from './engine-helpers.js';

let h: Harness;

beforeEach(async () => {
  h = await Harness.create();
});

afterEach(async () => {
  await h.close();
});

async function show(issue: string): Promise<IssueShowResultT> {
  return h.ok<IssueShowResultT>(new IssueShowT(issue));
}

async function eventCount(): Promise<number> {
  return (await h.ok<DbStatsResultT>(new DbStatsT())).eventCount;
}

describe('issue create', () => {
  it('writes IssueCreated and one AssigneeAdded per assignee, and answers the ids and the WAL head', async () => {
    const issueId = Array.from(randomBytes(16));
    const r = await h.ok<IssueWriteResultT>(new IssueCreateT(issueId, h.ts(), 'First', 'the body', ['bug', 'area/ui'], ['alice', 'bob']));
    expect(r.issueId).toEqual(issueId);
    expect(r.eventId).toHaveLength(32);
    expect(r.walHead).toBe(h.walHead());
    expect(r.state).toBeNull();

    const s = await show(hex(issueId));
    const issue = s.issue!;
    expect(issue.title).toBe('First');
    expect(issue.body).toBe('the body');
    expect(issue.state).toBe(IssueState.open);
    expect(issue.labels).toEqual(['area/ui', 'bug']);
    expect(issue.assignees).toEqual(['alice', 'bob']);
    // One ts for all three: projection order then goes by event id, so compare as a multiset.
    expect(s.events.map((e) => e.kindType).sort()).toEqual([EventKind.IssueCreated, EventKind.AssigneeAdded, EventKind.AssigneeAdded].sort());
    // The answer's event id is the last event written.
    expect(s.events.map((e) => hex(e.eventId))).toContain(hex(r.eventId));
    for (const e of s.events) {
      expect(e.actor).toEqual(Array.from(h.actor));
      expect(e.parent).toEqual([]);
    }
  });

  it('a retried create (same request twice) writes its events once', async () => {
    const cmd = new IssueCreateT(Array.from(randomBytes(16)), h.ts(), 'Retry me', '', ['x'], ['carol']);
    const first = await h.ok<IssueWriteResultT>(cmd);
    const countAfterFirst = await eventCount();
    const headAfterFirst = h.walHead();
    const second = await h.ok<IssueWriteResultT>(cmd);
    expect(second.eventId).toEqual(first.eventId);
    expect(second.walHead).toBe(first.walHead);
    expect(await eventCount()).toBe(countAfterFirst);
    expect(countAfterFirst).toBe(2);
    expect(h.walHead()).toBe(headAfterFirst);
  });

  it('an issue_id that already exists with other content is a conflict, and nothing is written', async () => {
    const issueId = Array.from(randomBytes(16));
    await h.ok(new IssueCreateT(issueId, h.ts(), 'One', '', [], []));
    const head = h.walHead();
    const e = await h.err(new IssueCreateT(issueId, h.ts(), 'Other', '', [], []));
    expect(e.code).toBe('conflict');
    expect(h.walHead()).toBe(head);
  });
});

describe('issue list and show', () => {
  it('lists summaries with total, and show pages through the events', async () => {
    const a = await h.createIssue('Alpha', { labels: ['bug'] });
    for (let i = 0; i < 5; i++) await h.ok(new IssueCommentT(a, h.ts(), `comment ${i}`));
    const list = await h.ok<IssueListResultT>(new IssueListT());
    expect(list.total).toBe(1);
    expect(list.nextCursor).toBeNull();
    expect(hex(list.issues[0]!.issueId)).toBe(a);
    expect(list.issues[0]!.commentCount).toBe(5);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: IssueShowResultT = await h.ok<IssueShowResultT>(new IssueShowT(a, 2, cursor));
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events.map((e) => hex(e.eventId)));
      cursor = page.nextEventCursor as string | null;
      if (cursor === null) break;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    const all = await show(a);
    expect(all.events.map((e) => hex(e.eventId))).toEqual(seen);
    expect(all.issue!.comments.map((c) => c.body)).toEqual([0, 1, 2, 3, 4].map((i) => `comment ${i}`));
  });

  it('resolves any unique prefix of at least 4 hex characters, in either case', async () => {
    const a = await h.createIssue('Prefixed');
    expect(hex((await show(a.slice(0, 4))).issue!.issueId)).toBe(a);
    expect(hex((await show(a.toUpperCase())).issue!.issueId)).toBe(a);
  });
});

describe('issue writes', () => {
  it('update changes only the fields given', async () => {
    const a = await h.createIssue('Old title', { body: 'old body' });
    await h.ok(new IssueUpdateT(a, h.ts(), 'New title', null));
    expect((await show(a)).issue!.title).toBe('New title');
    expect((await show(a)).issue!.body).toBe('old body');
    await h.ok(new IssueUpdateT(a, h.ts(), null, ''));
    const s = await show(a);
    expect(s.issue!.title).toBe('New title');
    expect(s.issue!.body).toBe('');
  });

  it('close and reopen answer the state; closing a closed issue writes nothing', async () => {
    const a = await h.createIssue('Stateful');
    const closed = await h.ok<IssueWriteResultT>(new IssueCloseT(a, h.ts()));
    expect(closed.state).toBe(IssueState.closed);
    expect((await show(a)).issue!.state).toBe(IssueState.closed);

    const head = h.walHead();
    const count = await eventCount();
    const again = await h.ok<IssueWriteResultT>(new IssueCloseT(a, h.ts()));
    expect(again.state).toBe(IssueState.closed);
    expect(again.eventId).toEqual(closed.eventId);
    expect(again.walHead).toBe(head);
    expect(h.walHead()).toBe(head);
    expect(await eventCount()).toBe(count);

    const reopened = await h.ok<IssueWriteResultT>(new IssueReopenT(a, h.ts()));
    expect(reopened.state).toBe(IssueState.open);
    const s = await show(a);
    expect(s.issue!.state).toBe(IssueState.open);
    const last = s.events[s.events.length - 1]!;
    expect(last.kindType).toBe(EventKind.StateChanged);
    expect((last.kind as StateChangedT).state).toBe(IssueState.open);
  });

  it('reopening an issue that was never closed answers its IssueCreated and writes nothing', async () => {
    const a = await h.createIssue('Never closed');
    const created = (await show(a)).events.find((e) => e.kindType === EventKind.IssueCreated)!;
    const head = h.walHead();
    const r = await h.ok<IssueWriteResultT>(new IssueReopenT(a, h.ts()));
    expect(r.eventId).toEqual(created.eventId);
    expect(r.state).toBe(IssueState.open);
    expect(h.walHead()).toBe(head);
  });

  it('labels and assignees are added and removed one event per item, in order', async () => {
    const a = await h.createIssue('Tagged');
    const added = await h.ok<IssueWriteResultT>(new IssueLabelT(a, h.ts(), ['b', 'a', 'c'], EditAction.add));
    let s = await show(a);
    expect(s.issue!.labels).toEqual(['a', 'b', 'c']);
    expect(hex(s.events[s.events.length - 1]!.eventId)).not.toBe('');
    expect(s.events.filter((e) => e.kindType === EventKind.LabelAdded)).toHaveLength(3);
    expect(added.eventId).toHaveLength(32);
    await h.ok(new IssueLabelT(a, h.ts(), ['b'], EditAction.remove));
    await h.ok(new IssueAssignT(a, h.ts(), ['zed', 'amy'], EditAction.add));
    await h.ok(new IssueAssignT(a, h.ts(), ['zed'], EditAction.remove));
    s = await show(a);
    expect(s.issue!.labels).toEqual(['a', 'c']);
    expect(s.issue!.assignees).toEqual(['amy']);
  });

  it('links and attachments are recorded with their metadata', async () => {
    const a = await h.createIssue('With links');
    await h.ok(new IssueLinkT(a, h.ts(), 'https://example.com/x', 'see this'));
    await h.ok(new IssueLinkT(a, h.ts(), 'https://example.com/y', null));
    const sha = Array.from(randomBytes(32));
    await h.ok(new IssueAttachT(a, h.ts(), 'log.txt', sha, 'text/plain'));
    await h.ok(new IssueAttachT(a, h.ts(), 'blob.bin', sha, null));
    const s = (await show(a)).issue!;
    expect(s.links.map((l) => [l.url, l.note])).toEqual([
      ['https://example.com/x', 'see this'],
      ['https://example.com/y', null],
    ]);
    expect(s.attachments.map((x) => [x.name, hex(x.sha256), x.mime])).toEqual([
      ['log.txt', hex(sha), 'text/plain'],
      ['blob.bin', hex(sha), 'application/octet-stream'],
    ]);
    expect(s.links[0]!.actor).toEqual(Array.from(h.actor));
  });

  it('every write emits EventApplied for each event it added', async () => {
    const seen: string[] = [];
    h.engine.events.on('notification', (n: { kind: string; eventId?: Uint8Array }) => {
      if (n.kind === 'EventApplied') seen.push(hex(n.eventId!));
    });
    const a = await h.createIssue('Noisy', { assignees: ['x', 'y'] });
    await h.ok(new IssueLabelT(a, h.ts(), ['l1', 'l2'], EditAction.add));
    const s = await show(a);
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(s.events.map((e) => hex(e.eventId))));
  });
});

describe('unusual text round-trips exactly', () => {
  const samples = [
    'emoji 🐛🔥 and a ZWJ family 👨‍👩‍👧',
    'quotes "double" \'single\' `back`',
    'new\nlines\r\nand\ttabs',
    '--leading-dashes',
    '-n',
    'nul-free but control \u0001 char',
    'accents: café, naïve, Ångström; CJK: 漢字',
    '  surrounding spaces  ',
  ];

  it('in titles, bodies, labels, assignees and comments', async () => {
    for (const text of samples) {
      const a = await h.createIssue(text, { body: text, labels: [text], assignees: [text] });
      await h.ok(new IssueCommentT(a, h.ts(), text));
      const s = await show(a);
      expect(s.issue!.title).toBe(text);
      expect(s.issue!.body).toBe(text);
      expect(s.issue!.labels).toEqual([text]);
      expect(s.issue!.assignees).toEqual([text]);
      expect(s.issue!.comments[0]!.body).toBe(text);
      const created = s.events.find((e) => e.kindType === EventKind.IssueCreated)!.kind as IssueCreatedT;
      expect(created.title).toBe(text);
    }
    const list = await h.ok<IssueListResultT>(new IssueListT());
    expect(new Set(list.issues.map((i) => i.title))).toEqual(new Set(samples));
  });
});
