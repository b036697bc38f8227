// Doctor's checks around the log, each against a fault made for real: an
// expired lock and a malformed lock ref, a waiting cycle that arrived by sync
// from two clones, a snapshot missing for a large log or older than it, a
// clone behind or diverged from its remote as of the last fetch, and a broken
// actor configuration. --fix collects the expired lock and creates the
// snapshot; the rest it leaves, saying what to run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEvent, newActorId, newIssueId } from '../src/codec/index.js';
import { runDoctor, type DoctorCheck, type DoctorReport } from '../src/doctor/index.js';
import { acquireLock } from '../src/locks/index.js';
import { writeRepoConfig, createActor } from '../src/repo/index.js';
import { createSnapshot, listSnapshots } from '../src/snapshot/index.js';
import { sync } from '../src/sync/index.js';
import { git, seed, someEvents } from './doctor-fixtures.js';
import { Scratch, scratchSuite } from './sync-harness.js';

const suite = scratchSuite();
let scratch: Scratch;

const open = suite.open;

function check(r: DoctorReport, id: string): DoctorCheck {
  const c = r.checks.find((x) => x.id === id);
  expect(c, id).toBeDefined();
  return c!;
}

describe('doctor: locks', () => {
  it('finds an expired lock and collects it with --fix; a malformed lock ref is an error it leaves', async () => {
    scratch = suite.scratch('grite-doctor-');
    const s = await open(scratch.repo('a'));
    await seed(s, 1, 3);
    const owner = newActorId();
    const t0 = 1_800_000_000_000;
    const lock = await acquireLock(s.commonDir, { resource: 'repo:global', owner, ttlMs: 60_000, remote: null, now: t0 });
    await acquireLock(s.commonDir, { resource: 'path:src/a.ts', owner, ttlMs: 3_600_000, remote: null, now: t0 });
    const before = await runDoctor(s, { now: () => t0 + 1000 });
    expect(check(before, 'locks')).toMatchObject({ status: 'ok', message: '2 held locks, none expired or malformed' });

    const later = () => t0 + 120_000;
    const r = await runDoctor(s, { now: later });
    expect(check(r, 'locks')).toMatchObject({ status: 'warn', message: expect.stringMatching(/1 expired and 0 released local lock ref/) });
    expect(check(r, 'locks').plan).toEqual(['collect them (--fix) (or: grite lock gc)']);
    const fixed = await runDoctor(s, { now: later, fix: true });
    expect(fixed.applied).toEqual(['collected 1 expired or released lock ref']);
    expect(check(fixed, 'locks')).toMatchObject({ status: 'ok', message: '1 held lock, none expired or malformed' });
    expect(git(s.commonDir, ['for-each-ref', lock.ref])).toBe('');

    // A lock ref that points at a commit without lock.json.
    const empty = git(s.commonDir, ['mktree'], '');
    const bogus = git(s.commonDir, ['commit-tree', empty, '-m', 'not a lock']);
    git(s.commonDir, ['update-ref', 'refs/grite/locks/0123456789abcdef', bogus]);
    const bad = await runDoctor(s, { now: later, fix: true });
    expect(check(bad, 'locks')).toMatchObject({ status: 'error', message: expect.stringMatching(/1 malformed lock ref .*0123456789abcdef.*has no lock\.json/) });
    expect(check(bad, 'locks').plan).toEqual(['delete it: git update-ref -d refs/grite/locks/0123456789abcdef']);
    expect(bad.applied).toEqual([]);
    expect(git(s.commonDir, ['rev-parse', 'refs/grite/locks/0123456789abcdef'])).toBe(bogus);
  });
});

describe('doctor: dependencies', () => {
  it('finds a waiting cycle that arrived by sync from two clones, and names the edges to remove', { timeout: 60_000 }, async () => {
    scratch = suite.scratch('grite-doctor-');
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    const b = await open(scratch.repo('b', bare));
    const actorA = newActorId();
    const actorB = newActorId();
    const x = newIssueId();
    const y = newIssueId();
    const t = 1_700_000_000_000;
    await a.append([
      createEvent({ issueId: x, actor: actorA, ts: t, kind: { type: 'IssueCreated', title: 'x', body: '', labels: [] } }),
      createEvent({ issueId: y, actor: actorA, ts: t + 1, kind: { type: 'IssueCreated', title: 'y', body: '', labels: [] } }),
    ]);
    await sync(a);
    await sync(b);
    // Each clone adds one edge; each alone is fine, together they close a cycle.
    await a.append([createEvent({ issueId: x, actor: actorA, ts: t + 10, kind: { type: 'DependencyAdded', target: y, depType: 'blocks' } })]);
    await b.append([createEvent({ issueId: y, actor: actorB, ts: t + 11, kind: { type: 'DependencyAdded', target: x, depType: 'blocks' } })]);
    expect(a.view.cycles()).toEqual([]);
    await sync(b);
    await sync(a);
    const r = await runDoctor(a);
    const dep = check(r, 'dependencies');
    expect(dep.status).toBe('warn');
    expect(dep.message).toMatch(/1 waiting cycle among existing issues .*arrived by sync.*never ready/);
    const hx = Buffer.from(x).toString('hex').slice(0, 12);
    const hy = Buffer.from(y).toString('hex').slice(0, 12);
    expect(dep.plan[0]).toContain(`grite issue dep remove ${hx} --target ${hy} --type blocks`);
    expect(dep.plan[0]).toContain(`grite issue dep remove ${hy} --target ${hx} --type blocks`);
    const fixed = await runDoctor(a, { fix: true });
    expect(check(fixed, 'dependencies').status).toBe('warn');
  });
});

describe('doctor: snapshot', () => {
  it('warns when a large log has no snapshot, or one older than the log, and creates one with --fix', async () => {
    scratch = suite.scratch('grite-doctor-');
    const s = await open(scratch.repo('a'));
    writeRepoConfig(s.griteDir, { snapshot: { maxEvents: 20 } });
    await seed(s, 1, 10);
    expect(check(await runDoctor(s), 'snapshot')).toMatchObject({ status: 'ok', message: expect.stringMatching(/fewer than snapshot.max_events \(20\)/) });
    await seed(s, 2, 10, 1_750_000_000_000);
    const missing = check(await runDoctor(s), 'snapshot');
    expect(missing).toMatchObject({ status: 'warn', message: 'no snapshot of a log of 30 events' });
    const snap = await createSnapshot(s.wal);
    expect(check(await runDoctor(s), 'snapshot').status).toBe('ok');
    // The log moves on past the threshold: the snapshot is older than the log.
    await s.append(someEvents(25, 1_760_000_000_000));
    const stale = check(await runDoctor(s), 'snapshot');
    expect(stale.status).toBe('warn');
    expect(stale.message).toContain(`25 events arrived since the newest snapshot (${snap.snapshot.ref})`);
    const fixed = await runDoctor(s, { fix: true });
    expect(fixed.applied).toEqual([expect.stringMatching(/^created snapshot refs\/grite\/snapshots\/\d+ \(55 events at [0-9a-f]{12}\)$/)]);
    expect(check(fixed, 'snapshot').status).toBe('ok');
    expect((await listSnapshots(s.commonDir)).map((x) => x.eventCount)).toEqual([55, 30]);
  });
});

describe('doctor: remote', () => {
  it('reports behind and diverged from the last fetch, without contacting the remote', { timeout: 60_000 }, async () => {
    scratch = suite.scratch('grite-doctor-');
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    expect(check(await runDoctor(a), 'remote').message).toMatch(/origin: never fetched/);
    const b = await open(scratch.repo('b', bare));
    await seed(a, 2, 3);
    await sync(a);
    expect(check(await runDoctor(a), 'remote')).toMatchObject({ status: 'ok', message: expect.stringMatching(/origin: up to date/) });
    await sync(b);
    await seed(b, 2, 3, 1_750_000_000_000);
    await sync(b);
    // A fetches only: its log is behind the remote's by B's two commits.
    git(a.commonDir, ['fetch', '-q', 'origin', '+refs/grite/*:refs/grite-remotes/origin/*']);
    const behind = check(await runDoctor(a), 'remote');
    expect(behind).toMatchObject({ status: 'warn', message: expect.stringMatching(/behind origin by 2 commits/) });
    expect(behind.plan).toEqual(['grite sync (with origin): a fast-forward']);
    await seed(a, 1, 2, 1_760_000_000_000);
    const diverged = check(await runDoctor(a), 'remote');
    expect(diverged.message).toMatch(/diverged from origin: 1 local and 2 remote commits/);
    // Unreachable remote URL: doctor does not notice, it never connects.
    git(a.commonDir, ['remote', 'set-url', 'origin', 'git://127.0.0.1:1/none.git']);
    expect(check(await runDoctor(a), 'remote').message).toMatch(/diverged from origin/);
  });
});

describe('doctor: actor_config', () => {
  it('warns about a default actor that does not exist and unusable actor directories; errors on a broken config.toml', async () => {
    scratch = suite.scratch('grite-doctor-');
    const s = await open(scratch.repo('a'));
    expect(check(await runDoctor(s), 'actor_config')).toMatchObject({ status: 'ok', message: expect.stringMatching(/no actor yet/) });
    const actor = createActor(s.griteDir, { label: 'me' });
    writeRepoConfig(s.griteDir, { defaultActor: actor.actorId });
    expect(check(await runDoctor(s), 'actor_config')).toMatchObject({ status: 'ok', message: `1 actor; default: ${actor.actorId}` });
    writeRepoConfig(s.griteDir, { defaultActor: 'f'.repeat(32) });
    const bogusDir = join(s.griteDir, 'actors', 'a'.repeat(32));
    mkdirSync(bogusDir, { recursive: true });
    writeFileSync(join(bogusDir, 'config.toml'), `actor_id = "${'b'.repeat(32)}"\n`);
    const warn = check(await runDoctor(s), 'actor_config');
    expect(warn.status).toBe('warn');
    expect(warn.message).toContain(`default_actor ${'f'.repeat(32)} has no actor directory`);
    expect(warn.message).toContain(`names actor ${'b'.repeat(32)}, not ${'a'.repeat(32)}`);
    expect(warn.plan).toContain(`grite actor use ${actor.actorId.slice(0, 8)}`);
    writeFileSync(join(s.griteDir, 'config.toml'), 'lock_policy = "sometimes"\n');
    expect(check(await runDoctor(s), 'actor_config')).toMatchObject({ status: 'error', message: expect.stringMatching(/lock_policy must be/) });
  });
});
