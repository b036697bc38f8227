/**
 * Seeded random event sets for the projection, view and store tests (not a
 * test file itself). The projection never verifies event ids, so ids here
 * are random bytes from the seeded generator; tests that write to git build
 * real ids through the codec instead.
 */
import type { DepType, Event, EventKind } from '../src/event.js';

/** mulberry32: a small, fast, seedable PRNG; the same seed gives the same run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Gen {
  rand: () => number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  bytes(n: number): Uint8Array;
  shuffle<T>(xs: T[]): T[];
}

export function gen(seed: number): Gen {
  const rand = prng(seed);
  const g: Gen = {
    rand,
    int: (n) => Math.floor(rand() * n),
    pick: (xs) => xs[Math.floor(rand() * xs.length)]!,
    bytes: (n) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
      return b;
    },
    shuffle: (xs) => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    },
  };
  return g;
}

export function makeEvent(
  g: Gen,
  issueId: Uint8Array,
  actor: Uint8Array,
  ts: number,
  kind: EventKind,
): Event {
  return { eventId: g.bytes(32), issueId, actor, ts, parent: null, kind, sig: null };
}

// Words chosen to exercise byte order (non-ASCII, astral), FTS (quotes,
// operators) and ties.
const WORDS = ['alpha', 'beta', 'Gamma', 'ünïcode', 'emoji🚀', 'zeta', '"quoted"', 'AND', 'x*y', 'a-b', '\u{10400}', '\uffef'];
const LABELS = ['bug', 'p0', 'p1', 'ui', 'Ünï', '🚀', 'z\u{10400}', 'z\uffef'];
const USERS = ['alice', 'bob', 'carol', 'dän'];
const DEP_TYPES: DepType[] = ['blocks', 'depends_on', 'related_to'];

function text(g: Gen, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(g.pick(WORDS));
  return out.join(' ');
}

export interface RandomSet {
  events: Event[];
  issueIds: Uint8Array[];
  actors: Uint8Array[];
}

/**
 * A random event set over a few issues and actors, every kind included.
 * Timestamps come from a narrow range so ties on ts (and on actor) happen.
 * Some issue ids never get an IssueCreated; some get two.
 */
export function randomEventSet(g: Gen, opts: { issues?: number; events?: number } = {}): RandomSet {
  const nIssues = opts.issues ?? 2 + g.int(5);
  const nEvents = opts.events ?? 10 + g.int(60);
  const issueIds = Array.from({ length: nIssues }, () => g.bytes(16));
  const actors = Array.from({ length: 1 + g.int(3) }, () => g.bytes(16));
  // An id that never gets created, as a dependency target.
  const ghost = g.bytes(16);
  const base = 1_700_000_000_000;
  const ts = () => base + g.int(25);
  const events: Event[] = [];
  for (const id of issueIds) {
    const copies = g.rand() < 0.15 ? 0 : g.rand() < 0.1 ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      // Stored and hashed sorted by UTF-8 bytes (DESIGN.md section 2).
      const labels = Array.from(new Set(Array.from({ length: g.int(3) }, () => g.pick(LABELS)))).sort((a, b) =>
        Buffer.compare(Buffer.from(a), Buffer.from(b)),
      );
      events.push(makeEvent(g, id, g.pick(actors), ts(), { type: 'IssueCreated', title: text(g, 2), body: text(g, 5), labels }));
    }
  }
  for (let i = 0; i < nEvents; i++) {
    const id = g.pick(issueIds);
    events.push(makeEvent(g, id, g.pick(actors), ts(), randomKind(g, issueIds, ghost)));
  }
  return { events, issueIds, actors };
}

function randomKind(g: Gen, issueIds: Uint8Array[], ghost: Uint8Array): EventKind {
  switch (g.int(15)) {
    case 0:
      return { type: 'IssueUpdated', title: g.rand() < 0.5 ? text(g, 2) : null, body: g.rand() < 0.5 ? text(g, 4) : null };
    case 1:
      return { type: 'CommentAdded', body: text(g, 3) };
    case 2:
      return { type: 'LabelAdded', label: g.pick(LABELS) };
    case 3:
      return { type: 'LabelRemoved', label: g.pick(LABELS) };
    case 4:
      return { type: 'StateChanged', state: g.rand() < 0.5 ? 'open' : 'closed' };
    case 5:
      return { type: 'LinkAdded', url: `https://example.com/${g.int(100)}`, note: g.rand() < 0.5 ? text(g, 1) : null };
    case 6:
      return { type: 'AssigneeAdded', user: g.pick(USERS) };
    case 7:
      return { type: 'AssigneeRemoved', user: g.pick(USERS) };
    case 8:
      return { type: 'AttachmentAdded', name: `${g.pick(WORDS)}.txt`, sha256: g.bytes(32), mime: 'text/plain' };
    case 9:
    case 10:
      return { type: 'DependencyAdded', target: g.rand() < 0.1 ? ghost : g.pick(issueIds), depType: g.pick(DEP_TYPES) };
    case 11:
      return { type: 'DependencyRemoved', target: g.rand() < 0.1 ? ghost : g.pick(issueIds), depType: g.pick(DEP_TYPES) };
    case 12:
      return {
        type: 'ContextUpdated',
        path: 'src/a.ts',
        language: 'typescript',
        symbols: [{ name: 'f', kind: 'function', lineStart: 1, lineEnd: 3 }],
        summary: text(g, 2),
        contentHash: g.bytes(32),
      };
    case 13:
      return { type: 'ProjectContextUpdated', key: 'k', value: text(g, 1) };
    default:
      return { type: 'Unknown', tag: 200 + g.int(3), payloadCbor: new Uint8Array([0x81, 0x01]) };
  }
}

/** A deep copy with fresh byte arrays, as a second replica would hold it. */
export function cloneEvent(e: Event): Event {
  return structuredClone(e);
}

/** JSON with bytes as hex: equal strings mean equal values, byte for byte. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v instanceof Uint8Array ? `hex:${Buffer.from(v).toString('hex')}` : v,
  );
}

/** Splits `xs` into consecutive groups of random sizes (at least one each). */
export function randomSplit<T>(g: Gen, xs: readonly T[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  while (i < xs.length) {
    const n = 1 + g.int(Math.max(1, Math.ceil(xs.length / 3)));
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}
