// A `grite batch` session of 1,000 mixed requests (issue 8): every id is
// answered exactly once, malformed lines are answered with their line
// number and do not end the session, and the answers are those of the same
// commands run one by one: reads against separate `grite ... --json`
// processes; reads and writes against a copy of the repository fed the same
// requests one at a time (in-process), answers compared with ids, times and
// heads left out.
import { cpSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchClient } from './cli-batch-client.js';
import { git, grite, stopDaemon, type Result } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const DAEMON = { GRITE_NO_DAEMON: undefined };
const N_ISSUES = 30;

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Req {
  op: string;
  args: Record<string, unknown>;
}

function answers(r: Result): any[] {
  const out = r.stdout.split('\n');
  expect(out.pop()).toBe('');
  return out.map((l) => JSON.parse(l));
}

/** Command-line words of a request: positional `id`, then `--flag value` for the rest. */
function argv(q: Req): string[] {
  const words = q.op.split(' ');
  if (q.args.id !== undefined) words.push(String(q.args.id));
  for (const [k, v] of Object.entries(q.args)) {
    if (k === 'id') continue;
    if (v === true) words.push(`--${k}`);
    else if (Array.isArray(v)) for (const x of v) words.push(`--${k}`, String(x));
    else words.push(`--${k}`, String(v));
  }
  return words;
}

const VOLATILE = new Set(['event_id', 'wal_head', 'ts_unix_ms', 'updated_ts', 'ts', 'nonce', 'expires_unix_ms', 'next_event_cursor', 'next_cursor', 'parent']);

/** The answer with what differs between two runs of the same writes (event ids, times, heads, cursors that hold a time) left out. */
function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = VOLATILE.has(k) ? '<varies>' : stable(x);
  return out;
}

describe('a batch session of 1,000 mixed requests', () => {
  let scratch: string;
  let dir: string;
  let copy: string;
  let ids: string[] = [];

  beforeAll(async () => {
    scratch = realpathSync(mkdtempSync(join(tmpdir(), 'grite-e2e-batch1000-')));
    dir = join(scratch, 'repo');
    git(scratch, 'init', '-q', '-b', 'main', dir);
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'init');
    // Set-up in-process (no daemon yet), so the copy below is of a quiet repository.
    const creates = Array.from({ length: N_ISSUES }, (_, i) =>
      JSON.stringify({
        id: i,
        op: 'issue create',
        args: {
          title: `${i % 3 === 0 ? 'alpha' : 'beta'} issue ${i}`,
          body: `body of ${i}`,
          label: i % 4 === 0 ? ['bug'] : i % 4 === 1 ? ['ui', 'p1'] : [],
          assignee: i % 5 === 0 ? ['alice'] : [],
        },
      }),
    );
    const made = await grite({ cwd: dir, stdin: creates.join('\n') }, 'batch', '--atomic');
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const byId = new Map(answers(made).slice(1).map((a) => [a.id, a.data.issue_id as string]));
    ids = Array.from({ length: N_ISSUES }, (_, i) => byId.get(i)!);
    const more: string[] = [];
    for (let i = 0; i < 10; i++) more.push(JSON.stringify({ id: `d${i}`, op: 'issue dep add', args: { id: ids[i], target: ids[i + 10], type: 'blocks' } }));
    for (let i = 0; i < 6; i++) more.push(JSON.stringify({ id: `k${i}`, op: 'issue comment', args: { id: ids[i * 3], body: `comment ${i}` } }));
    for (let i = 25; i < 30; i++) more.push(JSON.stringify({ id: `x${i}`, op: 'issue close', args: { id: ids[i] } }));
    const r = await grite({ cwd: dir, stdin: more.join('\n') }, 'batch');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    copy = join(scratch, 'copy');
    cpSync(dir, copy, { recursive: true });
  });

  afterAll(async () => {
    await stopDaemon(dir);
    await stopDaemon(copy);
    rmSync(scratch, { recursive: true, force: true });
  });

  function reads(): Req[] {
    const out: Req[] = ids.map((id, i) => ({ op: 'issue show', args: { id: i % 2 === 0 ? id : id.slice(0, 8) } }));
    out.push(
      { op: 'issue list', args: {} },
      { op: 'issue list', args: { state: 'open' } },
      { op: 'issue list', args: { state: 'closed' } },
      { op: 'issue list', args: { label: ['bug'] } },
      { op: 'issue list', args: { label: ['ui', 'p1'], state: 'open' } },
      { op: 'issue list', args: { limit: 5 } },
      { op: 'issue list', args: { sort: 'updated', limit: 10 } },
      { op: 'issue list', args: { search: 'alpha' } },
      { op: 'issue list', args: { assignee: 'alice' } },
      { op: 'issue ready', args: {} },
      { op: 'issue ready', args: { limit: 3 } },
      { op: 'issue dep list', args: { id: ids[0] } },
      { op: 'issue dep list', args: { id: ids[10], reverse: true } },
      { op: 'issue dep topo', args: {} },
      { op: 'issue show', args: { id: 'ffffffff' } },
    );
    return out;
  }

  it('reads: every id answered once, malformed lines by line number, answers equal to one grite --json process per command', async () => {
    const distinct = reads();
    const rnd = prng(1);
    const lines: string[] = [];
    const sent = new Map<number, number>(); // request id -> index into distinct
    const malformed: number[] = [];
    for (let n = 0; lines.length < 1000; n++) {
      if (n % 47 === 13) {
        lines.push(n % 2 === 0 ? '{"id": 1, "op": "issue show", ' : '{"op":"issue list"}');
        malformed.push(lines.length);
      } else if (n % 50 === 7) {
        lines.push(JSON.stringify({ id: n, op: 'ping' }));
        sent.set(n, -1);
      } else {
        const k = Math.floor(rnd() * distinct.length);
        lines.push(JSON.stringify({ id: n, op: distinct[k]!.op, args: distinct[k]!.args }));
        sent.set(n, k);
      }
    }
    const r = await grite({ cwd: dir, env: DAEMON, stdin: lines.join('\n') }, 'batch');
    expect(r.code).toBe(1); // the malformed lines and the unknown issue failed
    const out = answers(r);
    expect(out[0].hello.protocol).toBe(1);
    expect(out).toHaveLength(1001);
    const got = new Map<number, any>();
    const orphans: any[] = [];
    for (const a of out.slice(1)) {
      if (a.id === null) {
        orphans.push(a);
        continue;
      }
      expect(got.has(a.id), `id ${a.id} answered twice`).toBe(false);
      got.set(a.id, a);
    }
    expect([...got.keys()].sort((a, b) => a - b)).toEqual([...sent.keys()].sort((a, b) => a - b));
    expect(orphans.map((o) => o.error.details.line).sort((a, b) => a - b)).toEqual(malformed);

    const reference = await Promise.all(
      distinct.map((q) => grite({ cwd: dir, env: DAEMON }, ...argv(q), '--json').then((res) => res.json)),
    );
    for (const [id, k] of sent) {
      const a = got.get(id);
      if (k === -1) {
        expect(a.data).toEqual({ pong: true });
        continue;
      }
      const ref = reference[k];
      expect({ ok: a.ok, data: a.data, error: a.error }, `request ${id}: ${JSON.stringify(distinct[k])}`).toEqual({
        ok: ref.ok,
        data: ref.data,
        error: ref.error,
      });
    }
  });

  it('reads and writes: the same answers as the same requests sent one at a time to a copy', async () => {
    const rnd = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const labels = ['red', 'green', 'blue'];
    const users = ['bob', 'carol'];
    const distinctReads = reads();
    const requests: Req[] = [];
    for (let n = 0; n < 1000; n++) {
      const issue = pick(ids.slice(0, 25));
      const other = pick(ids.slice(0, 25));
      const w = rnd();
      if (w < 0.55) requests.push(pick(distinctReads));
      else if (w < 0.62) requests.push({ op: 'issue comment', args: { id: issue, body: `note ${n}` } });
      else if (w < 0.7) requests.push({ op: 'issue label add', args: { id: issue, label: [pick(labels)] } });
      else if (w < 0.76) requests.push({ op: 'issue label remove', args: { id: issue, label: [pick(labels)] } });
      else if (w < 0.8) requests.push({ op: 'issue assignee add', args: { id: issue, user: [pick(users)] } });
      else if (w < 0.83) requests.push({ op: 'issue assignee remove', args: { id: issue, user: [pick(users)] } });
      else if (w < 0.86) requests.push({ op: 'issue update', args: { id: issue, title: `renamed ${n}` } });
      else if (w < 0.9) requests.push({ op: rnd() < 0.5 ? 'issue close' : 'issue reopen', args: { id: issue } });
      else if (w < 0.93) requests.push({ op: 'issue link add', args: { id: issue, url: `https://example.invalid/${n}` } });
      else if (w < 0.97) requests.push({ op: 'issue dep add', args: { id: issue, target: other, type: pick(['blocks', 'depends_on', 'related_to']) } });
      else requests.push({ op: 'issue dep remove', args: { id: issue, target: other, type: 'blocks' } });
    }
    const lines = requests.map((q, i) => JSON.stringify({ id: i, op: q.op, args: q.args }));

    // All at once, through the daemon, reads in flight together.
    const piped = await grite({ cwd: dir, env: DAEMON, stdin: lines.join('\n') }, 'batch');
    const out = answers(piped).slice(1);
    expect(out).toHaveLength(1000);
    const got = new Map(out.map((a) => [a.id as number, a]));
    expect(got.size).toBe(1000);

    // One at a time, in-process, on the copy.
    const client = new BatchClient({ cwd: copy, args: ['--no-daemon'] });
    await client.hello;
    for (let i = 0; i < requests.length; i++) {
      const one = await client.send({ id: i, op: requests[i]!.op, args: requests[i]!.args });
      expect(stable(got.get(i)), `request ${i}: ${lines[i]}`).toEqual(stable(one));
    }
    const done = await client.end();
    expect(done.code).toBe(piped.code);
    expect(out.filter((a) => a.ok).length).toBeGreaterThan(500);
  });
});
