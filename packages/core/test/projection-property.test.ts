/**
 * The projection is a pure function of the SET of events (DESIGN.md section
 * 3): random event sets, shuffled, duplicated and split into commits any way,
 * project identically; and each issue agrees with an oracle that states the
 * rules declaratively ("the last writer in order") rather than as a fold.
 */
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event.js';
import { project, projectIssue, type IssueProjection } from '../src/projection/index.js';
import { compareUtf8 } from '../src/projection/order.js';
import { canonical, cloneEvent, gen, randomEventSet, randomSplit } from './projection-gen.js';

const SEEDS = Array.from({ length: 150 }, (_, i) => i + 1);

/** Order by (ts, actor, event id) using hex text: same length hex orders like the bytes. */
function oracleSort(events: Event[]): Event[] {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const seen = new Map<string, Event>();
  for (const e of events) if (!seen.has(hex(e.eventId))) seen.set(hex(e.eventId), e);
  return [...seen.values()].sort(
    (a, b) => a.ts - b.ts || (hex(a.actor) < hex(b.actor) ? -1 : hex(a.actor) > hex(b.actor) ? 1 : 0) || (hex(a.eventId) < hex(b.eventId) ? -1 : 1),
  );
}

function utf8Sorted(xs: Iterable<string>): string[] {
  return [...xs].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/** The rules stated per field: "the last event in order that writes it". */
function oracle(issueId: Uint8Array, events: Event[]) {
  const sorted = oracleSort(events);
  const created = sorted.find((e) => e.kind.type === 'IssueCreated');
  if (created === undefined || created.kind.type !== 'IssueCreated') return null;
  const c = created.kind;
  // The last event in order that writes a field decides it; the first
  // IssueCreated counts as a writer of title, body and state.
  const lastWriter = (writes: (e: Event) => boolean): Event => sorted.filter((e) => e === created || writes(e)).pop()!;
  const titleW = lastWriter((e) => e.kind.type === 'IssueUpdated' && e.kind.title !== null);
  const bodyW = lastWriter((e) => e.kind.type === 'IssueUpdated' && e.kind.body !== null);
  const stateW = lastWriter((e) => e.kind.type === 'StateChanged');
  const setOf = (add: string, remove: string, field: 'label' | 'user', fromCreated: string[]) => {
    const elems = new Set<string>(fromCreated);
    for (const e of sorted) if (e.kind.type === add || e.kind.type === remove) elems.add((e.kind as Record<string, string>)[field]!);
    const out: string[] = [];
    for (const x of elems) {
      let last: boolean | undefined;
      for (const e of sorted) {
        if (e === created && fromCreated.includes(x)) last = true;
        if (e.kind.type === add && (e.kind as Record<string, string>)[field] === x) last = true;
        if (e.kind.type === remove && (e.kind as Record<string, string>)[field] === x) last = false;
      }
      if (last === true) out.push(x);
    }
    return utf8Sorted(out);
  };
  const applied = sorted.filter((e) => !['ContextUpdated', 'ProjectContextUpdated', 'Unknown'].includes(e.kind.type));
  return {
    title: titleW.kind.type === 'IssueUpdated' ? titleW.kind.title : c.title,
    body: bodyW.kind.type === 'IssueUpdated' ? bodyW.kind.body : c.body,
    state: stateW.kind.type === 'StateChanged' ? stateW.kind.state : 'open',
    labels: setOf('LabelAdded', 'LabelRemoved', 'label', c.labels),
    assignees: setOf('AssigneeAdded', 'AssigneeRemoved', 'user', []),
    updatedTs: Math.max(...applied.map((e) => e.ts)),
    createdTs: created.ts,
    comments: sorted.flatMap((e) => (e.kind.type === 'CommentAdded' ? [e.kind.body] : [])),
    eventCount: sorted.length,
    issueId,
  };
}

describe('projection is a function of the event set', () => {
  it('shuffles, duplicates and commit splits project identically (150 seeds)', () => {
    for (const seed of SEEDS) shufflesAgree(seed);
  });
  function shufflesAgree(seed: number): void {
    const g = gen(seed);
    const { events } = randomEventSet(g);
    const expected = canonical(project(events));
    for (let round = 0; round < 4; round++) {
      const copy = g.shuffle(events.map(cloneEvent));
      // Duplicates: some events arrive again, from another commit or replica.
      const dups = copy.filter(() => g.rand() < 0.2).map(cloneEvent);
      const all = g.shuffle([...copy, ...dups]);
      expect(canonical(project(all)), `seed ${seed}`).toBe(expected);
      // Commits applied one after another: the union is what counts.
      const commits = randomSplit(g, all);
      expect(canonical(project(commits.flat())), `seed ${seed}`).toBe(expected);
    }
  }

  it('each issue matches the declarative oracle (150 seeds)', () => {
    for (const seed of SEEDS) matchesOracle(seed);
  });
  function matchesOracle(seed: number): void {
    const g = gen(seed);
    const { events, issueIds } = randomEventSet(g);
    const p = project(events);
    for (const id of issueIds) {
      const mine = events.filter((e) => Buffer.from(e.issueId).equals(Buffer.from(id)));
      const want = oracle(id, mine);
      const got = p.issues.find((i) => Buffer.from(i.issueId).equals(Buffer.from(id)));
      if (want === null) {
        expect(got).toBeUndefined();
        // Its events are kept, waiting for the IssueCreated.
        expect(p.pending.filter((e) => Buffer.from(e.issueId).equals(Buffer.from(id))).length).toBe(oracleSort(mine).length);
        continue;
      }
      expect(got).toBeDefined();
      const i = got as IssueProjection;
      expect({
        title: i.title,
        body: i.body,
        state: i.state,
        labels: i.labels,
        assignees: i.assignees,
        updatedTs: i.updatedTs,
        createdTs: i.createdTs,
        comments: i.comments.map((x) => x.body),
        eventCount: i.eventCount,
        issueId: i.issueId,
      }, `seed ${seed}`).toEqual(want);
    }
  }

  it('a late IssueCreated shows everything that waited for it (50 seeds)', () => {
    for (const seed of SEEDS.slice(0, 50)) lateCreate(seed);
  });
  function lateCreate(seed: number): void {
    const g = gen(seed);
    const { events } = randomEventSet(g);
    const full = project(events);
    const target = full.issues[0];
    if (target === undefined) return;
    const isCreate = (e: Event) =>
      e.kind.type === 'IssueCreated' && Buffer.from(e.issueId).equals(Buffer.from(target.issueId));
    const without = project(events.filter((e) => !isCreate(e)));
    expect(without.issues.find((i) => Buffer.from(i.issueId).equals(Buffer.from(target.issueId)))).toBeUndefined();
    const waiting = without.pending.filter((e) => Buffer.from(e.issueId).equals(Buffer.from(target.issueId)));
    expect(waiting.length).toBe(target.eventCount - events.filter(isCreate).length);
    // The IssueCreated arrives last: same projection as when it came first.
    const late = [...events.filter((e) => !isCreate(e)), ...events.filter(isCreate)];
    expect(canonical(project(late)), `seed ${seed}`).toBe(canonical(full));
  }

  it('issues are sorted by id bytes and lists by UTF-8 bytes', () => {
    const g = gen(7);
    for (let k = 0; k < 20; k++) {
      const p = project(randomEventSet(g, { issues: 8 }).events);
      const ids = p.issues.map((i) => Buffer.from(i.issueId));
      expect([...ids].sort(Buffer.compare)).toEqual(ids);
      for (const i of p.issues) {
        expect(utf8Sorted(i.labels)).toEqual(i.labels);
        expect(utf8Sorted(i.assignees)).toEqual(i.assignees);
      }
    }
  });

  it('compareUtf8 orders like the UTF-8 bytes, astral characters included', () => {
    const g = gen(99);
    const alphabet = ['a', 'Z', 'é', '\uffef', '\ue000', '\u{10400}', '\u{1f680}', '\ud7ff', ''];
    for (let k = 0; k < 500; k++) {
      const a = Array.from({ length: g.int(4) }, () => g.pick(alphabet)).join('');
      const b = Array.from({ length: g.int(4) }, () => g.pick(alphabet)).join('');
      expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }
  });

  it('projectIssue without an IssueCreated is null', () => {
    const g = gen(3);
    const id = g.bytes(16);
    const actor = g.bytes(16);
    const ev: Event = { eventId: g.bytes(32), issueId: id, actor, ts: 1, parent: null, kind: { type: 'CommentAdded', body: 'x' }, sig: null };
    expect(projectIssue(id, [ev])).toBeNull();
  });
});
