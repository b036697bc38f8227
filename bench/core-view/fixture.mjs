// Fixtures for the core view benchmark, built through @grite/core itself.
//
// gitFixture: a repository whose refs/grite/wal holds COMMITS commits of
// EVENTS_PER_COMMIT events each (one actor per commit, four actors in turn):
// commit i creates issue i and adds nine events to issue i or to earlier
// issues (comments, labels, assignees, state, edits, links, dependencies).
// Objects are written in process by Wal.writeCommits, the ref is set once,
// then `git repack -adq` + `git prune-packed`: a packed log, as after gc.
//
// syntheticEvents: the same mix for N issues as plain events (no git), for
// query timings over views larger than a git fixture worth building.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEvent, Wal } from '../../packages/core/dist/index.js';

const WORDS = [
  'parser', 'crash', 'login', 'render', 'cache', 'network', 'timeout', 'memory', 'leak', 'button',
  'config', 'deploy', 'schema', 'migration', 'query', 'index', 'socket', 'daemon', 'refactor', 'flaky',
  'test', 'docs', 'typo', 'upgrade', 'security', 'token', 'session', 'upload', 'export', 'import',
];

// Rare words: a vocabulary of a few thousand, so that most search terms match
// a small share of the issues, as in a real tracker; WORDS are the common ones.
const SYLLABLES = ['ka', 'lo', 'mi', 'ven', 'tor', 'sa', 'ri', 'qu', 'el', 'dor', 'ny', 'pha', 'zu', 'bex', 'gri'];
const RARE = [];
for (const a of SYLLABLES) for (const b of SYLLABLES) for (const c of SYLLABLES) RARE.push(a + b + c);

/** A small seeded PRNG (mulberry32): the same fixture every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function idBytes(rand, n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/**
 * Calls `emit(events)` once per commit: `commits` commits of `perCommit`
 * events; commit i creates issue i. Returns the issue ids.
 */
export function generate(commits, perCommit, emit, seed = 42) {
  const rand = prng(seed);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const words = (n) => Array.from({ length: n }, () => (rand() < 0.3 ? pick(WORDS) : pick(RARE))).join(' ');
  const actors = Array.from({ length: 4 }, () => idBytes(rand, 16));
  const issues = [];
  let ts = 1_700_000_000_000;
  for (let i = 0; i < commits; i++) {
    const actor = actors[i % actors.length];
    const id = idBytes(rand, 16);
    issues.push(id);
    const labels = [...new Set([pick(['bug', 'feature', 'docs', 'chore']), `p${Math.floor(rand() * 4)}`])].sort();
    const events = [createEvent({ issueId: id, actor, ts: ts++, kind: { type: 'IssueCreated', title: words(4), body: words(12), labels } })];
    for (let k = 1; k < perCommit; k++) {
      const target = rand() < 0.5 || i === 0 ? id : issues[Math.floor(rand() * i)];
      const r = rand();
      let kind;
      if (r < 0.3) kind = { type: 'CommentAdded', body: words(8) };
      else if (r < 0.45) kind = { type: 'LabelAdded', label: `area-${Math.floor(rand() * 40)}` };
      else if (r < 0.5) kind = { type: 'LabelRemoved', label: pick(['bug', 'feature', 'p0', 'p1']) };
      else if (r < 0.6) kind = { type: 'AssigneeAdded', user: `user${Math.floor(rand() * 50)}` };
      else if (r < 0.63) kind = { type: 'AssigneeRemoved', user: `user${Math.floor(rand() * 50)}` };
      else if (r < 0.73) kind = { type: 'StateChanged', state: rand() < 0.6 ? 'closed' : 'open' };
      else if (r < 0.8) kind = { type: 'IssueUpdated', title: rand() < 0.5 ? words(4) : null, body: words(10) };
      else if (r < 0.85) kind = { type: 'LinkAdded', url: `https://example.com/${Math.floor(rand() * 1e6)}`, note: null };
      else if (i > 0 && r < 0.93) {
        // Edges point at earlier issues only: the waiting graph has no cycles.
        const other = issues[Math.floor(rand() * i)];
        kind = { type: 'DependencyAdded', target: other, depType: pick(['depends_on', 'related_to']) };
        events.push(createEvent({ issueId: id, actor, ts: ts++, kind }));
        continue;
      } else kind = { type: 'CommentAdded', body: words(5) };
      events.push(createEvent({ issueId: target, actor, ts: ts++, kind }));
    }
    emit(events);
  }
  return issues;
}

/** All events of a synthetic set of `issues` issues with `perIssue` events each. */
export function syntheticEvents(issues, perIssue, seed = 7) {
  const all = [];
  generate(issues, perIssue, (events) => {
    for (const e of events) all.push(e);
  }, seed);
  return all;
}

/**
 * The git fixture in `dir` (reused when already built with the same shape).
 * Returns { gitDir, head, commits, events }.
 */
export async function gitFixture(dir, commits, perCommit) {
  const gitDir = join(dir, '.git');
  const marker = join(dir, 'fixture.json');
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.commits === commits && m.perCommit === perCommit) return { gitDir, ...m };
  }
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', dir]);
  const wal = Wal.open(gitDir, { fsync: false, autoPack: false });
  let head = null;
  let events = 0;
  const batches = [];
  generate(commits, perCommit, (evs) => batches.push(evs));
  for (const evs of batches) {
    head = await wal.writeCommits(evs, head);
    events += evs.length;
  }
  await wal.close();
  execFileSync('git', ['update-ref', 'refs/grite/wal', head], { cwd: dir });
  execFileSync('git', ['repack', '-adq'], { cwd: dir });
  execFileSync('git', ['prune-packed'], { cwd: dir });
  const m = { commits, perCommit, head, events };
  writeFileSync(marker, JSON.stringify(m));
  return { gitDir, ...m };
}
