/**
 * Dependency semantics (DESIGN.md section 3).
 *
 * An edge is recorded on its source issue: `X <dep_type> T`.
 * - `X blocks T`: T waits for X.
 * - `X depends_on T`: X waits for T.
 * - `X related_to T`: nobody waits.
 *
 * The *waiting graph* has an arc waiter -> waitee for every blocks and
 * depends_on edge. An issue is ready when it is open, is not on a cycle, and
 * nothing it waits for is open. Only issues that exist count: an edge whose
 * source or target has no IssueCreated (yet) makes nobody wait and closes no
 * cycle, so a dependency on an issue we have never seen does not block.
 *
 * Cycles (strongly connected components of the waiting graph with more than
 * one member, or one member waiting on itself) can arrive by sync even though
 * writers refuse to close them; their members are never ready.
 *
 * Topological order: waitees before waiters. Each issue off cycles gets a
 * depth, 0 when it waits for nothing (off cycles) and otherwise one more than
 * the deepest issue off cycles it waits for; the order is (depth, id bytes),
 * then the cycle members by id bytes. Depths only change where edges change,
 * which is what lets the view store them.
 */
import { bytesEqual, compareBytes, fromHex, toHex } from '../codec/hex.js';
import type { DepType, IssueState } from '../event.js';

export interface DependencyEdge {
  /** The issue the edge is recorded on. */
  from: Uint8Array;
  to: Uint8Array;
  depType: DepType;
}

/** Who waits for whom because of `from <depType> to`; null for related_to. */
export function waitOf(
  from: Uint8Array,
  to: Uint8Array,
  depType: DepType,
): { waiter: Uint8Array; waitee: Uint8Array } | null {
  switch (depType) {
    case 'blocks':
      return { waiter: to, waitee: from };
    case 'depends_on':
      return { waiter: from, waitee: to };
    case 'related_to':
      return null;
  }
}

/**
 * Whether adding `from <depType> to` would close a cycle of waiting, given
 * the edges already present. Conservative: every edge counts, whether or not
 * its ends exist yet, so an edge refused now can never turn into a cycle
 * when a missing issue arrives later. An issue waiting on itself is a cycle.
 */
export function wouldCreateCycle(
  edges: Iterable<DependencyEdge>,
  from: Uint8Array,
  to: Uint8Array,
  depType: DepType,
): boolean {
  const w = waitOf(from, to, depType);
  if (w === null) return false;
  if (bytesEqual(w.waiter, w.waitee)) return true;
  const adj = waitAdjacency(edges, null);
  // The new arc waiter -> waitee closes a cycle iff waitee already reaches waiter.
  return reaches(adj, toHex(w.waitee), toHex(w.waiter));
}

/** Breadth-first search over a waiter -> waitees adjacency. */
export function reaches(adj: ReadonlyMap<string, readonly string[]>, start: string, goal: string): boolean {
  if (start === goal) return true;
  const seen = new Set<string>([start]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const next of adj.get(queue[i]!) ?? []) {
      if (next === goal) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

export interface DependencyAnalysis {
  /** Depth of every node off cycles, by id hex (nodes without arcs: 0). */
  depth: Map<string, number>;
  /** Ids (hex) of the members of all cycles. */
  inCycle: Set<string>;
  /** Each cycle's members sorted by bytes; cycles sorted by their first member. */
  cycles: Uint8Array[][];
}

/**
 * Strongly connected components (Tarjan), cycle membership and depths of the
 * waiting graph. `nodes`: the issues that exist; arcs touching anything else
 * are ignored. Null means every edge end exists.
 */
export function analyzeDependencies(
  edges: Iterable<DependencyEdge>,
  nodes: Iterable<Uint8Array> | null,
): DependencyAnalysis {
  const nodeSet = nodes === null ? null : new Set(Array.from(nodes, toHex));
  const adj = waitAdjacency(edges, nodeSet);
  const all = new Set<string>(nodeSet ?? []);
  for (const [waiter, waitees] of adj) {
    all.add(waiter);
    for (const w of waitees) all.add(w);
  }
  return layoutWaitGraph(adj, all);
}

/** Depth and cycle membership of a node whose layout is already known. */
export interface FixedLayout {
  depth: number;
  inCycle: boolean;
}

/**
 * The layout of the nodes in `region` (hex ids) over a waiter -> waitees
 * adjacency. Arcs to nodes outside the region count through `fixed` (their
 * known layout: their depth, unless they are on a cycle) and are ignored when
 * `fixed` does not know them. Every cycle through a region node must lie in
 * the region: the view passes a region closed under "waits for a changed
 * node", which guarantees it.
 *
 * Tarjan's algorithm, iterative so long chains cannot overflow the stack. It
 * emits a component only after every component it reaches, so the waitees of
 * a node have their depth when its component is emitted.
 */
export function layoutWaitGraph(
  adj: ReadonlyMap<string, readonly string[]>,
  region: ReadonlySet<string>,
  fixed?: (hex: string) => FixedLayout | undefined,
): DependencyAnalysis {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const depth = new Map<string, number>();
  const inCycle = new Set<string>();
  const cycles: Uint8Array[][] = [];
  let counter = 0;
  const succ = (v: string): readonly string[] => adj.get(v) ?? [];

  const emit = (root: string): void => {
    const members: string[] = [];
    let m: string;
    do {
      m = stack.pop()!;
      onStack.delete(m);
      members.push(m);
    } while (m !== root);
    if (members.length > 1 || succ(root).includes(root)) {
      for (const x of members) inCycle.add(x);
      cycles.push(members.map((x) => fromHex(x)).sort(compareBytes));
      return;
    }
    let d = 0;
    for (const w of succ(root)) {
      let dw: number | undefined;
      if (region.has(w)) dw = depth.get(w);
      else {
        const f = fixed?.(w);
        dw = f === undefined || f.inCycle ? undefined : f.depth;
      }
      if (dw !== undefined && dw + 1 > d) d = dw + 1;
    }
    depth.set(root, d);
  };

  for (const start of region) {
    if (index.has(start)) continue;
    const frames: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter);
    counter++;
    stack.push(start);
    onStack.add(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const out = succ(frame.node);
      if (frame.next < out.length) {
        const w = out[frame.next++]!;
        if (!region.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter);
          counter++;
          stack.push(w);
          onStack.add(w);
          frames.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        }
        continue;
      }
      frames.pop();
      const v = frame.node;
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(v)!));
      if (low.get(v) === index.get(v)) emit(v);
    }
  }
  cycles.sort((a, b) => compareBytes(a[0]!, b[0]!));
  return { depth, inCycle, cycles };
}

/** The cycles of waiting among `nodes` (all edge ends when null). */
export function findCycles(edges: Iterable<DependencyEdge>, nodes: Iterable<Uint8Array> | null = null): Uint8Array[][] {
  return analyzeDependencies(edges, nodes).cycles;
}

/** `nodes` in topological order: waitees first, by (depth, id), cycle members last by id. */
export function topoOrder(nodes: Iterable<Uint8Array>, edges: Iterable<DependencyEdge>): Uint8Array[] {
  const list = Array.from(nodes);
  const a = analyzeDependencies(edges, list);
  const keyed = list.map((id) => {
    const hex = toHex(id);
    return { id, cyc: a.inCycle.has(hex) ? 1 : 0, depth: a.depth.get(hex) ?? 0 };
  });
  keyed.sort((x, y) => x.cyc - y.cyc || x.depth - y.depth || compareBytes(x.id, y.id));
  return keyed.map((k) => k.id);
}

/** The ready issues among `issues`, in topological order. */
export function readyIssues(
  issues: Iterable<{ issueId: Uint8Array; state: IssueState }>,
  edges: Iterable<DependencyEdge>,
): Uint8Array[] {
  const list = Array.from(issues);
  const open = new Set(list.filter((i) => i.state === 'open').map((i) => toHex(i.issueId)));
  const edgeList = Array.from(edges);
  const nodes = list.map((i) => i.issueId);
  const nodeSet = new Set(nodes.map(toHex));
  const adj = waitAdjacency(edgeList, nodeSet);
  const a = analyzeDependencies(edgeList, nodes);
  const ready = new Set<string>();
  for (const hex of open) {
    if (a.inCycle.has(hex)) continue;
    if ((adj.get(hex) ?? []).some((w) => open.has(w))) continue;
    ready.add(hex);
  }
  return topoOrder(nodes, edgeList).filter((id) => ready.has(toHex(id)));
}

/** Waiter -> waitees (hex), arcs with both ends in `nodes` (all when null), deduplicated. */
export function waitAdjacency(edges: Iterable<DependencyEdge>, nodes: ReadonlySet<string> | null): Map<string, string[]> {
  const sets = new Map<string, Set<string>>();
  for (const e of edges) {
    const w = waitOf(e.from, e.to, e.depType);
    if (w === null) continue;
    const waiter = toHex(w.waiter);
    const waitee = toHex(w.waitee);
    if (nodes !== null && (!nodes.has(waiter) || !nodes.has(waitee))) continue;
    let set = sets.get(waiter);
    if (set === undefined) sets.set(waiter, (set = new Set()));
    set.add(waitee);
  }
  const adj = new Map<string, string[]>();
  for (const [k, v] of sets) adj.set(k, [...v]);
  return adj;
}

/** The dependency edges recorded on `issues`. */
export function dependencyEdges(
  issues: Iterable<{ issueId: Uint8Array; dependencies: readonly { target: Uint8Array; depType: DepType }[] }>,
): DependencyEdge[] {
  const out: DependencyEdge[] = [];
  for (const i of issues) for (const d of i.dependencies) out.push({ from: i.issueId, to: d.target, depType: d.depType });
  return out;
}
