#!/usr/bin/env node
// Agents benchmark: `pnpm build`, then `node bench/agents/run.mjs [--quick]`.
// Plain node, no TypeScript loader. Never part of the test run.
//
// Per-request latency of what an agent asks most (`issue show`, `issue list
// --limit 50`) over 10,000 requests in one session, four ways, against one
// warm daemon on the same repository (200 issues):
// - raw IPC: one protocol round trip on a warm connection (the floor: what
//   any client of the daemon pays);
// - pipe: a stdio echo process (echo.mjs): what the two pipe hops of any
//   stdio session cost on their own, with no daemon behind them;
// - grite batch: one NDJSON line in, one out, through a `grite batch`
//   process (JSON parse, op args, request, round trip, render, write);
// - grite mcp: one tools/call through the SDK's own client and a `grite mcp`
//   process (JSON-RPC both ways, zod on both sides);
// - a `grite` process per query (`grite issue show <id> --json`): Node's
//   start-up every time; fewer runs, it is slow.
// Requests go one at a time (an agent waits for each answer), the four ways
// interleaved in blocks so load from elsewhere falls on all alike. Then the
// throughput of `grite batch` with many requests in flight.
// The goal (issue 8): `issue show` through grite batch at most 0.5 ms p50.
// Prints one JSON document; compare the ratios, not absolute times.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const BIN = join(root, 'packages', 'cli', 'bin', 'run.cjs');
const quick = process.argv.includes('--quick');
const N = quick ? 1_000 : 10_000;
const BLOCK = quick ? 100 : 500;
const CLI_RUNS = quick ? 10 : 40;
const ISSUES = 200;

const P = await import(join(root, 'packages', 'protocol', 'dist', 'index.js'));
const C = await import(join(root, 'packages', 'daemon', 'dist', 'client.js'));
const requireFromCli = createRequire(join(root, 'packages', 'cli', 'package.json'));
const { Client } = await import(requireFromCli.resolve('@modelcontextprotocol/client'));
const { StdioClientTransport } = await import(requireFromCli.resolve('@modelcontextprotocol/client/stdio'));

const xdg = mkdtempSync(join(tmpdir(), 'grite-bench-xdg-'));
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-bench-agents-')));
const env = { ...process.env, XDG_RUNTIME_DIR: xdg, NO_COLOR: '1' };
delete env.GRITE_NO_DAEMON;
const progress = (what) => process.stderr.write(`bench/agents: ${what}\n`);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function summary(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return { n: s.length, p50_us: +(at(50) * 1000).toFixed(1), p99_us: +(at(99) * 1000).toFixed(1) };
}

function grite(args, input) {
  return execFileSync(process.execPath, [BIN, ...args], { cwd: dir, env, input, encoding: 'utf8' });
}

/** A `grite batch` process (or the stdio echo): send(line object) resolves with the parsed answer. */
function batchSession(script = [BIN, 'batch']) {
  const child = spawn(process.execPath, script, { cwd: dir, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map();
  let buf = '';
  let hello;
  const ready = new Promise((r) => (hello = r));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const a = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (a.hello) hello();
      else if (a.id !== undefined) {
        const w = waiting.get(a.id);
        waiting.delete(a.id);
        w?.(a);
      }
    }
  });
  let next = 0;
  return {
    ready,
    send(op, args) {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.stdin.write(`${JSON.stringify({ id, op, args })}\n`);
      });
    },
    close() {
      child.stdin.end();
      return new Promise((r) => child.on('close', r));
    },
  };
}

const cleanup = [];
const out = { machine: { node: process.version, cpus: cpus().length }, requests_per_way: N, issues: ISSUES };
try {
  progress(`setting up ${ISSUES} issues`);
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'init'], {
    cwd: dir,
    env: { ...env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' },
  });
  const creates = Array.from({ length: ISSUES }, (_, i) =>
    JSON.stringify({ id: i, op: 'issue create', args: { title: `Issue ${i}: something to fix`, body: 'x'.repeat(400), label: ['bug', `area-${i % 7}`] } }),
  );
  const made = grite(['batch', '--atomic', '--no-daemon'], creates.join('\n'));
  const issueIds = made.trim().split('\n').slice(1).map((l) => JSON.parse(l).data.issue_id);
  const show = issueIds[17];
  const comments = Array.from({ length: 3 }, (_, i) => JSON.stringify({ id: i, op: 'issue comment', args: { id: show, body: `comment ${i}` } }));
  grite(['batch', '--no-daemon'], comments.join('\n'));
  grite(['daemon', 'start', '--idle-timeout', '0', '--json']);
  cleanup.push(() => grite(['daemon', 'stop', '--json']));
  const commonDir = realpathSync(join(dir, '.git'));

  progress('connecting');
  // The raw connection reconnects if the daemon is replaced mid-run (in a
  // shared checkout, a rebuild changes the build id and the next CLI replaces
  // the daemon); the run reports how often that happened.
  let conn = await C.connectOrSpawn({ commonDir, spawn: false, build: C.currentBuild() });
  if (!conn) throw new Error('no daemon connection');
  out.daemon_replaced = 0;
  cleanup.push(() => conn.dispose());
  const batch = batchSession();
  await batch.ready;
  cleanup.push(() => batch.close());
  const echo = batchSession([join(here, 'echo.mjs')]);
  cleanup.push(() => echo.close());
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], cwd: dir, env, stderr: 'inherit' });
  const mcp = new Client({ name: 'bench', version: '1.0.0' });
  await mcp.connect(transport);
  cleanup.push(() => mcp.close());

  const queries = {
    'issue show': {
      raw: () => new P.IssueShowT(show, 0, null),
      batch: ['issue show', { id: show }],
      mcp: ['issue_show', { id: show }],
      cli: ['issue', 'show', show, '--json'],
    },
    'issue list --limit 50': {
      raw: () => new P.IssueListT(P.StateFilter.any, [], null, null, P.IssueSort.id, 50, null),
      batch: ['issue list', { limit: 50 }],
      mcp: ['issue_list', { limit: 50, state: 'all' }],
      cli: ['issue', 'list', '--limit', '50', '--json'],
    },
  };

  const ways = {
    pipe: async (q) => {
      const a = await echo.send(...q.batch);
      if (!a.ok) throw new Error('echo failed');
    },
    raw: async (q) => {
      let resp;
      try {
        resp = await conn.request(P.encodeRequest({ repo: commonDir, command: q.raw() }));
      } catch (e) {
        if (e.code !== 'ipc_error') throw e;
        out.daemon_replaced++;
        conn = await C.connectOrSpawn({ commonDir, spawn: true, build: C.currentBuild() });
        resp = await conn.request(P.encodeRequest({ repo: commonDir, command: q.raw() }));
      }
      if (!resp.ok()) throw new Error('raw request failed');
    },
    batch: async (q) => {
      const a = await batch.send(...q.batch);
      if (!a.ok) throw new Error(`batch: ${JSON.stringify(a.error)}`);
    },
    mcp: async (q) => {
      const r = await mcp.callTool({ name: q.mcp[0], arguments: q.mcp[1] });
      if (r.isError) throw new Error(`mcp: ${r.content[0].text}`);
    },
  };

  // Warm every path (the daemon's caches, JIT in each process).
  for (const q of Object.values(queries)) for (const w of Object.values(ways)) for (let i = 0; i < 200; i++) await w(q);

  out.latency = {};
  for (const [name, q] of Object.entries(queries)) {
    progress(`${name}: ${N} requests each way, one at a time`);
    const samples = { pipe: [], raw: [], batch: [], mcp: [], cli: [] };
    const blocks = N / BLOCK;
    const cliEvery = Math.max(1, Math.floor(blocks / CLI_RUNS));
    for (let b = 0; b < blocks; b++) {
      for (const [way, run] of Object.entries(ways)) {
        for (let i = 0; i < BLOCK; i++) {
          const t = nowMs();
          await run(q);
          samples[way].push(nowMs() - t);
        }
      }
      if (b % cliEvery === 0 && samples.cli.length < CLI_RUNS) {
        const t = nowMs();
        grite(q.cli);
        samples.cli.push(nowMs() - t);
      }
    }
    while (samples.cli.length < CLI_RUNS) {
      const t = nowMs();
      grite(q.cli);
      samples.cli.push(nowMs() - t);
    }
    const res = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summary(v)]));
    const floor = res.raw.p50_us;
    for (const k of Object.keys(res)) res[k].p50_vs_raw = +(res[k].p50_us / floor).toFixed(2);
    out.latency[name] = res;
  }

  // Throughput: `issue show` with 256 requests in flight, through grite batch
  // and straight over the protocol connection (the daemon's own rate).
  const throughput = async (label, one) => {
    progress(`throughput: ${label} with 256 requests in flight`);
    const t0 = nowMs();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (sent < N) {
          sent++;
          await one();
        }
      }),
    );
    return Math.round(N / ((nowMs() - t0) / 1000));
  };
  const q = queries['issue show'];
  out.throughput_issue_show = {
    requests: N,
    in_flight: 256,
    raw_req_per_s: await throughput('raw IPC', () => ways.raw(q)),
    batch_req_per_s: await throughput('grite batch', () => ways.batch(q)),
  };

  const p50 = out.latency['issue show'].batch.p50_us;
  out.goal = { what: 'issue show through grite batch, p50', limit_us: 500, measured_us: p50, met: p50 <= 500 };
} finally {
  for (const f of cleanup.reverse()) {
    try {
      await f();
    } catch {
      // Best effort: the scratch directories go anyway.
    }
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(xdg, { recursive: true, force: true });
}
console.log(JSON.stringify(out, null, 2));
