#!/usr/bin/env node
// Daemon benchmark: `pnpm build`, then `node bench/daemon/run.mjs [--quick] [--pin CPU]`.
// Plain node, no TypeScript loader. Never part of the test run.
//
// --pin CPU runs this process, the daemon, the echo server and the writers
// on that one CPU (re-run under `taskset -c CPU`; children inherit it). A
// round trip between two processes costs very different times here
// depending on whether the scheduler puts them on one CPU or two, and it
// does not place the daemon and the echo server alike: pinned, both pay the
// same wake-ups and the comparison is of the work alone.
//
// 1. Round trip: one IssueShow on a warm connection to a real daemon (the
//    protocol client, the daemon's server and engine, answered from the
//    warm view) against a raw Unix-socket echo that answers each frame with
//    the same response bytes and does nothing else (echo-server.mjs); and
//    Hello, which the daemon's server answers without the engine, to tell
//    the server's share from the engine's. Both servers are separate
//    processes; p50/p99 back to back and one request at a time (see below),
//    then throughput with 16
//    requests in flight.
// 2. Writes: acknowledged events/s from 16 long-lived protocol connections
//    writing IssueCreate through one daemon, against 16 processes each
//    running the engine in-process on another fresh repository
//    (inproc-writer.mjs). The 16 daemon clients share this process: on a
//    small machine 16 client processes would take the CPU the daemon needs.
// Figures are from this run only: compare the ratios, not absolute times.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dist, nowMs, requireBuilt, scratchRepo, summary, writeFor } from './common.mjs';

const pinAt = process.argv.indexOf('--pin');
const pinCpu = pinAt > 0 ? process.argv[pinAt + 1] : undefined;
if (pinCpu !== undefined && process.env.GRITE_BENCH_PINNED !== pinCpu) {
  if (!/^\d+$/.test(pinCpu)) throw new Error(`--pin wants a CPU number, got ${pinCpu}`);
  const r = spawnSync('taskset', ['-c', pinCpu, process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, GRITE_BENCH_PINNED: pinCpu },
  });
  if (r.error) throw new Error(`--pin needs taskset (util-linux): ${r.error.message}`);
  process.exit(r.status ?? 1);
}
requireBuilt();
const quick = process.argv.includes('--quick');
const P = await import(dist.protocol);
const C = await import(dist.client);

const xdg = mkdtempSync('/tmp/grite-bench-xdg-');
process.env.XDG_RUNTIME_DIR = xdg;
const cleanup = [];
const out = { machine: { node: process.version, cpus: (await import('node:os')).cpus().length, pinned_cpu: pinCpu ?? null } };

function progress(what) {
  process.stderr.write(`bench/daemon: ${what}\n`);
}

function lines(stream) {
  return createInterface({ input: stream });
}
function waitLine(stream, want) {
  return new Promise((resolve, reject) => {
    const rl = lines(stream);
    rl.on('line', (l) => {
      if (want === undefined || l === want) {
        resolve(l);
        rl.close();
      }
    });
    rl.on('close', () => reject(new Error('stream ended')));
  });
}

async function daemonFor(commonDir) {
  const started = await C.startDaemon(commonDir, { idleTimeoutS: 0, timeoutMs: 20_000 });
  if (!started) throw new Error('could not start a daemon');
  cleanup.push(() => C.stopDaemon(commonDir));
  const conn = await C.connectOrSpawn({ commonDir, spawn: false, build: C.currentBuild(), timeoutMs: 5_000 });
  if (!conn) throw new Error('could not connect');
  return conn;
}

/** A raw framed client: send a frame, resolve with the next whole frame. */
function rawClient(socketPath) {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    s.setNoDelay(true);
    const waiting = [];
    let buf = Buffer.alloc(0);
    s.on('data', (chunk) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 4) {
        const len = buf.readUInt32BE(0);
        if (buf.length < 4 + len) break;
        const frame = buf.subarray(4, 4 + len);
        buf = buf.subarray(4 + len);
        waiting.shift()(frame);
      }
    });
    s.once('error', reject);
    s.once('connect', () =>
      resolve({
        send(frame) {
          return new Promise((r) => {
            waiting.push(r);
            s.write(frame);
          });
        },
        close: () => s.destroy(),
      }),
    );
  });
}

async function timeSequential(fn, n) {
  const samples = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = nowMs();
    await fn();
    samples[i] = nowMs() - t0;
  }
  return samples;
}

async function throughput(fn, inFlight, ms) {
  const end = nowMs() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (nowMs() < end) {
        await fn();
        done++;
      }
    }),
  );
  return Math.round(done / (ms / 1000));
}

try {
  // ------------------------------------------------------------ round trip
  progress('round trip');
  const repo = scratchRepo('grite-bench-daemon-');
  cleanup.push(() => rmSync(repo.dir, { recursive: true, force: true }));
  const conn = await daemonFor(repo.commonDir);
  const actor = randomBytes(16);
  const created = await conn.request(
    P.encodeRequest({
      repo: repo.commonDir,
      actorId: actor,
      command: new P.IssueCreateT(Array.from(randomBytes(16)), BigInt(Date.now()), 'A benchmark issue', 'with a body of some length '.repeat(8), ['bench', 'ipc'], ['alice']),
    }),
  );
  if (!created.ok()) throw new Error(`create failed: ${created.error()?.message()}`);
  const issueHex = Buffer.from(created.result(new P.IssueWriteResult()).issueIdArray()).toString('hex');
  const show = () => conn.request(P.encodeRequest({ repo: repo.commonDir, command: new P.IssueShowT(issueHex) }));
  const sample = await show();
  if (!sample.ok()) throw new Error(`show failed: ${sample.error()?.message()}`);
  // The accessor reads the frame's message in place: its buffer is the response.
  const respBytes = sample.bb.bytes().slice();
  const replyFile = join(xdg, 'reply.bin');
  writeFileSync(replyFile, P.encodeFrame(respBytes));
  const echoSock = join(xdg, 'echo.sock');
  const echo = spawn(process.execPath, [new URL('./echo-server.mjs', import.meta.url).pathname, echoSock, replyFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  cleanup.push(() => echo.kill());
  await waitLine(echo.stdout, 'ready');
  const raw = await rawClient(echoSock);
  cleanup.push(() => raw.close());
  const reqFrame = P.encodeFrame(P.encodeRequest({ repo: repo.commonDir, command: new P.IssueShowT(issueHex) }));
  const rawShow = () => raw.send(reqFrame);

  // Hello is answered by the daemon's server without the engine: the
  // server's own share of a round trip.
  const hello = () => conn.request(P.encodeRequest({ repo: repo.commonDir, command: new P.HelloT(P.SCHEMA_VERSION, 'bench') }));

  // Two ways, each with the three kinds interleaved so that the machine's
  // noise falls on all alike (long blocks of one kind were seen to differ by
  // 3x from one block to the next here):
  // - back to back: short blocks of each kind in turn (the first few of a
  //   block dropped: they pay for waking the other process), both processes
  //   staying busy, as under a stream of requests;
  // - one at a time: one request of each kind in turn, so that every
  //   request finds its server idle, as an agent's occasional call does.
  await timeSequential(show, 500);
  await timeSequential(hello, 500);
  await timeSequential(rawShow, 500);
  const kinds = () => [
    [show, []],
    [hello, []],
    [rawShow, []],
  ];
  const b2b = kinds();
  for (let i = 0; i < (quick ? 40 : 160); i++) {
    for (let k = 0; k < 3; k++) {
      const [fn, into] = b2b[(i + k) % 3];
      into.push(...(await timeSequential(fn, 25)).slice(5));
    }
  }
  const single = kinds();
  for (let i = 0; i < (quick ? 1000 : 4000); i++) {
    for (let k = 0; k < 3; k++) {
      const [fn, into] = single[(i + k) % 3];
      into.push(...(await timeSequential(fn, 1)));
    }
  }
  const [ds, hs, rs] = b2b.map(([, xs]) => summary(xs));
  const [ds1, hs1, rs1] = single.map(([, xs]) => summary(xs));
  const tputMs = quick ? 1000 : 3000;
  const dT = await throughput(show, 16, tputMs);
  const hT = await throughput(hello, 16, tputMs);
  const rT = await throughput(rawShow, 16, tputMs);
  out.round_trip = {
    response_bytes: respBytes.length,
    daemon_issue_show: { ...ds, per_s_16_in_flight: dT },
    daemon_hello_no_engine: { ...hs, per_s_16_in_flight: hT },
    raw_echo: { ...rs, per_s_16_in_flight: rT },
    ratio_p50: +(ds.p50_us / rs.p50_us).toFixed(2),
    ratio_p99: +(ds.p99_us / rs.p99_us).toFixed(2),
    ratio_throughput: +(rT / dT).toFixed(2),
    hello_ratio_p50: +(hs.p50_us / rs.p50_us).toFixed(2),
    one_at_a_time: {
      daemon_issue_show: ds1,
      daemon_hello_no_engine: hs1,
      raw_echo: rs1,
      ratio_p50: +(ds1.p50_us / rs1.p50_us).toFixed(2),
      hello_ratio_p50: +(hs1.p50_us / rs1.p50_us).toFixed(2),
    },
  };
  conn.dispose();

  // ------------------------------------------------------------ writes
  progress('writes through the daemon');
  const seconds = quick ? 2 : 5;
  const W = 16;
  const wrepo = scratchRepo('grite-bench-writes-');
  cleanup.push(() => rmSync(wrepo.dir, { recursive: true, force: true }));
  const first = await daemonFor(wrepo.commonDir);
  const conns = [first];
  for (let i = 1; i < W; i++) {
    const c = await C.connectOrSpawn({ commonDir: wrepo.commonDir, spawn: false, build: C.currentBuild() });
    if (!c) throw new Error('could not connect');
    conns.push(c);
  }
  const counts = await writeFor(P, conns, wrepo.commonDir, seconds);
  for (const c of conns) c.dispose();
  const viaDaemon = counts.reduce((a, b) => a + b, 0) / seconds;

  progress('writes in-process');
  const irepo = scratchRepo('grite-bench-inproc-');
  cleanup.push(() => rmSync(irepo.dir, { recursive: true, force: true }));
  const writers = Array.from({ length: W }, () =>
    spawn(process.execPath, [new URL('./inproc-writer.mjs', import.meta.url).pathname, irepo.commonDir, String(seconds)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  for (const w of writers) cleanup.push(() => w.kill());
  // One reader per writer (a readline would pause the stream when closed).
  const readies = [];
  const outputs = writers.map((w) => {
    let s = '';
    let ready;
    readies.push(new Promise((r) => (ready = r)));
    w.stdout.on('data', (c) => {
      s += c;
      if (s.startsWith('ready\n')) ready();
    });
    return new Promise((resolve, reject) =>
      w.once('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`in-process writer exited with ${code}`)))),
    );
  });
  await Promise.race([Promise.all(readies), Promise.all(outputs)]);
  for (const w of writers) w.stdin.end('go\n');
  const inproc = (await Promise.all(outputs)).map((s) => JSON.parse(s.trim().split('\n').pop()).acked).reduce((a, b) => a + b, 0) / seconds;
  out.writes = {
    clients: W,
    seconds,
    daemon_events_per_s: Math.round(viaDaemon),
    in_process_16_procs_events_per_s: Math.round(inproc),
    ratio: +(viaDaemon / inproc).toFixed(2),
    goal_events_per_s: 1000,
  };
} finally {
  for (const f of cleanup.reverse()) {
    try {
      await f();
    } catch {}
  }
  rmSync(xdg, { recursive: true, force: true });
}
console.log(JSON.stringify(out, null, 2));
