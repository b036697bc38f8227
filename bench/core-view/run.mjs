#!/usr/bin/env node
// Core view benchmark: `pnpm build` (or `pnpm exec tsc -b packages/core`),
// then `node bench/core-view/run.mjs [--quick] [--fixture DIR]`.
// Plain node, no TypeScript loader.
//
// 1. Rebuild: 100,000 events in 10,000 packed WAL commits (10,000 issues),
//    Store.rebuild() (walk the log through git, decode, verify, load the
//    view) against the floor: `git rev-list --objects` piped into
//    `git cat-file --batch`, reading the same blobs (meta.json and chunk of
//    every commit) and nothing more. Goal: within 2x. Also split into the
//    walk alone (Wal.readAll) and the view load alone (View.replaceAll of
//    events already in memory).
// 2. Catch-up after new commits: how many commits it reads (counted).
// 3. Queries over 10,000 issues (the rebuilt view) and 100,000 issues (a
//    view loaded from synthetic events): filtered list, full-text search,
//    ready, and a few more; median of many runs.
// Ratios are within this run only: absolute times drift between runs (and
// on a shared machine, a lot).
//
// --fixture DIR keeps the git fixture in DIR and reuses it on later runs.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, '..', '..', 'packages', 'core', 'dist', 'index.js'))) {
  console.error('bench/core-view: packages/core is not built; run `pnpm build` first.');
  process.exit(2);
}
const { Store, View, Wal, createEvent, toHex } = await import('../../packages/core/dist/index.js');
const { gitFixture, syntheticEvents } = await import('./fixture.mjs');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const fixtureArg = args.indexOf('--fixture');
const COMMITS = quick ? 2_000 : 10_000;
const PER_COMMIT = 10;
const BIG_ISSUES = quick ? 20_000 : 100_000;
const BIG_PER_ISSUE = 4;
const ROUNDS = quick ? 3 : 5;

const scratch = mkdtempSync(join(tmpdir(), 'grite-bench-view-'));
const fixtureDir = fixtureArg >= 0 ? args[fixtureArg + 1] : join(scratch, 'repo');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const cpuMs = (c) => (c.user + c.system) / 1000;
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)).padStart(8);

/**
 * Runs `script` under bash and adds `times` (the CPU of bash and of every
 * child it waited for) to the wall time: on a busy machine CPU time is the
 * steadier measure of work, wall time the one users feel.
 */
function timed(script, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('bash', ['-c', `${script}\ntimes >&2`], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${script}: exit ${code}\n${err}`));
      const secs = [...err.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      const cpu = secs.slice(-4).reduce((a, b) => a + b, 0) * 1000;
      resolve({ ms, cpu, out });
    });
  });
}

/** The floor: rev-list --objects (blobs only) | cat-file --batch, every byte read. */
function floorOnce(gitDir) {
  return timed(
    'git rev-list --objects --no-object-names --filter=object:type=blob refs/grite/wal | git cat-file --batch > /dev/null',
    { GIT_DIR: gitDir },
  );
}

/** Store.rebuild() in a node process of its own (its start-up is not counted in `ms`, only in `cpu`). */
async function rebuildOnce(gitDir) {
  const r = await timed(`${JSON.stringify(process.execPath)} ${JSON.stringify(join(here, 'rebuild-once.mjs'))} ${JSON.stringify(gitDir)}`, {});
  const inner = JSON.parse(r.out.trim().split('\n').pop());
  return { ms: inner.ms, cpu: r.cpu, r: inner };
}

/** Store.rebuild() in this process (JIT warm after the first round); node CPU only. */
async function rebuildWarmOnce(gitDir) {
  const store = await Store.open({ commonDir: gitDir, catchUp: false });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await store.rebuild();
  const ms = performance.now() - t0;
  const cpu = cpuMs(process.cpuUsage(c0));
  await store.close();
  return { ms, cpu };
}

/** CPU of a bare `node -e 0`, subtracted from the rebuild's so start-up is not counted. */
function nodeStartOnce() {
  return timed(`${JSON.stringify(process.execPath)} -e 0`, {});
}

/** The walk alone; `cpu` is this process's only (git's is not counted). */
async function walkOnce(gitDir) {
  const wal = Wal.open(gitDir);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await wal.readAll();
  const ms = performance.now() - t0;
  const cpu = cpuMs(process.cpuUsage(c0));
  await wal.close();
  return { ms, cpu, events: r.events };
}

function viewLoadOnce(path, events) {
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  const v = View.open(path);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  v.replaceAll(events, { walHead: null });
  const ms = performance.now() - t0;
  const cpu = cpuMs(process.cpuUsage(c0));
  v.close();
  return { ms, cpu };
}

function timeQuery(fn, runs) {
  fn();
  fn();
  const times = [];
  let out;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), out };
}

function queries(view, label) {
  const ids = view.listIssues({ sort: 'id', limit: 1000 }).issues.map((i) => i.issueId);
  const someId = ids[Math.floor(ids.length / 2)];
  const rows = [
    ['list open, limit 50 (by updated)', () => view.listIssues({ state: 'open', limit: 50 })],
    ['list open + label bug, limit 50', () => view.listIssues({ state: 'open', labels: ['bug'], limit: 50 })],
    ['list label area-7 + p1, limit 50', () => view.listIssues({ labels: ['area-7', 'p1'], limit: 50 })],
    ['list open + assignee user7, limit 50', () => view.listIssues({ state: 'open', assignee: 'user7', limit: 50 })],
    ['search rare word "kalomi", limit 50', () => view.listIssues({ text: 'kalomi', limit: 50 })],
    ['search "venpha crash" open, limit 50', () => view.listIssues({ text: 'venpha crash', state: 'open', limit: 50 })],
    ['search common word "parser", limit 50', () => view.listIssues({ text: 'parser', limit: 50 })],
    ['ready, limit 50', () => view.ready(50)],
    ['ready, all', () => view.ready()],
    ['list all, no limit', () => view.listIssues({})],
    ['show (getIssue)', () => view.getIssue(someId)],
    ['resolve 8-hex prefix', () => view.resolveIssueRef(toHex(someId).slice(0, 8))],
  ];
  console.log(`\nQueries over ${label} issues (median ms)`);
  for (const [name, fn] of rows) {
    const heavy = name.endsWith('all') || name.endsWith('no limit');
    const { ms, out } = timeQuery(fn, heavy ? 5 : 40);
    const n = Array.isArray(out) ? `${out.length} rows` : out && 'total' in out ? `${out.issues.length} of ${out.total}` : '';
    console.log(`  ${name.padEnd(40)} ${fmt(ms)} ms   ${n}`);
  }
}

try {
  console.log(`core view benchmark${quick ? ' (--quick)' : ''}: ${COMMITS} commits x ${PER_COMMIT} events`);
  let t0 = performance.now();
  const fx = await gitFixture(fixtureDir, COMMITS, PER_COMMIT);
  console.log(`fixture: ${fx.events} events in ${fx.commits} packed commits (${((performance.now() - t0) / 1000).toFixed(1)} s to build or load)`);

  // 1. Rebuild vs the floor, interleaved.
  const floor = [];
  const rebuild = [];
  const warm = [];
  const walk = [];
  const load = [];
  const start = [];
  let events = null;
  let last = null;
  const loadPath = join(scratch, 'load.sqlite');
  for (let round = 0; round < ROUNDS; round++) {
    floor.push(await floorOnce(fx.gitDir));
    start.push(await nodeStartOnce());
    const r = await rebuildOnce(fx.gitDir);
    rebuild.push(r);
    last = r.r;
    warm.push(await rebuildWarmOnce(fx.gitDir));
    const w = await walkOnce(fx.gitDir);
    walk.push(w);
    events = w.events;
    load.push(viewLoadOnce(loadPath, events));
  }
  const med = (xs, k) => median(xs.map((x) => x[k]));
  const fWall = med(floor, 'ms');
  const fCpu = med(floor, 'cpu');
  const rWall = med(rebuild, 'ms');
  const rCpu = med(rebuild, 'cpu') - med(start, 'cpu');
  const viewBytes = statSync(join(fx.gitDir, 'grite', 'view.sqlite')).size;
  const line = (name, wall, cpu, note = '') =>
    console.log(`  ${name.padEnd(44)} wall ${fmt(wall)} ms (${(wall / fWall).toFixed(2)}x)   cpu ${fmt(cpu)} ms (${(cpu / fCpu).toFixed(2)}x)${note}`);
  console.log(`\nRebuild (median of ${ROUNDS}, interleaved; ratios to the floor; cpu = user + sys, git children included where noted)`);
  line('floor: rev-list | cat-file --batch (blobs)', fWall, fCpu, '   [git]');
  line('Store.rebuild(), in this process (warm)', med(warm, 'ms'), med(warm, 'cpu'), '   [node only]   goal: wall <= 2x');
  line('Store.rebuild(), in a fresh process', rWall, rCpu, '   [node + git, node start-up subtracted]');
  line('  walk alone (Wal.readAll)', med(walk, 'ms'), med(walk, 'cpu'), '   [node only]');
  line('  view load alone (View.replaceAll)', med(load, 'ms'), med(load, 'cpu'), '   [node only]');
  console.log(`  rebuilt: ${last.eventCount} events, ${last.commitsRead} commits, ${last.warnings} warnings; view.sqlite ${(viewBytes / 1e6).toFixed(1)} MB`);

  // 2. Catch-up reads only the new commits.
  const store = await Store.open({ commonDir: fx.gitDir, catchUp: false });
  const bare = Wal.open(fx.gitDir, { fsync: false, autoPack: false });
  const issue = store.view.listIssues({ sort: 'id', limit: 1 }).issues[0].issueId;
  const actor = new Uint8Array(16).fill(9);
  let head = fx.head;
  for (let i = 0; i < 5; i++) head = await bare.writeCommits([createEvent({ issueId: issue, actor, ts: 1_800_000_000_000 + i, kind: { type: 'CommentAdded', body: `new ${i}` } })], head);
  await bare.close();
  const { execFileSync } = await import('node:child_process');
  execFileSync('git', ['update-ref', 'refs/grite/wal', head], { env: { ...process.env, GIT_DIR: fx.gitDir } });
  t0 = performance.now();
  const cu = await store.catchUp();
  console.log(`\nCatch-up after 5 new commits on a ${COMMITS}-commit log: read ${cu.commitsRead} commits, applied ${cu.eventsApplied} events (${fmt(performance.now() - t0).trim()} ms)`);
  execFileSync('git', ['update-ref', 'refs/grite/wal', fx.head], { env: { ...process.env, GIT_DIR: fx.gitDir } });

  // 3. Queries.
  await store.catchUp();
  queries(store.view, COMMITS.toLocaleString('en'));
  await store.close();

  t0 = performance.now();
  const big = syntheticEvents(BIG_ISSUES, BIG_PER_ISSUE);
  const bigView = View.open(join(scratch, 'big.sqlite'));
  const tg = performance.now() - t0;
  t0 = performance.now();
  bigView.replaceAll(big, { walHead: null });
  console.log(`\n(${BIG_ISSUES.toLocaleString('en')}-issue view: ${big.length} synthetic events, generated in ${(tg / 1000).toFixed(1)} s, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  queries(bigView, BIG_ISSUES.toLocaleString('en'));
  bigView.close();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
