#!/usr/bin/env node
// CLI start-up: `pnpm build`, then `node bench/cli-startup/run.mjs [--runs N] [--issues N]`.
//
// Interleaved in one run (each round runs every command once, in turn, so
// machine noise falls on all alike), medians of at least 40 runs each:
//   node -e 0                      the floor
//   minimal client                 one Unix-socket round trip to the daemon
//   grite --version                full oclif
//   grite issue list --limit 50 --json   through the warm daemon
//   grite issue show <id> --json         through the warm daemon
//   the same two with --no-daemon  (in-process engine)
// Goals (DESIGN.md section 10): hot commands within 1.3x of `node -e 0` and
// within 1.1x of the minimal client.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRepo } from './fixture.mjs';
import { encodeRequest, encodeFrame, IssueListT } from '../../packages/protocol/dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = Math.max(40, arg('--runs', 40));
const ISSUES = arg('--issues', 10000);
const BIN = fileURLToPath(new URL('../../packages/cli/bin/run.cjs', import.meta.url));

console.error(`building a repository of ${ISSUES} issues through core...`);
const t0 = Date.now();
const { dir, ids } = await buildRepo(ISSUES);
console.error(`  built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${dir}`);
const env = { ...process.env, GRITE_NO_DAEMON: '' };
delete env.GRITE_NO_DAEMON;

function run(args, extraEnv = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: dir, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, out: r.stdout };
}

try {
  const start = JSON.parse(run([BIN, 'daemon', 'start', '--idle-timeout', '0', '--json']).out).data;
  const status = JSON.parse(run([BIN, 'daemon', 'status', '--json']).out).data.daemon;
  const commonDir = join(dir, '.git');
  const frame = encodeFrame(encodeRequest({ repo: execFileSync('realpath', [commonDir], { encoding: 'utf8' }).trim(), command: new IssueListT(0, [], null, null, 0, 50) }));
  const framePath = join(dir, '.git', 'bench-frame.bin');
  writeFileSync(framePath, frame);
  const show = ids[Math.floor(ids.length / 2)];
  const cases = [
    ['node -e 0', ['-e', '0']],
    ['minimal client (1 round trip)', [fileURLToPath(new URL('./minimal-client.mjs', import.meta.url)), status.socket, framePath]],
    ['grite --version (oclif)', [BIN, '--version']],
    ['issue list --limit 50 --json (daemon)', [BIN, 'issue', 'list', '--limit', '50', '--json']],
    ['issue show <id> --json (daemon)', [BIN, 'issue', 'show', show, '--json']],
    ['issue list --limit 50 --json (--no-daemon)', [BIN, 'issue', 'list', '--limit', '50', '--json', '--no-daemon']],
    ['issue show <id> --json (--no-daemon)', [BIN, 'issue', 'show', show, '--json', '--no-daemon']],
  ];
  // Warm-up: page cache, the daemon's view, the bundle.
  for (const [, a] of cases) run(a);
  const times = cases.map(() => []);
  for (let i = 0; i < RUNS; i++) cases.forEach(([, a], k) => times[k].push(run(a).ms));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const med = times.map(median);
  const floor = med[0];
  const client = med[1];
  console.log(`\nCLI start-up, medians of ${RUNS} interleaved runs, ${ISSUES} issues (daemon pid ${start.pid})\n`);
  console.log('| command | median ms | / node -e 0 | / minimal client |');
  console.log('|---|---:|---:|---:|');
  cases.forEach(([name], k) => {
    console.log(`| ${name} | ${med[k].toFixed(1)} | ${(med[k] / floor).toFixed(2)}x | ${(med[k] / client).toFixed(2)}x |`);
  });
  const hot = [med[3], med[4]];
  console.log(`\ngoal: hot commands within 1.3x of node -e 0: ${hot.map((h) => (h / floor).toFixed(2) + 'x').join(', ')}`);
  console.log(`goal: hot commands within 1.1x of the minimal client: ${hot.map((h) => (h / client).toFixed(2) + 'x').join(', ')}`);
} finally {
  try {
    run([BIN, 'daemon', 'stop']);
  } catch {
    // Already gone.
  }
  rmSync(dir, { recursive: true, force: true });
}
