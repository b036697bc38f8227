#!/usr/bin/env node
// The write half of run.mjs alone, for looking into the daemon's write path:
// `pnpm build`, then
//   node bench/daemon/writes.mjs [--seconds N] [--clients N] [--runs N] [--cpu-prof DIR]
// 16 long-lived protocol connections (each its own actor) write IssueCreate
// through one daemon for N seconds (default 5); prints acknowledged events/s
// per run, the CPU time per event of the daemon and of the clients, and the
// load average when it started. `--cpu-prof DIR` starts the
// daemon under the V8 CPU profiler (profiled-main.mjs), the profile written
// to DIR when it stops. Never part of the test run.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { dist, requireBuilt, scratchRepo, writeFor } from './common.mjs';

requireBuilt();
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '16' },
    runs: { type: 'string', default: '1' },
    'cpu-prof': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const W = Number(values.clients);
const P = await import(dist.protocol);
const C = await import(dist.client);

const xdg = mkdtempSync('/tmp/grite-bench-xdg-');
process.env.XDG_RUNTIME_DIR = xdg;
const profDir = values['cpu-prof'];
if (profDir !== undefined) process.env.GRITE_BENCH_PROF_DIR = profDir;
const mainPath = profDir !== undefined ? new URL('./profiled-main.mjs', import.meta.url).pathname : undefined;

/** CPU time of a process (all its threads, not its children) in ms, user and system, from /proc (Linux); NaN elsewhere. */
function cpuMsOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux).
    return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
  } catch {
    return { user: NaN, system: NaN };
  }
}

const results = [];
try {
  for (let run = 0; run < Number(values.runs); run++) {
    const repo = scratchRepo('grite-bench-writes-');
    try {
      const started = await C.startDaemon(repo.commonDir, { idleTimeoutS: 0, timeoutMs: 20_000, ...(mainPath ? { mainPath } : {}) });
      if (!started) throw new Error('could not start a daemon');
      const conns = [];
      for (let i = 0; i < W; i++) {
        const c = await C.connectOrSpawn({ commonDir: repo.commonDir, spawn: false, build: C.currentBuild(), timeoutMs: 5_000 });
        if (!c) throw new Error('could not connect');
        conns.push(c);
      }
      const load = loadavg()[0];
      const daemonCpu0 = cpuMsOf(started.pid);
      const selfCpu0 = process.cpuUsage();
      const counts = await writeFor(P, conns, repo.commonDir, seconds);
      const daemonCpu1 = cpuMsOf(started.pid);
      const selfCpu = process.cpuUsage(selfCpu0);
      for (const c of conns) c.dispose();
      await C.stopDaemon(repo.commonDir);
      const events = counts.reduce((a, b) => a + b, 0);
      results.push({
        events_per_s: Math.round(events / seconds),
        events,
        // CPU per acknowledged event: the daemon (all its threads) and the 16 clients (this process).
        daemon_user_cpu_us_per_event: Math.round(((daemonCpu1.user - daemonCpu0.user) * 1000) / events),
        daemon_system_cpu_us_per_event: Math.round(((daemonCpu1.system - daemonCpu0.system) * 1000) / events),
        clients_cpu_us_per_event: Math.round((selfCpu.user + selfCpu.system) / events),
        load_avg_1m: +load.toFixed(2),
      });
      process.stderr.write(`bench/daemon/writes: run ${run + 1}: ${JSON.stringify(results.at(-1))}\n`);
    } finally {
      try {
        await C.stopDaemon(repo.commonDir);
      } catch {}
      rmSync(repo.dir, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(xdg, { recursive: true, force: true });
}
console.log(JSON.stringify({ clients: W, seconds, runs: results }, null, 2));
