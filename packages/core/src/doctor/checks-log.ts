/**
 * The checks of the log and its cache: git_repo, wal_ref, wal_integrity,
 * view_consistency.
 *
 * The only repair here is the view's, and it loses nothing. Events that the
 * view holds and the log does not (the WAL was rewound, or a commit became
 * unreadable after the view took it in) go back into the log first: where
 * they encode to exactly the chunk a bad commit names (its blob missing or
 * rotten), that blob is written again, which makes the commit read again
 * (the bytes hash to the object's own name: no commit or ref changes); the
 * rest are appended as new commits, same event ids, one commit per actor, on
 * top of the current head. History is never rewritten, only added to. Then
 * the view is rebuilt from the refs. A view file that is missing, damaged or
 * of another schema version on disk while this process has another copy
 * open (a daemon whose file was deleted or replaced) is rebuilt on disk
 * first; the process keeps using its own copy (SQLite keeps the unlinked
 * files it has open, never the new ones) until it reopens the file, which
 * the report asks for (Repair.viewFileRebuilt).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Event } from '../event.js';
import { encodeChunk } from '../codec/chunk.js';
import { verifyEventId } from '../codec/event-id.js';
import { bytesEqual, fromHex, toHex } from '../codec/hex.js';
import { hashObject, writePreparedObject } from '../git/objects.js';
import { refLockPath } from '../git/refs.js';
import { repoFormat } from '../git/repo-format.js';
import { runGit } from '../git/run-git.js';
import { WAL_REF } from '../git/wal.js';
import { loadLog, revList, isAncestor } from '../snapshot/log.js';
import { markRebuilt } from '../snapshot/rebuild.js';
import { View, VIEW_SCHEMA_VERSION } from '../view/index.js';
import { scanWal, short, type DoctorContext } from './context.js';
import { FIXABLE, type Finding, type Repair } from './types.js';
import { inspectViewFile, readViewEvents, type ViewFileState } from './view-file.js';

/** A ref lock file older than this is left over by a writer that died. */
const STALE_REF_LOCK_MS = 60_000;

export async function checkGitRepo(ctx: DoctorContext): Promise<Finding> {
  const dir = ctx.store.commonDir;
  const missing = ['HEAD', 'objects', 'refs'].filter((p) => !existsSync(`${dir}/${p}`));
  const version = await runGit(dir, ['version'], { allowFailure: true }).catch((e: Error) => ({ code: -1, stdout: Buffer.from(''), stderr: e.message }));
  if (version.code !== 0) {
    return {
      check: {
        id: 'git_repo',
        status: 'error',
        message: `git cannot be run: ${version.stderr}`,
        plan: ['install git and put it on PATH'],
      },
    };
  }
  const revParse = await runGit(dir, ['rev-parse', '--git-dir'], { allowFailure: true });
  if (missing.length > 0 || revParse.code !== 0) {
    const why = missing.length > 0 ? `${missing.join(', ')} missing` : revParse.stderr;
    return {
      check: { id: 'git_repo', status: 'error', message: `${dir} is not a usable git repository: ${why}`, plan: ['run grite inside a git repository (git init creates one)'] },
    };
  }
  let format = '';
  try {
    const f = repoFormat(dir);
    format = ` (${f.objectFormat} objects, ${f.refStorage} refs)`;
  } catch (e) {
    return { check: { id: 'git_repo', status: 'error', message: `cannot read ${dir}/config: ${(e as Error).message}`, plan: [`fix ${dir}/config`] } };
  }
  return { check: { id: 'git_repo', status: 'ok', message: `${version.stdout.toString('utf8').trim()}; repository ${dir}${format}`, plan: [] } };
}

export async function checkWalRef(ctx: DoctorContext): Promise<Finding> {
  const dir = ctx.store.commonDir;
  const scan = await ctx.scan();
  if (scan.headError !== null) {
    return {
      check: {
        id: 'wal_ref',
        status: 'error',
        message: `${WAL_REF} cannot be read: ${scan.headError.message}`,
        plan: [`point ${WAL_REF} at the newest good WAL commit (git update-ref ${WAL_REF} <commit>), or fetch it from another clone (grite sync)`],
      },
    };
  }
  const lock = refLockPath(dir, WAL_REF);
  const lockStat = statSync(lock, { throwIfNoEntry: false });
  const lockAge = lockStat === undefined ? 0 : ctx.now - lockStat.mtimeMs;
  const staleLock = lockStat !== undefined && lockAge > STALE_REF_LOCK_MS;
  if (scan.head === null) {
    return { check: { id: 'wal_ref', status: 'ok', message: `no ${WAL_REF} yet: the log is empty`, plan: [] } };
  }
  const obj = await ctx.store.wal.catFile.read(scan.head);
  if (obj === null || obj.type !== 'commit') {
    return {
      check: {
        id: 'wal_ref',
        status: 'error',
        message: `${WAL_REF} points to ${scan.head}, which is ${obj === null ? 'missing from the object store' : `a ${obj.type}, not a commit`}`,
        plan: [`fetch the missing objects from another clone (grite sync), or point ${WAL_REF} at the newest good WAL commit`],
      },
    };
  }
  if (staleLock) {
    return {
      check: {
        id: 'wal_ref',
        status: 'warn',
        message: `${WAL_REF} at ${short(scan.head)}, but ${lock} is ${Math.round(lockAge / 1000)} s old: a writer that died left it, and writes fail while it is there`,
        plan: [`if no git or grite process is running, delete ${lock}`],
      },
    };
  }
  return { check: { id: 'wal_ref', status: 'ok', message: `${WAL_REF} at ${scan.head}`, plan: [] } };
}

export async function checkWalIntegrity(ctx: DoctorContext): Promise<Finding> {
  const scan = await ctx.scan();
  if (scan.head === null) {
    return { check: { id: 'wal_integrity', status: 'ok', message: 'no WAL commits to verify', plan: [] } };
  }
  if (scan.bad.length === 0) {
    return {
      check: {
        id: 'wal_integrity',
        status: 'ok',
        message: `${scan.commits} WAL commits, ${scan.ids.size} events: every chunk hash and event id verified`,
        plan: [],
      },
    };
  }
  const first = scan.bad[0]!;
  return {
    check: {
      id: 'wal_integrity',
      status: 'error',
      message:
        `${scan.bad.length} of ${scan.commits} WAL commits cannot be read; the other ${scan.commits - scan.bad.length} read and verify. ` +
        `First: ${first.message}`,
      plan: [
        ...scan.bad.slice(0, 20).map((b) => `bad commit ${b.oid}: ${b.message.replace(/^WAL commit [0-9a-f]+: /, '')}`),
        ...(scan.bad.length > 20 ? [`... and ${scan.bad.length - 20} more`] : []),
        'history is never rewritten: restore the missing objects from another clone (grite sync, or git fetch <remote> from a clone that has them)',
        `events the view still holds from a bad commit go back into the log with the view repair (its chunk object written again when they rebuild it exactly, else new commits) ${FIXABLE}`,
      ],
    },
  };
}

function diskProblem(state: ViewFileState): string | null {
  switch (state.state) {
    case 'missing':
      return `${state.path} is missing`;
    case 'damaged':
      return `${state.path} is damaged (${state.error})`;
    case 'schema':
      return `${state.path} has schema version ${state.schemaVersion ?? '(none)'}, this build uses ${VIEW_SCHEMA_VERSION}`;
    case 'ok':
      return null;
  }
}

async function headRelation(ctx: DoctorContext, viewHead: string | null, walHead: string | null): Promise<string | null> {
  if (viewHead === walHead) return null;
  const dir = ctx.store.commonDir;
  if (viewHead === null) return `the view reflects no WAL head (empty or never built), the WAL head is ${short(walHead)}`;
  if (walHead === null) return `the view reflects WAL head ${short(viewHead)}, but there is no WAL`;
  if (await isAncestor(dir, viewHead, walHead)) {
    const n = (await revList(dir, walHead, viewHead))?.length;
    return `the view is behind the WAL: it reflects ${short(viewHead)}, the WAL head ${short(walHead)} is ${n ?? 'some'} commits later`;
  }
  if (await isAncestor(dir, walHead, viewHead)) {
    return `the view is ahead of the WAL: it reflects ${short(viewHead)}, a descendant of the WAL head ${short(walHead)} (the WAL was rewound)`;
  }
  return `the view reflects ${short(viewHead)}, which is not in the history of the WAL head ${short(walHead)} (the WAL was replaced)`;
}

export async function checkViewConsistency(ctx: DoctorContext): Promise<Finding> {
  const { store } = ctx;
  const scan = await ctx.scan();
  const path = store.view.path;
  const problems: string[] = [];
  const notes: string[] = [];
  const preflight = ctx.viewPreflight;
  const before = preflight === undefined ? null : diskProblem(preflight);
  if (before !== null) problems.push(`when grite opened it, ${before}`);
  else if (preflight === undefined && store.view.wasReset) {
    notes.push('view.sqlite was of another schema version or damaged when this process opened it, and was emptied then');
  }
  const now = inspectViewFile(path);
  const onDisk = diskProblem(now);
  if (onDisk !== null) problems.push(`now ${onDisk} (this process still has its own copy open)`);

  const stats = store.view.stats();
  if (scan.headError === null) {
    const rel = await headRelation(ctx, stats.walHead, scan.head);
    if (rel !== null) problems.push(rel);
  }
  let present = 0;
  for (const id of scan.ids) if (store.view.hasEvent(fromHex(id))) present++;
  const missing = scan.ids.size - present;
  const extra = stats.eventCount - present;
  if (missing > 0) problems.push(`${missing} events of the log are not in the view`);
  if (extra > 0) problems.push(`the view holds ${extra} events the log does not (the WAL was rewound, or a commit became unreadable)`);

  if (problems.length === 0) {
    return {
      check: {
        id: 'view_consistency',
        status: 'ok',
        message: [`the view reflects the WAL head ${short(scan.head)} with all ${stats.eventCount} events, schema version ${VIEW_SCHEMA_VERSION}`, ...notes].join('; '),
        plan: [],
      },
    };
  }
  const plan: string[] = [];
  if (extra > 0) plan.push(`append the ${extra} events only the view holds to the WAL again, as new commits with the same event ids (nothing is rewritten) ${FIXABLE}`);
  plan.push(`rebuild the view from the refs ${FIXABLE} (or: grite rebuild)`);
  return {
    check: { id: 'view_consistency', status: 'error', message: [...problems, ...notes].join('; '), plan },
    fix: () => repairView(ctx, scan.ids, extra > 0, scan.bad.map((b) => b.oid)),
  };
}

/** Groups events by actor, in order of first appearance, each actor's events in the order given (a WAL commit's grouping). */
function byActor(events: readonly Event[]): Event[][] {
  const groups = new Map<string, Event[]>();
  for (const e of events) {
    const k = toHex(e.actor);
    const g = groups.get(k);
    if (g) g.push(e);
    else groups.set(k, [e]);
  }
  return [...groups.values()];
}

/** The chunk blobs the trees of the bad commits name (their trees may still read when a blob does not). */
async function chunkBlobsOf(ctx: DoctorContext, badCommits: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const oid of badCommits) {
    const r = await runGit(ctx.store.commonDir, ['ls-tree', '-r', '--full-tree', oid, '--', 'events'], { allowFailure: true });
    if (r.code !== 0) continue;
    for (const line of r.stdout.toString('utf8').split('\n')) {
      const m = /^100644 blob ([0-9a-f]+)\t.*\.bin$/.exec(line);
      if (m) out.add(m[1]!);
    }
  }
  return out;
}

/**
 * For each group whose chunk is one that a bad commit names, and which git
 * cannot give back intact (missing, rotten loose, or damaged in a pack),
 * writes that blob as a loose object. The bytes written hash to the object's
 * own name, so this can only make the commit read again (git falls back to
 * the loose copy when the packed one is damaged); it changes no commit and
 * no ref. Returns the blobs written.
 */
async function restoreChunkBlobs(ctx: DoctorContext, groups: readonly Event[][], wanted: ReadonlySet<string>): Promise<number> {
  const dir = ctx.store.commonDir;
  const format = repoFormat(dir).objectFormat;
  let restored = 0;
  for (const group of groups) {
    const obj = hashObject('blob', encodeChunk(group), format);
    if (!wanted.has(obj.oid)) continue;
    const have = await Promise.race([
      ctx.store.wal.catFile.read(obj.oid).catch(() => null),
      new Promise<null>((r) => setTimeout(() => r(null), ctx.stallMs).unref()),
    ]);
    const data = obj.raw.subarray(obj.raw.indexOf(0) + 1);
    if (have !== null && have.type === 'blob' && bytesEqual(have.data, data)) continue;
    rmSync(join(dir, 'objects', obj.oid.slice(0, 2), obj.oid.slice(2)), { force: true });
    if (await writePreparedObject(dir, obj)) restored++;
  }
  return restored;
}

async function repairView(ctx: DoctorContext, logIds: ReadonlySet<string>, hasExtra: boolean, badCommits: readonly string[]): Promise<Repair> {
  const { store } = ctx;
  const applied: string[] = [];
  const path = store.view.path;
  if (hasExtra) {
    const disk = inspectViewFile(path);
    if (disk.state !== 'ok') {
      applied.push(`could not read the events only the view holds: ${diskProblem(disk) ?? ''}`);
    } else {
      const { events, unreadable } = readViewEvents(path, (id) => !logIds.has(id));
      const good = events.filter((e) => verifyEventId(e));
      const dropped = events.length - good.length + unreadable;
      // First give back to bad commits the chunks they lost, when the view's events rebuild them exactly.
      const restored = badCommits.length === 0 ? 0 : await restoreChunkBlobs(ctx, byActor(good), await chunkBlobsOf(ctx, badCommits));
      let left = good;
      if (restored > 0) {
        const now = await scanWal(store, { stallMs: ctx.stallMs });
        left = good.filter((e) => !now.ids.has(toHex(e.eventId)));
        applied.push(`restored ${restored} missing or corrupt chunk object${restored === 1 ? '' : 's'} from the view's events (${good.length - left.length} events read again from their own commits)`);
      }
      if (left.length > 0) {
        let head: string | null = null;
        let written = 0;
        for (const group of byActor(left)) {
          const r = await store.wal.append(group);
          head = r.head;
          written += r.written.length;
        }
        applied.push(`appended ${written} events only the view held to ${WAL_REF} as new commits (head ${short(head)})`);
        // Never rebuild away an event the log still cannot give back.
        const check = await scanWal(store, { stallMs: ctx.stallMs });
        const lost = left.filter((e) => !check.ids.has(toHex(e.eventId)));
        if (lost.length > 0) {
          applied.push(`${lost.length} of them still cannot be read from the log; the view keeps them and was not rebuilt`);
          return { applied };
        }
      }
      if (dropped > 0) applied.push(`left out ${dropped} rows of the view whose content does not match their event id (damaged cache rows, never in the log)`);
    }
  }
  // A file missing, damaged or of another schema version on disk while the
  // store has its own copy open (deleted or replaced under a daemon): build
  // the file on disk first; the open copy may no longer be writable at all.
  let viewFileRebuilt = false;
  const disk = inspectViewFile(path);
  if (disk.state !== 'ok') {
    const fresh = View.open(path);
    try {
      const load = await loadLog(store.wal);
      fresh.replaceAll(load.events, { commits: load.commits, walHead: load.head });
      markRebuilt(path, fresh.stats().eventCount);
      applied.push(`rebuilt ${path} on disk from the refs (${diskProblem(disk) ?? ''} before): ${fresh.stats().eventCount} events at ${short(load.head)}`);
    } finally {
      fresh.close();
    }
    viewFileRebuilt = true;
  }
  try {
    const r = await store.rebuild();
    markRebuilt(path, r.eventCount);
    applied.push(`rebuilt the view from the refs: ${r.eventCount} events at ${short(r.walHead)}`);
  } catch (e) {
    if (!viewFileRebuilt) throw e;
    applied.push(`this process's own copy of the view cannot be rebuilt (${(e as Error).message}): it must reopen view.sqlite`);
  }
  return viewFileRebuilt ? { applied, viewFileRebuilt } : { applied };
}
