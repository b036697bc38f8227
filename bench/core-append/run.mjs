#!/usr/bin/env node
// WAL append benchmark: `pnpm build`, then `node bench/core-append/run.mjs [--quick]`.
// Plain node, no TypeScript loader; imports the built @grite/core.
//
// Appending one WAL commit (chunk + meta.json + events/YYYY/MM/DD trees +
// commit, then a compare-and-swap of refs/grite/wal) in three sizes: 1, 16
// and 256 events per commit, against the naive way of making the same commit
// by spawning git plumbing: `git hash-object -w` (chunk, meta.json), `git
// mktree` (five trees), `git commit-tree`, `git update-ref <ref> <new> <old>`.
// Both build the same chunk bytes in process; the naive side spawns nine git
// processes per commit. Core fsyncs the objects and the ref before the ref
// moves (its default); git's plumbing does not fsync loose objects by default,
// so a run without fsync is shown too.
//
// Ratios are within this run only: absolute times drift between runs (and on
// a shared machine, a lot). The sides are interleaved, round by round.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chunkHash, chunkPath, createEvent, encodeChunk, metaJson, toHex, Wal } from '@grite/core';

const execFileP = promisify(execFile);
const quick = process.argv.includes('--quick');
const SIZES = [1, 16, 256];
const ROUNDS = quick ? 2 : 5;
// Commits per round and side, by batch size.
const COMMITS = quick ? { 1: 10, 16: 10, 256: 4 } : { 1: 40, 16: 30, 256: 10 };

const ACTOR = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
const ISSUE = Uint8Array.from({ length: 16 }, (_, i) => i);
let ts = 1_700_000_000_000;

function makeEvents(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind =
      i % 4 === 0
        ? { type: 'IssueCreated', title: `Issue ${ts}`, body: 'Something is broken and here is how to see it.', labels: ['bug', 'p1'] }
        : { type: 'CommentAdded', body: `A comment of a typical length, number ${i} at ${ts}.` };
    out.push(createEvent({ issueId: ISSUE, actor: ACTOR, ts: ts++, kind }));
  }
  return out;
}

function tempRepo() {
  const dir = mkdtempSync(join(tmpdir(), 'grite-bench-append-'));
  return { dir, gitDir: join(dir, '.git') };
}

async function git(gitDir, args, input) {
  const env = { ...process.env, GIT_DIR: gitDir, GIT_AUTHOR_NAME: 'grite', GIT_AUTHOR_EMAIL: 'grit@local', GIT_COMMITTER_NAME: 'grite', GIT_COMMITTER_EMAIL: 'grit@local' };
  const p = execFileP('git', args, { env, encoding: 'buffer', maxBuffer: 1 << 28 });
  if (input !== undefined) p.child.stdin.end(input);
  const { stdout } = await p;
  return stdout.toString('utf8').trim();
}

/** One WAL commit made by spawning git plumbing (nine processes). */
async function naiveCommit(gitDir, events, head) {
  const chunk = encodeChunk(events);
  const hash = chunkHash(chunk);
  const [, y, m, d, file] = chunkPath(events, hash).split('/');
  const chunkOid = await git(gitDir, ['hash-object', '-w', '--stdin'], chunk);
  const metaOid = await git(gitDir, ['hash-object', '-w', '--stdin'], metaJson({ actorId: ACTOR, chunkHash: hash, prevWal: head }));
  let oid = await git(gitDir, ['mktree'], `100644 blob ${chunkOid}\t${file}\n`);
  for (const name of [d, m, y]) oid = await git(gitDir, ['mktree'], `040000 tree ${oid}\t${name}\n`);
  const root = await git(gitDir, ['mktree'], `040000 tree ${oid}\tevents\n100644 blob ${metaOid}\tmeta.json\n`);
  const commit = await git(gitDir, ['commit-tree', root, ...(head ? ['-p', head] : [])], `WAL: ${events.length} events from ${toHex(ACTOR).slice(0, 8)}`);
  await git(gitDir, ['update-ref', 'refs/grite/wal', commit, head ?? '0'.repeat(40)]);
  return commit;
}

const sides = {
  naive: async (repo, batches) => {
    let head = (await git(repo.gitDir, ['rev-parse', '-q', '--verify', 'refs/grite/wal']).catch(() => '')) || null;
    const t0 = performance.now();
    for (const events of batches) head = await naiveCommit(repo.gitDir, events, head);
    return performance.now() - t0;
  },
  core: async (repo, batches) => {
    const wal = Wal.open(repo.gitDir, { autoPack: false });
    const t0 = performance.now();
    for (const events of batches) await wal.append(events);
    const ms = performance.now() - t0;
    await wal.close();
    return ms;
  },
  'core, no fsync': async (repo, batches) => {
    const wal = Wal.open(repo.gitDir, { autoPack: false, fsync: false });
    const t0 = performance.now();
    for (const events of batches) await wal.append(events);
    const ms = performance.now() - t0;
    await wal.close();
    return ms;
  },
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

console.log(`core append benchmark${quick ? ' (--quick)' : ''}: ${ROUNDS} rounds, sides interleaved`);
const repos = Object.fromEntries(Object.keys(sides).map((name) => [name, tempRepo()]));
try {
  for (const repo of Object.values(repos)) await execFileP('git', ['init', '-q', repo.dir]);
  console.log(`\n${'events/commit'.padEnd(14)}${'side'.padEnd(16)}${'ms/commit'.padStart(10)}${'events/s'.padStart(10)}${'vs naive'.padStart(10)}`);
  for (const size of SIZES) {
    const times = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(sides)) {
        const batches = Array.from({ length: COMMITS[size] }, () => makeEvents(size));
        times[name].push((await run(repos[name], batches)) / COMMITS[size]);
      }
    }
    const naive = median(times.naive);
    for (const name of Object.keys(sides)) {
      const ms = median(times[name]);
      const ratio = name === 'naive' ? '' : `${(naive / ms).toFixed(1)}x`;
      console.log(`${String(size).padEnd(14)}${name.padEnd(16)}${ms.toFixed(2).padStart(10)}${Math.round((size * 1000) / ms).toString().padStart(10)}${ratio.padStart(10)}`);
    }
  }
  console.log('\nvs naive: how many times faster than spawning git plumbing for the same commit (median ms per commit).');
} finally {
  for (const repo of Object.values(repos)) rmSync(repo.dir, { recursive: true, force: true });
}
