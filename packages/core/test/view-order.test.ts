/**
 * The view equals the projection of the stored event set, whatever the order
 * and grouping in which events arrive (DESIGN.md sections 3 and 4): random
 * sets applied in random batches, duplicates included, give identical query
 * results, and those agree with the pure projection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Event } from '../src/event.js';
import { dependencyEdges, project, readyIssues, sortEvents, topoOrder } from '../src/projection/index.js';
import { View } from '../src/view/index.js';
import { canonical, cloneEvent, gen, randomEventSet, randomSplit, type Gen } from './projection-gen.js';

const dir = mkdtempSync(join(tmpdir(), 'grite-view-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshView = () => View.open(join(dir, `v${++n}.sqlite`));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Everything the view answers, as one comparable string. */
function snapshot(v: View, issueIds: Uint8Array[]): string {
  const { path: _p, sizeBytes: _s, ...stats } = v.stats();
  return canonical({
    stats,
    lists: (['updated', 'created', 'id', 'title'] as const).map((sort) => v.listIssues({ sort })),
    open: v.listIssues({ state: 'open', sort: 'id' }),
    // Every filter table: labels, assignees, full text.
    byLabel: ['bug', 'p0', 'p1', 'ui', 'Ünï', '🚀', 'z\u{10400}', 'z\uffef'].map((l) => v.listIssues({ labels: [l], sort: 'id' }).issues.map((i) => i.issueId)),
    byAssignee: ['alice', 'bob', 'carol', 'dän'].map((a) => v.listIssues({ assignee: a, sort: 'id' }).issues.map((i) => i.issueId)),
    // With a state (label and assignee rows carry it), paged, and totals.
    byStateLabel: (['open', 'closed'] as const).flatMap((state) =>
      ['bug', 'p0', '🚀'].map((l) => {
        const r = v.listIssues({ state, labels: [l], sort: 'id', limit: 2 });
        return [r.total, r.issues.map((i) => i.issueId)];
      }),
    ),
    byStateAssignee: (['open', 'closed'] as const).map((state) => v.listIssues({ state, assignee: 'bob', sort: 'id' }).total),
    byTwoLabels: v.listIssues({ labels: ['bug', 'p0'], state: 'open' }).total,
    byText: ['alpha', 'gamma', 'unicode', '🚀', 'quoted', 'x*y', 'a-b'].map((t) => v.listIssues({ text: t, sort: 'id' }).issues.map((i) => i.issueId)),
    issues: issueIds.map((id) => v.getIssue(id)),
    events: issueIds.map((id) => v.getIssueEvents(id)),
    deps: issueIds.map((id) => [v.listDeps(id, 'out'), v.listDeps(id, 'in')]),
    topo: v.topoOrder(),
    ready: v.ready(),
    cycles: v.cycles(),
  });
}

function applyInBatches(v: View, g: Gen, events: Event[]): void {
  const copies = g.shuffle([...events.map(cloneEvent), ...events.filter(() => g.rand() < 0.2).map(cloneEvent)]);
  for (const batch of randomSplit(g, copies)) v.apply(batch);
}

describe('view: order of arrival never matters', () => {
  it('random sets in random batches give identical answers (40 seeds)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const g = gen(seed);
      const { events, issueIds } = randomEventSet(g);
      const views = [freshView(), freshView(), freshView(), freshView()];
      views[0]!.apply(events);
      // The bulk path (rebuild): everything at once into an emptied view.
      views[3]!.apply(events.slice(0, 3));
      views[3]!.replaceAll(g.shuffle(events.map(cloneEvent)));
      applyInBatches(views[1]!, g, events);
      // One event at a time, newest first.
      for (const e of [...events].reverse()) views[2]!.apply([e]);
      const want = snapshot(views[0]!, issueIds);
      expect(snapshot(views[1]!, issueIds), `seed ${seed}`).toBe(want);
      expect(snapshot(views[2]!, issueIds), `seed ${seed}`).toBe(want);
      expect(snapshot(views[3]!, issueIds), `seed ${seed}`).toBe(want);
      for (const v of views) v.close();
    }
  });

  it('agrees with the pure projection, ready set and topological order (40 seeds)', () => {
    for (let seed = 100; seed < 140; seed++) {
      const g = gen(seed);
      const { events, issueIds } = randomEventSet(g, { issues: 6, events: 80 });
      const v = freshView();
      applyInBatches(v, g, events);
      const p = project(events);
      expect(v.stats().issueCount).toBe(p.issues.length);
      expect(v.stats().eventCount).toBe(p.eventCount);
      for (const issue of p.issues) {
        const d = v.getIssue(issue.issueId)!;
        expect(d, `seed ${seed}`).not.toBeNull();
        expect(
          canonical({
            title: d.title,
            body: d.body,
            state: d.state,
            labels: d.labels,
            assignees: d.assignees,
            createdTs: d.createdTs,
            updatedTs: d.updatedTs,
            createdBy: d.createdBy,
            comments: d.comments,
            links: d.links,
            attachments: d.attachments,
            deps: d.dependencies.map((x) => [x.target, x.depType]),
            eventCount: d.eventCount,
          }),
          `seed ${seed}`,
        ).toBe(
          canonical({
            title: issue.title,
            body: issue.body,
            state: issue.state,
            labels: issue.labels,
            assignees: issue.assignees,
            createdTs: issue.createdTs,
            updatedTs: issue.updatedTs,
            createdBy: issue.createdBy,
            comments: issue.comments,
            links: issue.links,
            attachments: issue.attachments,
            deps: issue.dependencies.map((x) => [x.target, x.depType]),
            eventCount: issue.eventCount,
          }),
        );
      }
      // Filters against the projection: state x label, state x assignee.
      for (const state of [undefined, 'open', 'closed'] as const) {
        for (const label of ['bug', 'p0', 'Ünï', '🚀']) {
          const want = p.issues.filter((i) => (state === undefined || i.state === state) && i.labels.includes(label)).map((i) => hex(i.issueId));
          const got = v.listIssues({ state, labels: [label], sort: 'id' });
          expect(got.issues.map((i) => hex(i.issueId)), `seed ${seed}`).toEqual(want);
          expect(got.total).toBe(want.length);
          expect(v.listIssues({ state, labels: [label], sort: 'id', limit: 1 }).total).toBe(want.length);
        }
        for (const user of ['alice', 'bob']) {
          const want = p.issues.filter((i) => (state === undefined || i.state === state) && i.assignees.includes(user)).map((i) => hex(i.issueId));
          const got = v.listIssues({ state, assignee: user, sort: 'id', limit: 1 });
          expect(got.total, `seed ${seed}`).toBe(want.length);
          expect(got.issues.map((i) => hex(i.issueId))).toEqual(want.slice(0, 1));
        }
      }
      // Several filters at once: whichever drives, the same rows.
      for (const [labels, user] of [[['bug', 'p0'], undefined], [['p0'], 'bob'], [['bug', '🚀', 'p1'], 'alice']] as const) {
        for (const state of [undefined, 'open'] as const) {
          const want = p.issues
            .filter((i) => (state === undefined || i.state === state) && labels.every((l) => i.labels.includes(l)) && (user === undefined || i.assignees.includes(user)))
            .map((i) => hex(i.issueId));
          for (const limit of [0, 1]) {
            const got = v.listIssues({ state, labels: [...labels], assignee: user, sort: 'id', limit });
            expect(got.total, `seed ${seed}`).toBe(want.length);
            expect(got.issues.map((i) => hex(i.issueId))).toEqual(limit === 0 ? want : want.slice(0, 1));
          }
        }
      }
      const edges = dependencyEdges(p.issues);
      expect(v.ready().map((s) => hex(s.issueId)), `seed ${seed}`).toEqual(readyIssues(p.issues, edges).map(hex));
      expect(v.topoOrder().map((s) => hex(s.issueId)), `seed ${seed}`).toEqual(
        topoOrder(
          p.issues.map((i) => i.issueId),
          edges,
        ).map(hex),
      );
      // Events of issues still waiting for their IssueCreated are stored too.
      for (const id of issueIds) {
        const mine = events.filter((e) => hex(e.issueId) === hex(id));
        expect(canonical(v.getIssueEvents(id))).toBe(canonical(sortEvents(mine)));
      }
      v.close();
    }
  });

  it('re-applying stored events changes nothing and reports nothing applied', () => {
    const g = gen(5);
    const { events, issueIds } = randomEventSet(g);
    const v = freshView();
    const first = v.apply(events);
    const before = snapshot(v, issueIds);
    const again = v.apply(g.shuffle(events.map(cloneEvent)));
    expect(first.eventsApplied).toBe(new Set(events.map((e) => hex(e.eventId))).size);
    expect(again).toEqual({ eventsApplied: 0, issuesTouched: 0 });
    expect(snapshot(v, issueIds)).toBe(before);
    v.close();
  });
});
