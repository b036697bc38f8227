// Dependencies through Engine.handleBytes: add, remove, list (out and in),
// topological order, ready, and the refusals (self, cycle, missing edge).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DepDirection,
  DepListResultT,
  DepTopoResultT,
  DepType,
  DepWriteResultT,
  EditAction,
  IssueCloseT,
  IssueDepAddT,
  IssueDepListT,
  IssueDepRemoveT,
  IssueDepTopoT,
  IssueListResultT,
  IssueReadyT,
  IssueState,
  StateFilter,
} from '@grite/protocol';
import { Harness, hex } from './engine-helpers.js';

let h: Harness;

beforeEach(async () => {
  h = await Harness.create();
});

afterEach(async () => {
  await h.close();
});

async function depList(issue: string, direction: DepDirection): Promise<DepListResultT> {
  return h.ok<DepListResultT>(new IssueDepListT(issue, direction));
}

describe('dependency edges', () => {
  it('add answers the edge and shows up out and in; remove takes it away', async () => {
    const a = await h.createIssue('A');
    const b = await h.createIssue('B');
    const added = await h.ok<DepWriteResultT>(new IssueDepAddT(a, b, DepType.depends_on, h.ts()));
    expect(hex(added.issueId)).toBe(a);
    expect(hex(added.target)).toBe(b);
    expect(added.depType).toBe(DepType.depends_on);
    expect(added.action).toBe(EditAction.add);
    expect(added.walHead).toBe(h.walHead());
    expect(added.eventId).toHaveLength(32);

    const out = await depList(a, DepDirection.out);
    expect(out.direction).toBe(DepDirection.out);
    expect(out.deps.map((d) => [hex(d.issueId), d.depType, d.title, d.state])).toEqual([[b, DepType.depends_on, 'B', IssueState.open]]);
    const inn = await depList(b, DepDirection.in_);
    expect(inn.deps.map((d) => [hex(d.issueId), d.depType, d.title])).toEqual([[a, DepType.depends_on, 'A']]);

    const removed = await h.ok<DepWriteResultT>(new IssueDepRemoveT(a, b, DepType.depends_on, h.ts()));
    expect(removed.action).toBe(EditAction.remove);
    expect((await depList(a, DepDirection.out)).deps).toEqual([]);
    expect((await depList(b, DepDirection.in_)).deps).toEqual([]);
  });

  it('refuses a self-dependency and writes nothing', async () => {
    const a = await h.createIssue('Self');
    const head = h.walHead();
    const e = await h.err(new IssueDepAddT(a, a.slice(0, 6), DepType.blocks, h.ts()));
    expect(e.code).toBe('invalid_args');
    expect(h.walHead()).toBe(head);
  });

  it('refuses an edge that closes a cycle of waiting, naming the cycle, and writes nothing', async () => {
    const a = await h.createIssue('A');
    const b = await h.createIssue('B');
    const c = await h.createIssue('C');
    await h.ok(new IssueDepAddT(a, b, DepType.depends_on, h.ts())); // a waits for b
    await h.ok(new IssueDepAddT(c, b, DepType.blocks, h.ts())); // b waits for c
    const head = h.walHead();
    // c depends_on a: c waits for a, closing c -> a -> b -> c.
    const e = await h.err(new IssueDepAddT(c, a, DepType.depends_on, h.ts()));
    expect(e.code).toBe('invalid_args');
    expect(e.message).toContain('cycle');
    expect(e.details.cycle).toEqual([c, a, b, c]);
    for (const id of [a, b, c]) expect(e.message).toContain(id.slice(0, 8));
    expect(h.walHead()).toBe(head);
    // The same pair as related_to makes no one wait: accepted.
    await h.ok(new IssueDepAddT(c, a, DepType.related_to, h.ts()));
  });

  it('removing an edge that is not there is not_found; a retried removal answers as the first', async () => {
    const a = await h.createIssue('A');
    const b = await h.createIssue('B');
    const head = h.walHead();
    expect((await h.err(new IssueDepRemoveT(a, b, DepType.blocks, h.ts()))).code).toBe('not_found');
    expect(h.walHead()).toBe(head);
    await h.ok(new IssueDepAddT(a, b, DepType.blocks, h.ts()));
    const remove = new IssueDepRemoveT(a, b, DepType.blocks, h.ts());
    const first = await h.ok<DepWriteResultT>(remove);
    const second = await h.ok<DepWriteResultT>(remove);
    expect(second.eventId).toEqual(first.eventId);
    expect(second.walHead).toBe(first.walHead);
  });

  it('an unknown target is not_found', async () => {
    const a = await h.createIssue('A');
    const e = await h.err(new IssueDepAddT(a, 'ffffffffffffffffffffffffffffffff', DepType.blocks, h.ts()));
    expect(e.code).toBe('not_found');
  });
});

describe('topological order and ready', () => {
  it('orders waitees first and answers ready issues only', async () => {
    const a = await h.createIssue('A');
    const b = await h.createIssue('B');
    const c = await h.createIssue('C');
    await h.ok(new IssueDepAddT(a, b, DepType.depends_on, h.ts())); // a waits for b
    await h.ok(new IssueDepAddT(b, c, DepType.depends_on, h.ts())); // b waits for c

    const topo = await h.ok<DepTopoResultT>(new IssueDepTopoT());
    expect(topo.order).toBe('topological');
    expect(topo.issues.map((i) => hex(i.issueId))).toEqual([c, b, a]);

    let ready = await h.ok<IssueListResultT>(new IssueReadyT());
    expect(ready.issues.map((i) => hex(i.issueId))).toEqual([c]);
    expect(ready.total).toBe(1);

    await h.ok(new IssueCloseT(c, h.ts()));
    ready = await h.ok<IssueListResultT>(new IssueReadyT());
    expect(ready.issues.map((i) => hex(i.issueId))).toEqual([b]);

    const open = await h.ok<DepTopoResultT>(new IssueDepTopoT(StateFilter.open));
    expect(open.issues.map((i) => hex(i.issueId))).toEqual([b, a]);
    const closed = await h.ok<DepTopoResultT>(new IssueDepTopoT(StateFilter.closed));
    expect(closed.issues.map((i) => hex(i.issueId))).toEqual([c]);
  });

  it('pages through ready issues, each once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await h.createIssue(`R${i}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: IssueListResultT = await h.ok<IssueListResultT>(new IssueReadyT(3, cursor));
      expect(page.total).toBe(7);
      expect(page.issues.length).toBeLessThanOrEqual(3);
      seen.push(...page.issues.map((i) => hex(i.issueId)));
      cursor = page.nextCursor as string | null;
      if (cursor === null) break;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(ids));
  });
});
