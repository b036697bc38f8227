#!/usr/bin/env node
// Sync benchmark: `pnpm build` (or `pnpm exec tsc -b packages/core`), then
// `node bench/sync/run.mjs [--quick] [--rounds N]`. Plain node, no TypeScript loader.
//
// 1. Pull: a fresh clone takes 10,000 new events (1,000 WAL commits of 10)
//    from a bare origin: syncPull on the clone's common git dir (opens the
//    store and its empty view, fetches, sets the WAL, catches the view up)
//    against the floor, a plain `git fetch` of the same refs into a fresh
//    clone.
// 2. Push: a clone in step with origin has 1,000 local events (100 commits
//    of 10) to send: syncPush (fetch-free push, counting what was sent)
//    against `git push origin refs/grite/wal:refs/grite/wal` from an
//    identical copy. Every round starts from fresh copies of the origin and
//    the clone.
// Medians over interleaved rounds (alternating which runs first; a first
// warm-up round is not counted); ratios are within this run only (absolute
// times drift between runs, and on a shared machine a lot). Everything runs
// in a temporary directory that is removed at the end.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', '..', 'packages', 'core', 'dist');
if (!existsSync(join(dist, 'sync', 'index.js'))) {
  console.error('bench/sync: packages/core is not built; run `pnpm build` first.');
  process.exit(2);
}
const { Store, createEvent, newActorId, newIssueId } = await import(join(dist, 'index.js'));
const { syncPull, syncPush, sync } = await import(join(dist, 'sync', 'index.js'));

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsArg = args.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(args[roundsArg + 1]) : quick ? 3 : 5;
const PULL_COMMITS = quick ? 200 : 1_000;
const PUSH_COMMITS = quick ? 20 : 100;
const PER_COMMIT = 10;

// Keep git away from the user's configuration, and quiet.
for (const k of Object.keys(process.env)) if (k.startsWith('GIT_')) delete process.env[k];
process.env.GIT_CONFIG_NOSYSTEM = '1';
process.env.GIT_CONFIG_GLOBAL = '/dev/null';

const root = mkdtempSync(join(tmpdir(), 'grite-bench-sync-'));
const git = (cwd, a) => execFileSync('git', a, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString('utf8');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).padStart(7);
const copy = (from, to) => {
  const r = spawnSync('cp', ['-a', from, to]);
  if (r.status !== 0) throw new Error(`cp -a ${from} ${to} failed: ${r.stderr}`);
};
function freshRepo(dir, url) {
  mkdirSync(dir);
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['remote', 'add', 'origin', url]);
  return join(dir, '.git');
}

/** `commits` appends of `perCommit` events each, on `store`, for a few issues per commit. */
async function writeEvents(store, commits, perCommit, startTs) {
  const actor = newActorId();
  let ts = startTs;
  const issues = [];
  for (let c = 0; c < commits; c++) {
    const events = [];
    for (let i = 0; i < perCommit; i++) {
      ts += 1;
      if (issues.length === 0 || i % 5 === 0) {
        const issueId = newIssueId();
        issues.push(issueId);
        events.push(createEvent({ issueId, actor, ts, kind: { type: 'IssueCreated', title: `issue ${ts}`, body: `body of ${ts}`, labels: ['bench'] } }));
      } else {
        const issueId = issues[issues.length - 1 - (i % Math.min(issues.length, 7))];
        events.push(createEvent({ issueId, actor, ts, kind: { type: 'CommentAdded', body: `comment ${ts} ${'x'.repeat(40)}` } }));
      }
    }
    await store.append(events);
  }
}

async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

try {
  // ---------------------------------------------------------------- fixture
  console.log(`bench/sync: building fixtures (${PULL_COMMITS * PER_COMMIT} events to pull, ${PUSH_COMMITS * PER_COMMIT} to push) in ${root}`);
  const origin = join(root, 'origin.git');
  git(root, ['init', '-q', '--bare', origin]);
  const srcDir = freshRepo(join(root, 'src'), origin);
  const src = await Store.open({ commonDir: srcDir });
  await writeEvents(src, PULL_COMMITS, PER_COMMIT, 1_700_000_000_000);
  await sync(src);
  await src.close();
  git(origin, ['repack', '-a', '-d', '-q']);

  // The push fixture: a clone in step with origin, then 1,000 local events.
  const pushBase = join(root, 'push-base');
  const pushOrigin = join(root, 'push-origin.git');
  copy(origin, pushOrigin);
  const pbDir = freshRepo(pushBase, pushOrigin);
  const pb = await Store.open({ commonDir: pbDir });
  await syncPull(pb);
  await writeEvents(pb, PUSH_COMMITS, PER_COMMIT, 1_800_000_000_000);
  await pb.close();

  // ------------------------------------------------------------------ pull
  const pullGrite = [];
  const pullUntilCatchUp = [];
  const pullFloor = [];
  let pulled = 0;
  // Round 0 warms the JIT and is not counted; the order alternates.
  for (let r = 0; r <= ROUNDS; r++) {
    const a = freshRepo(join(root, `pull-g${r}`), origin);
    freshRepo(join(root, `pull-f${r}`), origin);
    const floor = () => timed(async () => git(join(root, `pull-f${r}`), ['fetch', '-q', '--no-tags', 'origin', '+refs/grite/*:refs/grite-remotes/origin/*']));
    let catchUpAt = 0;
    const grite = () => timed(() => syncPull(a, { onProgress: (p) => p.phase === 'catch-up' && (catchUpAt = performance.now()) }));
    let tf;
    let tg;
    let res;
    const t0 = performance.now();
    if (r % 2 === 0) {
      [tg, res] = await grite();
      [tf] = await floor();
    } else {
      [tf] = await floor();
      [tg, res] = await grite();
    }
    const startG = r % 2 === 0 ? t0 : t0 + tf;
    pulled = res.eventsPulled;
    if (r > 0) {
      pullGrite.push(tg);
      pullFloor.push(tf);
      pullUntilCatchUp.push(catchUpAt - startG);
    }
    rmSync(join(root, `pull-g${r}`), { recursive: true, force: true });
    rmSync(join(root, `pull-f${r}`), { recursive: true, force: true });
  }
  if (pulled !== PULL_COMMITS * PER_COMMIT) throw new Error(`pulled ${pulled} events, expected ${PULL_COMMITS * PER_COMMIT}`);

  // ------------------------------------------------------------------ push
  const pushGrite = [];
  const pushFloor = [];
  let pushed = 0;
  for (let r = 0; r <= ROUNDS; r++) {
    const og = join(root, `po-g${r}.git`);
    const of = join(root, `po-f${r}.git`);
    const cg = join(root, `pc-g${r}`);
    const cf = join(root, `pc-f${r}`);
    copy(pushOrigin, og);
    copy(pushOrigin, of);
    copy(pushBase, cg);
    copy(pushBase, cf);
    git(cg, ['remote', 'set-url', 'origin', og]);
    git(cf, ['remote', 'set-url', 'origin', of]);
    const store = await Store.open({ commonDir: join(cg, '.git') });
    const grite = () => timed(() => syncPush(store));
    const floor = () => timed(async () => git(cf, ['push', '-q', 'origin', 'refs/grite/wal:refs/grite/wal']));
    let tg;
    let tf;
    let res;
    if (r % 2 === 0) {
      [tg, res] = await grite();
      [tf] = await floor();
    } else {
      [tf] = await floor();
      [tg, res] = await grite();
    }
    pushed = res.eventsPushed;
    await store.close();
    if (git(og, ['rev-parse', 'refs/grite/wal']) !== git(of, ['rev-parse', 'refs/grite/wal'])) throw new Error('the two pushes left different heads');
    if (r > 0) {
      pushGrite.push(tg);
      pushFloor.push(tf);
    }
    for (const d of [og, of, cg, cf]) rmSync(d, { recursive: true, force: true });
  }
  if (pushed !== PUSH_COMMITS * PER_COMMIT) throw new Error(`pushed ${pushed} events, expected ${PUSH_COMMITS * PER_COMMIT}`);

  // ---------------------------------------------------------------- report
  const row = (name, g, f) => {
    const mg = median(g);
    const mf = median(f);
    console.log(`${name.padEnd(34)} grite ${fmt(mg)} ms   floor ${fmt(mf)} ms   ratio ${(mg / mf).toFixed(2)}x`);
  };
  console.log(`rounds: ${ROUNDS} (medians)`);
  row(`pull ${PULL_COMMITS * PER_COMMIT} events into a fresh clone`, pullGrite, pullFloor);
  row('  of which: open, fetch and merge', pullUntilCatchUp, pullFloor);
  console.log(`${'  of which: view catch-up'.padEnd(34)} grite ${fmt(median(pullGrite) - median(pullUntilCatchUp))} ms   (reads, decodes and loads every event)`);
  row(`push ${PUSH_COMMITS * PER_COMMIT} local events`, pushGrite, pushFloor);
  console.log('floor: plain git fetch / git push of the same refs. grite pull also creates and fills the view (decode, verify, SQLite).');
} finally {
  rmSync(root, { recursive: true, force: true });
}
