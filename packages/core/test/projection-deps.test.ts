/**
 * Dependency semantics (DESIGN.md section 3): `X blocks T` makes T wait for
 * X, `X depends_on T` makes X wait for T, `related_to` makes nobody wait;
 * ready, cycle detection and topological order with cycle members last.
 */
import { describe, expect, it } from 'vitest';
import type { DepType, Event, EventKind, IssueState } from '../src/event.js';
import {
  dependencyEdges,
  findCycles,
  project,
  readyIssues,
  topoOrder,
  wouldCreateCycle,
  type DependencyEdge,
} from '../src/projection/index.js';

const id = (n: number) => new Uint8Array(16).fill(n);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const A = id(0xa);
const B = id(0xb);
const C = id(0xc);
const D = id(0xd);
const E = id(0xe);
const MISSING = id(0x77);

const edge = (from: Uint8Array, depType: DepType, to: Uint8Array): DependencyEdge => ({ from, to, depType });
const issues = (states: [Uint8Array, IssueState][]) => states.map(([issueId, state]) => ({ issueId, state }));

describe('who waits for whom', () => {
  it('X blocks T: T waits for X until X closes', () => {
    const edges = [edge(A, 'blocks', B)];
    expect(readyIssues(issues([[A, 'open'], [B, 'open']]), edges).map(hex)).toEqual([hex(A)]);
    expect(readyIssues(issues([[A, 'closed'], [B, 'open']]), edges).map(hex)).toEqual([hex(B)]);
  });

  it('X depends_on T: X waits for T until T closes', () => {
    const edges = [edge(A, 'depends_on', B)];
    expect(readyIssues(issues([[A, 'open'], [B, 'open']]), edges).map(hex)).toEqual([hex(B)]);
    expect(readyIssues(issues([[A, 'open'], [B, 'closed']]), edges).map(hex)).toEqual([hex(A)]);
  });

  it('related_to makes nobody wait', () => {
    const edges = [edge(A, 'related_to', B), edge(B, 'related_to', A)];
    expect(readyIssues(issues([[A, 'open'], [B, 'open']]), edges).map(hex)).toEqual([hex(A), hex(B)]);
    expect(findCycles(edges)).toEqual([]);
    expect(wouldCreateCycle(edges, A, A, 'related_to')).toBe(false);
  });

  it('closed issues are never ready', () => {
    expect(readyIssues(issues([[A, 'closed']]), [])).toEqual([]);
  });

  it('a dependency on an issue that does not exist does not block', () => {
    const edges = [edge(A, 'depends_on', MISSING), edge(MISSING, 'blocks', B)];
    expect(readyIssues(issues([[A, 'open'], [B, 'open']]), edges).map(hex)).toEqual([hex(A), hex(B)]);
  });

  it('waits through a chain only on the direct waitee', () => {
    // C depends_on B, B depends_on A: with B closed, C is ready though A is open.
    const edges = [edge(C, 'depends_on', B), edge(B, 'depends_on', A)];
    expect(readyIssues(issues([[A, 'open'], [B, 'closed'], [C, 'open']]), edges).map(hex)).toEqual([hex(A), hex(C)]);
  });
});

describe('cycles', () => {
  it('wouldCreateCycle refuses the edge that closes a cycle of waiting', () => {
    const edges = [edge(A, 'blocks', B)]; // B waits for A
    expect(wouldCreateCycle(edges, B, A, 'blocks')).toBe(true); // A would wait for B
    expect(wouldCreateCycle(edges, A, B, 'depends_on')).toBe(true); // A would wait for B
    expect(wouldCreateCycle(edges, B, A, 'depends_on')).toBe(false); // B waits for A again
    expect(wouldCreateCycle(edges, B, A, 'related_to')).toBe(false);
    expect(wouldCreateCycle(edges, A, A, 'blocks')).toBe(true);
    expect(wouldCreateCycle(edges, C, C, 'depends_on')).toBe(true);
    expect(wouldCreateCycle(edges, C, C, 'related_to')).toBe(false);
  });

  it('wouldCreateCycle follows long chains both kinds mixed', () => {
    // A waits B (A depends_on B), B waits C (C blocks B), C waits D (C depends_on D)
    const edges = [edge(A, 'depends_on', B), edge(C, 'blocks', B), edge(C, 'depends_on', D)];
    expect(wouldCreateCycle(edges, D, A, 'depends_on')).toBe(true); // D waits A
    expect(wouldCreateCycle(edges, A, D, 'blocks')).toBe(true); // D waits A
    expect(wouldCreateCycle(edges, D, A, 'blocks')).toBe(false); // A waits D: no cycle
    expect(wouldCreateCycle(edges, E, A, 'depends_on')).toBe(false);
  });

  it('findCycles reports each cycle once, members sorted, self-waits included', () => {
    const edges = [
      edge(A, 'blocks', B),
      edge(B, 'blocks', C),
      edge(C, 'blocks', A),
      edge(D, 'depends_on', D),
      edge(E, 'depends_on', A), // waits on a cycle, not on one
    ];
    expect(findCycles(edges).map((c) => c.map(hex))).toEqual([[hex(A), hex(B), hex(C)], [hex(D)]]);
    // Only existing issues count: without C the three-cycle is gone.
    expect(findCycles(edges, [A, B, D, E]).map((c) => c.map(hex))).toEqual([[hex(D)]]);
  });

  it('cycle members are never ready and come last in topological order, by id', () => {
    const edges = [edge(C, 'blocks', B), edge(B, 'blocks', C), edge(E, 'depends_on', A), edge(D, 'depends_on', B)];
    const all = issues([[E, 'open'], [D, 'open'], [C, 'open'], [B, 'open'], [A, 'open']]);
    expect(readyIssues(all, edges).map(hex)).toEqual([hex(A)]);
    expect(topoOrder([E, D, C, B, A], edges).map(hex)).toEqual([hex(A), hex(D), hex(E), hex(B), hex(C)]);
  });

  it('topological order puts every waitee before its waiter, ties by id', () => {
    // E waits D waits C; B waits A; A, C have depth 0.
    const edges = [edge(E, 'depends_on', D), edge(C, 'blocks', D), edge(B, 'depends_on', A)];
    expect(topoOrder([E, D, C, B, A], edges).map(hex)).toEqual([hex(A), hex(C), hex(B), hex(D), hex(E)]);
  });

  it('handles a 20,000-long chain without overflowing the stack', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => {
      const b = new Uint8Array(16);
      new DataView(b.buffer).setUint32(12, i);
      return b;
    });
    const edges = ids.slice(1).map((x, i) => edge(x, 'depends_on', ids[i]!));
    expect(topoOrder([...ids].reverse(), edges).map(hex)).toEqual(ids.map(hex));
    expect(wouldCreateCycle(edges, ids[0]!, ids[ids.length - 1]!, 'depends_on')).toBe(true);
    edges.push(edge(ids[0]!, 'depends_on', ids[ids.length - 1]!));
    expect(findCycles(edges)[0]!.length).toBe(20_000);
  });
});

describe('edges come from the projection', () => {
  const actor = new Uint8Array(16).fill(1);
  let n = 0;
  const ev = (issueId: Uint8Array, ts: number, kind: EventKind): Event => {
    const eventId = new Uint8Array(32);
    new DataView(eventId.buffer).setUint32(28, ++n);
    return { eventId, issueId, actor, ts, parent: null, kind, sig: null };
  };
  const create = (issueId: Uint8Array, ts: number) => ev(issueId, ts, { type: 'IssueCreated', title: 't', body: '', labels: [] });

  it('an edge is present when its last add/remove is an add', () => {
    const events = [
      create(A, 1),
      create(B, 1),
      ev(A, 2, { type: 'DependencyAdded', target: B, depType: 'blocks' }),
      ev(A, 3, { type: 'DependencyRemoved', target: B, depType: 'blocks' }),
      ev(A, 4, { type: 'DependencyAdded', target: B, depType: 'depends_on' }),
      ev(A, 2, { type: 'DependencyRemoved', target: B, depType: 'related_to' }),
      ev(A, 5, { type: 'DependencyAdded', target: B, depType: 'related_to' }),
    ];
    const p = project(events);
    const a = p.issues.find((i) => hex(i.issueId) === hex(A))!;
    expect(a.dependencies.map((d) => [hex(d.target), d.depType])).toEqual([
      [hex(B), 'depends_on'],
      [hex(B), 'related_to'],
    ]);
    const edges = dependencyEdges(p.issues);
    expect(readyIssues(p.issues, edges).map(hex)).toEqual([hex(B)]);
  });
});
