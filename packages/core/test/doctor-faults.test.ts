// Doctor against faults made for real (issue 7): a corrupt chunk, an event
// whose id does not match, a missing blob, a deleted view, a view behind the
// WAL, a view ahead of a rewound WAL, a view of an older schema version. Each
// is found (by its check id, naming the bad commit where there is one);
// --fix repairs what it can and says what it could not; afterwards every
// event that was readable before (in the WAL or the view) is still there.
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runDoctor, type DoctorCheck, type DoctorReport } from '../src/doctor/index.js';
import { Wal } from '../src/git/index.js';
import { Store } from '../src/store.js';
import {
  alterText,
  chunkBlob,
  chunkWithBadId,
  corruptLoose,
  corruptPacked,
  deleteLoose,
  expectSuperset,
  forgeWalCommit,
  git,
  openForDoctor,
  readableIds,
  seed,
  someEvents,
  viewIds,
  walCommits,
  walIds,
} from './doctor-fixtures.js';
import { Scratch, scratchSuite } from './sync-harness.js';

const suite = scratchSuite();
let scratch: Scratch;

async function seeded(batches = 4, size = 10): Promise<{ dir: string; store: Store }> {
  scratch = suite.scratch('grite-doctor-');
  const dir = scratch.repo('a');
  const store = await Store.open({ commonDir: dir });
  await seed(store, batches, size);
  return { dir, store };
}

async function reopen(dir: string, store: Store): Promise<{ store: Store; report: DoctorReport }> {
  await store.close();
  const { store: s, preflight } = await openForDoctor(dir);
  suite.track(s);
  return { store: s, report: await runDoctor(s, { viewPreflight: preflight }) };
}

function check(r: DoctorReport, id: string): DoctorCheck {
  const c = r.checks.find((x) => x.id === id);
  expect(c, id).toBeDefined();
  return c!;
}

function statuses(r: DoctorReport): Record<string, string> {
  return Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
}

describe('doctor finds and repairs', () => {
  it('reports every check id, all ok, on a healthy repository', async () => {
    const { dir, store } = await seeded();
    const { report } = await reopen(dir, store);
    expect(report.checks.map((c) => c.id)).toEqual([
      'git_repo',
      'wal_ref',
      'wal_integrity',
      'view_consistency',
      'dependencies',
      'actor_config',
      'daemon',
      'locks',
      'remote',
      'snapshot',
    ]);
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(check(report, 'wal_integrity').message).toMatch(/4 WAL commits, 40 events: every chunk hash and event id verified/);
  });

  it('a corrupt chunk: names the commit; the view repair writes the chunk object again; nothing is lost', async () => {
    const { dir, store } = await seeded();
    const before = await readableIds(store);
    const victim = walCommits(dir)[1]!; // the second newest
    corruptLoose(dir, chunkBlob(dir, victim), alterText);
    const { store: s, report } = await reopen(dir, store);
    const integ = check(report, 'wal_integrity');
    expect(integ.status).toBe('error');
    expect(integ.message).toContain(victim);
    expect(integ.message).toMatch(/chunk hash is [0-9a-f]{64}, meta.json says/);
    expect(integ.plan.join('\n')).toContain(`bad commit ${victim}`);
    const view = check(report, 'view_consistency');
    expect(view.status).toBe('error');
    expect(view.message).toMatch(/the view holds 10 events the log does not/);

    const commitsBefore = walCommits(dir);
    const fixed = await runDoctor(s, { fix: true });
    expect(fixed.applied.join('\n')).toMatch(/restored 1 missing or corrupt chunk object from the view's events \(10 events read again/);
    expect(fixed.applied.join('\n')).toMatch(/rebuilt the view from the refs: 40 events/);
    // No commit was written or rewritten: the bad commit reads again.
    expect(walCommits(dir)).toEqual(commitsBefore);
    expect(statuses(fixed)).toMatchObject({ wal_integrity: 'ok', view_consistency: 'ok' });
    expectSuperset(await walIds(s), before);
    expectSuperset(viewIds(s.view.path), before);
  });

  it('a chunk damaged inside a pack: git gives up on it, doctor names the commit and writes a good copy', async () => {
    const { dir, store } = await seeded();
    const before = await readableIds(store);
    const victim = walCommits(dir)[1]!;
    corruptPacked(dir, chunkBlob(dir, victim));
    await store.close();
    const { store: s, preflight } = await openForDoctor(dir);
    suite.track(s);
    // git may fail on the damaged object or leave it unanswered: a short stall limit keeps this test quick.
    const report = await runDoctor(s, { viewPreflight: preflight, stallMs: 2000 });
    const integ = check(report, 'wal_integrity');
    expect(integ.status).toBe('error');
    expect(integ.message).toContain(victim);
    const fixed = await runDoctor(s, { fix: true, stallMs: 2000 });
    expect(fixed.applied[0]).toMatch(/^restored 1 missing or corrupt chunk object from the view's events \(10 events read again/);
    expect(statuses(fixed)).toMatchObject({ wal_integrity: 'ok', view_consistency: 'ok' });
    expectSuperset(await walIds(s), before);
    expectSuperset(viewIds(s.view.path), before);
  });

  it('an event whose id does not match: names the commit and the event', async () => {
    const { dir, store } = await seeded();
    const evs = someEvents(3, 1_800_000_000_000);
    const bad = await forgeWalCommit(dir, chunkWithBadId(evs), evs[0]!);
    const before = await readableIds(store);
    const { store: s, report } = await reopen(dir, store);
    const integ = check(report, 'wal_integrity');
    expect(integ.status).toBe('error');
    expect(integ.message).toContain(bad);
    expect(integ.message).toMatch(/event [0-9a-f]{64} \(record \d\) does not match its content/);
    expect(check(report, 'view_consistency').message).toMatch(/behind the WAL/);

    const fixed = await runDoctor(s, { fix: true });
    expect(statuses(fixed)).toMatchObject({ wal_integrity: 'error', view_consistency: 'ok' });
    expect(s.view.walHead()).toBe(bad);
    expectSuperset(await readableIds(s), before);
  });

  it('a missing blob: written again from the events the view still holds', async () => {
    const { dir, store } = await seeded();
    const before = await readableIds(store);
    const victim = walCommits(dir)[2]!;
    const blob = chunkBlob(dir, victim);
    deleteLoose(dir, blob);
    const { store: s, report } = await reopen(dir, store);
    expect(check(report, 'wal_integrity').message).toContain(`chunk blob ${blob} is missing`);
    expect(check(report, 'wal_integrity').message).toContain(victim);
    const fixed = await runDoctor(s, { fix: true });
    expect(fixed.applied.join('\n')).toMatch(/restored 1 missing or corrupt chunk object/);
    expect(statuses(fixed)).toMatchObject({ wal_integrity: 'ok', view_consistency: 'ok' });
    expectSuperset(await walIds(s), before);
    expectSuperset(viewIds(s.view.path), before);
  });

  it('a deleted view', async () => {
    const { dir, store } = await seeded();
    const before = await readableIds(store);
    const path = store.view.path;
    await store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    const { store: s, report } = await reopen(dir, store);
    const view = check(report, 'view_consistency');
    expect(view.status).toBe('error');
    expect(view.message).toMatch(/when grite opened it, .*view\.sqlite is missing/);
    expect(view.message).toMatch(/40 events of the log are not in the view/);
    const fixed = await runDoctor(s, { fix: true });
    expect(check(fixed, 'view_consistency').status).toBe('ok');
    expectSuperset(viewIds(path), before);
  });

  it('a view deleted while a process has it open (a daemon): the file on disk is rebuilt too', async () => {
    const { store } = await seeded();
    suite.track(store);
    const before = await readableIds(store);
    const path = store.view.path;
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    const report = await runDoctor(store);
    expect(check(report, 'view_consistency').message).toMatch(/now .*view\.sqlite is missing \(this process still has its own copy open\)/);
    const fixed = await runDoctor(store, { fix: true });
    expect(fixed.viewFileRebuilt).toBe(true);
    expect(fixed.repaired).toEqual(['view_consistency']);
    expect(fixed.applied[0]).toMatch(/^rebuilt .*view\.sqlite on disk from the refs \(.* is missing before\): 40 events at [0-9a-f]{12}$/);
    // This process's own copy (the deleted inode) is rebuilt too, or said to need reopening.
    expect(fixed.applied[1]).toMatch(/^(rebuilt the view from the refs: 40 events|this process's own copy of the view cannot be rebuilt .*must reopen view\.sqlite)/);
    expectSuperset(viewIds(path), before);
    // A process that opens the file now finds it whole.
    const again = await Store.open({ commonDir: store.commonDir, catchUp: false });
    suite.track(again);
    expect(check(await runDoctor(again), 'view_consistency').status).toBe('ok');
  });

  it('a view behind the WAL (another process appended)', async () => {
    const { dir, store } = await seeded();
    const wal = Wal.open(dir);
    await wal.append(someEvents(7, 1_800_000_000_000));
    await wal.close();
    const { store: s, report } = await reopen(dir, store);
    const view = check(report, 'view_consistency');
    expect(view.message).toMatch(/the view is behind the WAL: .* 1 commits later/);
    expect(view.message).toMatch(/7 events of the log are not in the view/);
    const fixed = await runDoctor(s, { fix: true });
    expect(check(fixed, 'view_consistency').status).toBe('ok');
    expect(s.view.stats().eventCount).toBe(47);
  });

  it('a view ahead of a rewound WAL: the view-only events are appended again, never dropped', async () => {
    const { dir, store } = await seeded();
    const before = await readableIds(store);
    const [, , older] = walCommits(dir);
    git(dir, ['update-ref', 'refs/grite/wal', older!]);
    const { store: s, report } = await reopen(dir, store);
    const view = check(report, 'view_consistency');
    expect(view.message).toMatch(/the view is ahead of the WAL/);
    expect(view.message).toMatch(/the view holds 20 events the log does not/);
    expect(view.plan.join('\n')).toMatch(/append the 20 events only the view holds/);

    const fixed = await runDoctor(s, { fix: true });
    expect(fixed.applied[0]).toMatch(/^appended 20 events only the view held to refs\/grite\/wal as new commits/);
    expect(check(fixed, 'view_consistency').status).toBe('ok');
    // The WAL is older + new commits: the rewound commits are not restored, their events are re-appended.
    const commits = walCommits(dir);
    expect(commits).toContain(older);
    expect(git(dir, ['merge-base', '--is-ancestor', older!, 'refs/grite/wal'])).toBe('');
    expectSuperset(await walIds(s), before);
    expectSuperset(viewIds(s.view.path), before);
  });

  it('a view ahead of a rewound WAL, also when the store caught up first', async () => {
    const { dir, store } = await seeded();
    const [, older] = walCommits(dir);
    git(dir, ['update-ref', 'refs/grite/wal', older!]);
    await store.close();
    const s = await Store.open({ commonDir: dir });
    suite.track(s);
    const report = await runDoctor(s);
    expect(check(report, 'view_consistency').message).toMatch(/the view holds 10 events the log does not/);
  });

  it('a view of an older schema version', async () => {
    const { dir, store } = await seeded();
    const before = await readableIds(store);
    const path = store.view.path;
    await store.close();
    const db = new Database(path);
    db.prepare(`UPDATE meta SET value = '1' WHERE key = 'schema_version'`).run();
    db.close();
    const { store: s, preflight } = await openForDoctor(dir);
    suite.track(s);
    expect(preflight).toMatchObject({ state: 'schema', schemaVersion: 1 });
    const report = await runDoctor(s, { viewPreflight: preflight });
    expect(check(report, 'view_consistency').message).toMatch(/when grite opened it, .* has schema version 1, this build uses \d+/);
    const fixed = await runDoctor(s, { fix: true });
    expect(check(fixed, 'view_consistency').status).toBe('ok');
    expectSuperset(viewIds(path), before);
  });

  it('reports the repair it could not make, and leaves the log alone when nothing needs fixing', async () => {
    const { dir, store } = await seeded(2, 5);
    const head = await store.wal.head();
    const { store: s } = await reopen(dir, store);
    const r = await runDoctor(s, { fix: true });
    expect(r).toMatchObject({ applied: [], failed: [], repaired: [], viewFileRebuilt: false });
    expect(await s.wal.head()).toBe(head);
  });
});
