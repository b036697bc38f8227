// doctor, snapshot, rebuild --from-snapshot, export and db stats through the
// built CLI, with faults made for real in temporary repositories: a corrupt
// chunk (bit rot of a loose object), an event whose id does not match, a view
// ahead of a rewound WAL, a view behind the WAL and a view of an older schema
// version under a running daemon, a killed daemon's leftover files, an
// expired lock. doctor exits 1 while a check is an error (also under --json),
// --fix repairs what it can and says what it could not, and every issue and
// event readable before is still there afterwards.
//
// Tests that start a daemon stop it (grite daemon stop) and end it by pid if
// it is still there.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chunkHash, chunkPath, createEvent, encodeChunk, metaJson, newActorId, newIssueId } from '@grite/core';
import { git, grite, tempRepo, type Result } from './helpers.js';

let xdg: string;
beforeAll(() => {
  xdg = mkdtempSync('/tmp/grite-xdg-');
});
afterAll(() => rmSync(xdg, { recursive: true, force: true }));

const repos: { dir: string; cleanup: () => void }[] = [];
const daemonPids = new Set<number>();
afterEach(async () => {
  for (const r of repos.splice(0)) {
    await grite({ cwd: r.dir, env: viaDaemon() }, 'daemon', 'stop', '--json');
    r.cleanup();
  }
  for (const pid of daemonPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  daemonPids.clear();
});

function viaDaemon(): Record<string, string | undefined> {
  return { GRITE_NO_DAEMON: undefined, XDG_RUNTIME_DIR: xdg };
}

function repo(): string {
  const r = tempRepo('grite-e2e-maint-');
  repos.push(r);
  return r.dir;
}

function ok(r: Result): Result {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

function check(r: Result, id: string): { id: string; status: string; message: string; plan: string[] } {
  const c = r.json.data.checks.find((x: { id: string }) => x.id === id);
  expect(c, id).toBeDefined();
  return c;
}

async function seed(dir: string, n: number, env?: Record<string, string | undefined>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = ok(await grite({ cwd: dir, env }, 'issue', 'create', '--title', `issue ${i}`, '--body', `body ${i}`, '--json'));
    ids.push(r.json.data.issue_id);
    ok(await grite({ cwd: dir, env }, 'issue', 'comment', r.json.data.issue_id, '--body', `comment on ${i}`));
  }
  return ids;
}

/** Issue ids and event ids as the CLI shows them (every issue, every event). */
async function visible(dir: string, env?: Record<string, string | undefined>): Promise<{ issues: string[]; events: string[] }> {
  const r = ok(await grite({ cwd: dir, env }, 'export', '--json'));
  return {
    issues: r.json.data.issues.map((i: { issue_id: string }) => i.issue_id).sort(),
    events: r.json.data.events.map((e: { event_id: string }) => e.event_id).sort(),
  };
}

function expectKept(after: { issues: string[]; events: string[] }, before: { issues: string[]; events: string[] }): void {
  expect(before.issues.filter((i) => !after.issues.includes(i))).toEqual([]);
  expect(before.events.filter((e) => !after.events.includes(e))).toEqual([]);
}

/** Makes every object loose (unpacks each pack, then drops it), so that one object can be damaged alone. */
function explodePacks(gitDir: string): void {
  const packDir = join(gitDir, 'objects', 'pack');
  for (const f of readdirSync(packDir).filter((n) => n.endsWith('.pack'))) {
    const base = join(packDir, f.slice(0, -'.pack'.length));
    const bytes = readFileSync(`${base}.pack`);
    for (const ext of ['.pack', '.idx', '.rev', '.bitmap']) rmSync(`${base}${ext}`, { force: true });
    execFileSync('git', ['unpack-objects', '-q'], { cwd: gitDir, input: bytes, env: { ...process.env, GIT_DIR: gitDir } });
  }
}

/** True once `pid` has exited (a zombie nobody reaps counts as exited). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function walCommits(dir: string): string[] {
  return git(dir, 'rev-list', 'refs/grite/wal').split('\n').filter(Boolean);
}

function chunkBlobOf(dir: string, commit: string): string {
  const line = git(dir, 'ls-tree', '-r', commit).split('\n').find((l) => l.endsWith('.bin'))!;
  return line.split(/\s+/)[2]!;
}

describe('doctor', () => {
  it('all ok on a healthy repository: exit 0, [ok] lines, the JSON shape of DESIGN.md', async () => {
    const dir = repo();
    await seed(dir, 2);
    const human = ok(await grite({ cwd: dir }, 'doctor'));
    for (const id of ['git_repo', 'wal_ref', 'wal_integrity', 'view_consistency', 'dependencies', 'actor_config', 'daemon', 'locks', 'remote', 'snapshot']) {
      expect(human.stdout).toMatch(new RegExp(`^\\[ok\\]  ${id} `, 'm'));
    }
    expect(human.stdout.trimEnd().endsWith('all checks ok')).toBe(true);
    const json = ok(await grite({ cwd: dir }, 'doctor', '--json'));
    expect(Object.keys(json.json.data).sort()).toEqual(['applied', 'checks']);
    expect(Object.keys(json.json.data.checks[0]).sort()).toEqual(['id', 'message', 'plan', 'status']);
    expect(json.json.data.checks.every((c: { status: string }) => c.status === 'ok')).toBe(true);
  });

  it('a corrupt chunk: [ERR] naming the commit, exit 1; --fix writes the chunk again from the view, exit 0, nothing lost', async () => {
    const dir = repo();
    await seed(dir, 3);
    const before = await visible(dir);
    const victim = walCommits(dir)[1]!; // the IssueCreated of issue 2
    const blob = chunkBlobOf(dir, victim);
    // Bit rot: the loose object's content changes, its name does not (git does not re-hash on read).
    const path = join(dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2));
    if (!existsSync(path)) explodePacks(join(dir, '.git'));
    const raw = inflateSync(readFileSync(path));
    const at = raw.indexOf(Buffer.from('body 2'));
    expect(at).toBeGreaterThan(0);
    raw[at] = 'B'.charCodeAt(0);
    chmodSync(path, 0o644);
    writeFileSync(path, deflateSync(raw));

    const r = await grite({ cwd: dir }, 'doctor');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^\\[ERR\\] wal_integrity .*${victim}`, 'm'));
    expect(r.stdout).toMatch(/^\[ERR\] view_consistency .*the view holds 1 events the log does not/m);
    const j = await grite({ cwd: dir }, 'doctor', '--json');
    expect(j.code).toBe(1);
    expect(j.json.ok).toBe(true);
    expect(check(j, 'wal_integrity').status).toBe('error');

    const fixed = await grite({ cwd: dir }, 'doctor', '--fix');
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(/applied:\n {2}- restored 1 missing or corrupt chunk object/);
    expect(ok(await grite({ cwd: dir }, 'doctor')).stdout).toMatch(/all checks ok/);
    expect(walCommits(dir)).toContain(victim);
    expectKept(await visible(dir), before);
  });

  it('an event whose id does not match: exit 1 before and after --fix, which says it could not fix it', async () => {
    const dir = repo();
    await seed(dir, 2);
    const before = await visible(dir);
    // A WAL commit whose chunk hash is right but whose record was changed after its id was computed.
    const commonDir = join(dir, '.git');
    const e = createEvent({ issueId: newIssueId(), actor: newActorId(), ts: 1_700_000_000_000, kind: { type: 'IssueCreated', title: 'forged', body: '', labels: [] } });
    const chunk = Buffer.from(encodeChunk([e]));
    chunk[chunk.indexOf(Buffer.from('forged'))] = 'F'.charCodeAt(0);
    const hash = chunkHash(chunk);
    const head = git(dir, 'rev-parse', 'refs/grite/wal');
    const put = (data: string | Buffer) => execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, input: data }).toString().trim();
    const mktree = (text: string) => execFileSync('git', ['mktree'], { cwd: dir, input: text }).toString().trim();
    const parts = chunkPath([e], hash).split('/');
    let oid = put(chunk);
    let entry = `100644 blob ${oid}\t${parts[4]}\n`;
    for (let i = 3; i >= 0; i--) {
      oid = mktree(entry);
      entry = `040000 tree ${oid}\t${parts[i]}\n`;
    }
    const meta = put(metaJson({ actorId: e.actor, chunkHash: hash, prevWal: head }));
    const root = mktree(`${entry}100644 blob ${meta}\tmeta.json\n`);
    const bad = execFileSync('git', ['commit-tree', root, '-p', head, '-m', 'WAL: 1 events'], { cwd: dir }).toString().trim();
    git(dir, 'update-ref', 'refs/grite/wal', bad, head);

    const r = await grite({ cwd: dir }, 'doctor', '--json');
    expect(r.code).toBe(1);
    expect(check(r, 'wal_integrity').message).toMatch(new RegExp(`${bad}.*event [0-9a-f]{64} \\(record 0\\) does not match its content`));
    const fixed = await grite({ cwd: dir }, 'doctor', '--fix');
    expect(fixed.code).toBe(1);
    expect(fixed.stdout).toMatch(/could not fix: wal_integrity \(error\); see the plan under each/);
    expect(fixed.stdout).toContain(`-> bad commit ${bad}`);
    expect(git(dir, 'rev-parse', 'refs/grite/wal')).toBe(bad);
    expectKept(await visible(dir), before);
  });

  it('a view ahead of a rewound WAL: --fix appends the missing events again, the log keeps its history', async () => {
    const dir = repo();
    await seed(dir, 3);
    const before = await visible(dir);
    const commits = walCommits(dir);
    git(dir, 'update-ref', 'refs/grite/wal', commits[3]!);
    const r = await grite({ cwd: dir }, 'doctor', '--json');
    expect(r.code).toBe(1);
    expect(check(r, 'view_consistency').message).toMatch(/the view holds 3 events the log does not/);
    const fixed = await grite({ cwd: dir }, 'doctor', '--fix', '--json');
    expect(fixed.code).toBe(0);
    expect(fixed.json.data.applied[0]).toMatch(/^appended 3 events only the view held to refs\/grite\/wal as new commits/);
    expect(git(dir, 'merge-base', '--is-ancestor', commits[3]!, 'refs/grite/wal')).toBe('');
    expectKept(await visible(dir), before);
  });

  it('an expired lock: [!!], exit 0; --fix collects it', async () => {
    const dir = repo();
    await seed(dir, 1);
    const resource = 'repo:global';
    const lockJson = JSON.stringify({ owner: 'ab'.repeat(16), nonce: '6f1c1b7e-7c5a-4d7e-9a53-2c9d8c0b7d11', expires_unix_ms: 1_000, resource }, null, 2);
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, input: lockJson }).toString().trim();
    const tree = execFileSync('git', ['mktree'], { cwd: dir, input: `100644 blob ${blob}\tlock.json\n` }).toString().trim();
    const commit = execFileSync('git', ['commit-tree', tree, '-m', `Lock: ${resource}`], { cwd: dir }).toString().trim();
    const ref = `refs/grite/locks/${createHash('sha256').update(resource).digest('hex').slice(0, 16)}`;
    git(dir, 'update-ref', ref, commit);
    const r = ok(await grite({ cwd: dir }, 'doctor'));
    expect(r.stdout).toMatch(/^\[!!\]  locks +1 expired and 0 released local lock ref/m);
    expect(r.stdout).toMatch(/0 errors, 1 warning \(grite doctor --fix applies the plans marked \(--fix\)\)/);
    const fixed = ok(await grite({ cwd: dir }, 'doctor', '--fix'));
    expect(fixed.stdout).toContain('- collected 1 expired or released lock ref');
    expect(git(dir, 'for-each-ref', ref)).toBe('');
  });

  it("a killed daemon's leftover files: found, and removed with --fix under the lock-breaking rule", async () => {
    const dir = repo();
    await seed(dir, 1, viaDaemon());
    const status = ok(await grite({ cwd: dir, env: viaDaemon() }, 'daemon', 'status', '--json'));
    const pid = status.json.data.daemon.pid as number;
    const socket = status.json.data.daemon.socket as string;
    daemonPids.add(pid);
    process.kill(pid, 'SIGKILL');
    while (!gone(pid)) await new Promise((r) => setTimeout(r, 20));
    const lock = join(dir, '.git', 'grite', 'ts-daemon.lock');
    const info = join(dir, '.git', 'grite', 'ts-daemon.json');
    for (const f of [lock, info, socket]) expect(existsSync(f), f).toBe(true);

    const env = { ...viaDaemon(), GRITE_NO_DAEMON: '1' };
    const r = ok(await grite({ cwd: dir, env }, 'doctor', '--json'));
    const d = check(r, 'daemon');
    expect(d.status).toBe('warn');
    expect(d.message).toContain(`holder pid ${pid} is gone`);
    for (const f of [lock, info, socket]) expect(d.message).toContain(f);
    const fixed = ok(await grite({ cwd: dir, env }, 'doctor', '--fix', '--json'));
    expect(fixed.json.data.applied).toEqual([expect.stringMatching(/^removed the files of a daemon that is gone/)]);
    expect(check(fixed, 'daemon')).toMatchObject({ status: 'ok', message: 'no daemon is running' });
    for (const f of [lock, info, socket]) expect(existsSync(f), f).toBe(false);
    // The next command through a daemon starts a fresh one.
    ok(await grite({ cwd: dir, env: viaDaemon() }, 'issue', 'list'));
    daemonPids.add(ok(await grite({ cwd: dir, env: viaDaemon() }, 'daemon', 'status', '--json')).json.data.daemon.pid);
  });

  it('a view behind the WAL and a view of an older schema version, under a running daemon', async () => {
    const dir = repo();
    const env = viaDaemon();
    await seed(dir, 2, env);
    daemonPids.add(ok(await grite({ cwd: dir, env }, 'daemon', 'status', '--json')).json.data.daemon.pid);
    const before = await visible(dir, env);
    // Another clone writes; its WAL is fetched over ours (a fast-forward): the daemon's view is behind.
    const other = repo();
    git(other, 'fetch', '-q', dir, 'refs/grite/*:refs/grite/*');
    ok(await grite({ cwd: other }, 'issue', 'create', '--title', 'from the other clone'));
    git(dir, 'fetch', '-q', other, 'refs/grite/wal:refs/grite/wal');
    const behind = await grite({ cwd: dir, env }, 'doctor', '--json');
    expect(behind.code).toBe(1);
    expect(check(behind, 'view_consistency').message).toMatch(/the view is behind the WAL: .* 1 commits later/);
    expect(check(behind, 'daemon').message).toMatch(/^this daemon \(pid \d+/);
    expect(ok(await grite({ cwd: dir, env }, 'doctor', '--fix', '--json')).json.data.applied[0]).toMatch(/^rebuilt the view from the refs: 5 events/);

    // view.sqlite replaced on disk by a file of an older schema version.
    const path = join(dir, '.git', 'grite', 'view.sqlite');
    for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
    const Database = createRequire(import.meta.resolve('@grite/core'))('better-sqlite3');
    const db = new Database(path);
    db.exec(`CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '1')`);
    db.close();
    const old = await grite({ cwd: dir, env }, 'doctor');
    expect(old.code).toBe(1);
    expect(old.stdout).toMatch(/^\[ERR\] view_consistency .*view\.sqlite has schema version 1, this build uses \d+/m);
    const fixed = ok(await grite({ cwd: dir, env }, 'doctor', '--fix'));
    expect(fixed.stdout).toMatch(/rebuilt .*view\.sqlite on disk from the refs/);
    expect(fixed.stdout).toContain('this daemon stops after this answer');
    const after = await visible(dir, env);
    expectKept(after, before);
    expect(after.issues).toHaveLength(3);
    daemonPids.add(ok(await grite({ cwd: dir, env }, 'daemon', 'status', '--json')).json.data.daemon.pid);
    expect(ok(await grite({ cwd: dir, env }, 'doctor')).stdout).toMatch(/all checks ok/);
  });

  it('a view of an older schema version found by a process that opens it: reported, and nothing lost', async () => {
    const dir = repo();
    await seed(dir, 2);
    const before = await visible(dir);
    const path = join(dir, '.git', 'grite', 'view.sqlite');
    const Database = createRequire(import.meta.resolve('@grite/core'))('better-sqlite3');
    const db = new Database(path);
    db.prepare(`UPDATE meta SET value = '1' WHERE key = 'schema_version'`).run();
    db.close();
    // The engine that opens the file empties it (a cache of another version is never migrated): doctor says so.
    const r = await grite({ cwd: dir }, 'doctor', '--json');
    expect(check(r, 'view_consistency').message).toContain('view.sqlite was of another schema version or damaged when this process opened it');
    ok(await grite({ cwd: dir }, 'doctor', '--fix'));
    expectKept(await visible(dir), before);
  });
});

describe('snapshots and rebuild', () => {
  it('snapshot, snapshot list, rebuild --from-snapshot (the same answers as a full rebuild), snapshot gc', async () => {
    const dir = repo();
    const ids = await seed(dir, 3);
    const snap = ok(await grite({ cwd: dir }, 'snapshot', '--json')).json.data;
    expect(Object.keys(snap).sort()).toEqual(['created_ts', 'event_count', 'ref', 'wal_head']);
    expect(snap).toMatchObject({ ref: `refs/grite/snapshots/${snap.created_ts}`, event_count: 6, wal_head: git(dir, 'rev-parse', 'refs/grite/wal') });
    ok(await grite({ cwd: dir }, 'issue', 'comment', ids[0]!, '--body', 'after the snapshot'));
    const human = ok(await grite({ cwd: dir }, 'snapshot', 'list'));
    expect(human.stdout).toMatch(new RegExp(`^${snap.ref} +\\d{4}-\\d\\d-\\d\\d [\\d:]+ +6 +[0-9a-f]{12}$`, 'm'));

    const full = ok(await grite({ cwd: dir }, 'rebuild', '--json')).json.data;
    expect(full).toMatchObject({ event_count: 7, from_snapshot: false });
    const listFull = ok(await grite({ cwd: dir }, 'issue', 'list', '--json')).stdout;
    const showFull = ok(await grite({ cwd: dir }, 'issue', 'show', ids[0]!, '--json')).stdout;
    const fromSnap = ok(await grite({ cwd: dir }, 'rebuild', '--from-snapshot', '--json')).json.data;
    expect(fromSnap).toMatchObject({ event_count: 7, from_snapshot: true, wal_head: full.wal_head });
    expect(ok(await grite({ cwd: dir }, 'issue', 'list', '--json')).stdout).toBe(listFull);
    expect(ok(await grite({ cwd: dir }, 'issue', 'show', ids[0]!, '--json')).stdout).toBe(showFull);

    const stats = ok(await grite({ cwd: dir }, 'db', 'stats', '--json')).json.data;
    expect(stats).toMatchObject({ event_count: 7, issue_count: 3, events_since_rebuild: 0, wal_head: full.wal_head });
    expect(stats.loose_objects).toBeGreaterThan(0);

    const gc = ok(await grite({ cwd: dir }, 'snapshot', 'gc', '--keep', '0', '--json')).json.data;
    expect(gc).toEqual({ deleted: [snap.ref], kept: 0 });
    expect(ok(await grite({ cwd: dir }, 'snapshot', 'list', '--json')).json.data).toEqual({ snapshots: [], total: 0 });
    const bad = await grite({ cwd: dir }, 'snapshot', 'gc', '--keep', '-1', '--json');
    expect(bad.code).toBe(2);
  });

  it('doctor warns about a snapshot older than a large log, and --fix takes a new one', async () => {
    const dir = repo();
    await seed(dir, 2);
    const cfg = join(dir, '.git', 'grite', 'config.toml');
    writeFileSync(cfg, `${readFileSync(cfg, 'utf8')}\n[snapshot]\nmax_events = 4\n`);
    ok(await grite({ cwd: dir }, 'snapshot'));
    await seed(dir, 2);
    const r = ok(await grite({ cwd: dir }, 'doctor', '--json'));
    expect(check(r, 'snapshot')).toMatchObject({ status: 'warn', message: expect.stringMatching(/^4 events arrived since the newest snapshot/) });
    const fixed = ok(await grite({ cwd: dir }, 'doctor', '--fix', '--json'));
    expect(fixed.json.data.applied).toEqual([expect.stringMatching(/^created snapshot refs\/grite\/snapshots\/\d+ \(8 events/)]);
    expect(check(fixed, 'snapshot').status).toBe('ok');
  });
});

describe('export', () => {
  it('to stdout by default (nothing in the working tree), --output, --format md, --since a time or an event', async () => {
    const dir = repo();
    const ids = await seed(dir, 2);
    const doc = ok(await grite({ cwd: dir }, 'export'));
    const parsed = JSON.parse(doc.stdout);
    expect(Object.keys(parsed)).toEqual(['meta', 'issues', 'events']);
    expect(parsed.meta).toMatchObject({ schema_version: 1, issue_count: 2, event_count: 4, since: null, wal_head: git(dir, 'rev-parse', 'refs/grite/wal') });
    expect(parsed.issues.map((i: { issue_id: string }) => i.issue_id).sort()).toEqual([...ids].sort());
    expect(Object.keys(parsed.issues[0]).sort()).toEqual(
      ['assignees', 'attachments', 'body', 'comment_count', 'comments', 'created_ts', 'dependencies', 'issue_id', 'labels', 'links', 'state', 'title', 'updated_ts'],
    );
    expect(git(dir, 'status', '--porcelain', '--ignored')).toBe('');

    const md = ok(await grite({ cwd: dir }, 'export', '--format', 'md'));
    expect(md.stdout).toMatch(/^# grite export\n/);
    expect(md.stdout).toContain('## issue 1 [open]');
    expect(md.stdout).toContain('> comment on 0');

    const outDir = mkdtempSync(join(tmpdir(), 'grite-export-out-'));
    try {
      const out = join(outDir, 'issues.md');
      const w = ok(await grite({ cwd: dir }, 'export', '--format', 'md', '--output', out, '--json'));
      expect(w.json.data).toMatchObject({ format: 'md', output: out, bytes: Buffer.byteLength(readFileSync(out, 'utf8')) });
      expect(readFileSync(out, 'utf8')).toContain('## issue 0 [open]');
      const h = ok(await grite({ cwd: dir }, 'export', '-o', join(outDir, 'x.json')));
      expect(h.stdout).toMatch(/^exported 2 issues, 4 events, \d+ bytes to .*x\.json\n$/);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }

    const all = parsed.events as { event_id: string; ts_unix_ms: number; issue_id: string }[];
    const byEvent = ok(await grite({ cwd: dir }, 'export', '--since', all[1]!.event_id.slice(0, 10), '--json')).json.data;
    expect(byEvent.events.map((e: { event_id: string }) => e.event_id)).toEqual(all.slice(2).map((e) => e.event_id));
    expect(byEvent.since).toEqual({ event_id: all[1]!.event_id.slice(0, 10) });
    const byTime = ok(await grite({ cwd: dir }, 'export', '--since', String(all[2]!.ts_unix_ms), '--json')).json.data;
    expect(byTime.events.map((e: { event_id: string }) => e.event_id)).toEqual([all[3]!.event_id]);
    expect(byTime.issues.map((i: { issue_id: string }) => i.issue_id)).toEqual([all[3]!.issue_id]);
    const iso = ok(await grite({ cwd: dir }, 'export', '--since', '2000-01-01', '--json')).json.data;
    expect(iso.events).toHaveLength(4);
    const bad = await grite({ cwd: dir }, 'export', '--since', 'yesterday', '--json');
    expect(bad.code).toBe(2);
    expect(bad.json.error.code).toBe('invalid_args');
  });
});
