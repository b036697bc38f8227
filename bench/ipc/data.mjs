// Deterministic benchmark data, in two equal forms: object-API values for the
// FlatBuffers protocol (ids as bytes, times as bigint) and plain objects in
// the CLI's JSON data shapes (DESIGN.md section 8: ids hex, times numbers).

import * as P from '../../packages/protocol/dist/index.js';

let seed = 0x5eed;
function rnd(n) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
}
const WORDS = 'crash start config sync lock daemon socket parse render label assign close reopen index query cache build test flaky slow'.split(' ');
const words = (n) => Array.from({ length: n }, () => WORDS[rnd(WORDS.length)]).join(' ');
const id = (n) => Uint8Array.from({ length: n }, () => rnd(256));
const hex = (b) => P.bytesToHex(b);
const T0 = 1_732_000_000_000;

function summaryParts(i) {
  return {
    issue_id: id(16),
    title: `${words(4)} #${i}`,
    state: rnd(4) === 0 ? 'closed' : 'open',
    labels: [...new Set([WORDS[rnd(5)], WORDS[5 + rnd(5)]])].sort(),
    assignees: rnd(2) ? ['alice'] : [],
    updated_ts: T0 + rnd(1_000_000_000),
    created_ts: T0 - rnd(1_000_000_000),
    comment_count: rnd(12),
  };
}

const stateEnum = (s) => (s === 'open' ? P.IssueState.open : P.IssueState.closed);

function summaryT(s) {
  return new P.IssueSummaryT(
    Array.from(s.issue_id), s.title, stateEnum(s.state), s.labels, s.assignees,
    BigInt(s.updated_ts), BigInt(s.created_ts), s.comment_count,
  );
}

function summaryJson(s) {
  return {
    issue_id: hex(s.issue_id), title: s.title, state: s.state, labels: s.labels, assignees: s.assignees,
    updated_ts: s.updated_ts, created_ts: s.created_ts, comment_count: s.comment_count,
  };
}

/** An `issue show` answer of typical size: body, comments, a link, six events. */
export function showData() {
  const s = summaryParts(1);
  const actor = id(16);
  const body = `${words(60)}\n\nSteps:\n1. ${words(8)}\n2. ${words(8)}`;
  const comments = [0, 1].map((i) => ({ event_id: id(32), actor, ts: s.created_ts + 1000 * (i + 1), body: words(25) }));
  const link = { url: 'https://example.invalid/ci/run/12345', note: 'failing run', event_id: id(32), actor, ts: s.created_ts + 500 };
  const events = [];
  let parent = null;
  const push = (kindName, kindType, jsonFields, make) => {
    const e = { event_id: id(32), ts: s.created_ts + events.length * 1000, parent, kindName, kindType, jsonFields, make };
    events.push(e);
    parent = e.event_id;
  };
  push('IssueCreated', P.EventKind.IssueCreated, { title: s.title, body, labels: s.labels },
    () => new P.IssueCreatedT(s.title, body, s.labels));
  push('LabelAdded', P.EventKind.LabelAdded, { label: 'p1' }, () => new P.LabelAddedT('p1'));
  push('AssigneeAdded', P.EventKind.AssigneeAdded, { user: 'alice' }, () => new P.AssigneeAddedT('alice'));
  push('CommentAdded', P.EventKind.CommentAdded, { body: comments[0].body }, () => new P.CommentAddedT(comments[0].body));
  push('LinkAdded', P.EventKind.LinkAdded, { url: link.url, note: link.note }, () => new P.LinkAddedT(link.url, link.note));
  push('CommentAdded', P.EventKind.CommentAdded, { body: comments[1].body }, () => new P.CommentAddedT(comments[1].body));

  const object = new P.IssueShowResultT(
    new P.IssueDetailT(
      Array.from(s.issue_id), s.title, stateEnum(s.state), s.labels, s.assignees, BigInt(s.updated_ts), BigInt(s.created_ts),
      comments.length, body,
      [new P.LinkT(link.url, link.note, Array.from(link.event_id), Array.from(actor), BigInt(link.ts))],
      [],
      [new P.DepEdgeT(Array.from(id(16)), P.DepType.blocks)],
      comments.map((c) => new P.CommentT(Array.from(c.event_id), Array.from(c.actor), BigInt(c.ts), c.body)),
    ),
    events.map(
      (e) => new P.EventT(Array.from(e.event_id), Array.from(s.issue_id), Array.from(actor), BigInt(e.ts),
        e.parent ? Array.from(e.parent) : [], e.kindType, e.make()),
    ),
    null,
  );
  const json = {
    issue: {
      ...summaryJson(s), body,
      links: [{ url: link.url, note: link.note, event_id: hex(link.event_id), actor: hex(actor), ts_unix_ms: link.ts }],
      attachments: [],
      dependencies: [{ target: hex(object.issue.dependencies[0].target), dep_type: 'blocks' }],
      comments: comments.map((c) => ({ event_id: hex(c.event_id), actor: hex(c.actor), ts_unix_ms: c.ts, body: c.body })),
    },
    events: events.map((e) => ({
      event_id: hex(e.event_id), issue_id: hex(s.issue_id), actor: hex(actor), ts_unix_ms: e.ts,
      parent: e.parent ? hex(e.parent) : null, kind: { [e.kindName]: e.jsonFields },
    })),
  };
  return { object, json, issueRef: hex(s.issue_id).slice(0, 8) };
}

/** An `issue list` answer of `n` issues. */
export function listData(n) {
  const parts = Array.from({ length: n }, (_, i) => summaryParts(i));
  return {
    object: new P.IssueListResultT(parts.map(summaryT), n, null),
    json: { issues: parts.map(summaryJson), total: n },
  };
}
