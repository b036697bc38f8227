/**
 * The checks around the log: dependencies (waiting cycles that arrived by
 * sync), actor_config, locks (expired, malformed), remote (behind or diverged
 * as of the last fetch: doctor never contacts a remote) and snapshot (missing
 * or stale for a large log).
 *
 * Repairs: expired and released lock refs are collected (local refs only:
 * a remote's refs move only through lock commands), and a due snapshot is
 * created. A cycle, a broken config, a malformed lock ref and a remote that
 * moved on are decisions for a person: doctor says what to run.
 */
import { readdirSync } from 'node:fs';
import { toHex } from '../codec/hex.js';
import { readRef } from '../git/refs.js';
import { listRefs } from '../locks/list-refs.js';
import { lockState, readLocks } from '../locks/lock-file.js';
import { gcLocks } from '../locks/locks.js';
import { lockRefName, LOCK_REF_PREFIX } from '../locks/resource.js';
import { waitOf } from '../projection/graph.js';
import { actorsDir, listActors, readActorConfig } from '../repo/actors.js';
import { readRepoConfig } from '../repo/config.js';
import { createSnapshot } from '../snapshot/create.js';
import { isAncestor, revList } from '../snapshot/log.js';
import { listSnapshots, readSnapshotEvents, snapshotDue, type SnapshotInfo } from '../snapshot/snapshot.js';
import { listRemotes, trackingRef, TRACKING_PREFIX } from '../sync/remote-git.js';
import { short, type DoctorContext } from './context.js';
import { FIXABLE, type Finding } from './types.js';

export async function checkDependencies(ctx: DoctorContext): Promise<Finding> {
  const view = ctx.store.view;
  const cycles = view.cycles();
  if (cycles.length === 0) return { check: { id: 'dependencies', status: 'ok', message: 'no waiting cycles', plan: [] } };
  const plan: string[] = [];
  for (const members of cycles) {
    const inCycle = new Set(members.map((m) => toHex(m)));
    const edges: string[] = [];
    for (const m of members) {
      for (const d of view.listDeps(m, 'out')) {
        const w = waitOf(m, d.issueId, d.depType);
        if (w !== null && inCycle.has(toHex(w.waiter)) && inCycle.has(toHex(w.waitee))) {
          edges.push(`grite issue dep remove ${short(toHex(m))} --target ${short(toHex(d.issueId))} --type ${d.depType}`);
        }
      }
    }
    plan.push(`break the cycle ${members.map((m) => short(toHex(m))).join(' -> ')} by removing one of its edges: ${edges.join(' | ')}`);
  }
  return {
    check: {
      id: 'dependencies',
      status: 'warn',
      message:
        `${cycles.length} waiting cycle${cycles.length === 1 ? '' : 's'} among existing issues ` +
        `(grite refuses to add one, so it arrived by sync): their members are never ready`,
      plan,
    },
  };
}

export async function checkActorConfig(ctx: DoctorContext): Promise<Finding> {
  const griteDir = ctx.store.griteDir;
  let defaultActor: string | null;
  try {
    defaultActor = readRepoConfig(griteDir).defaultActor;
  } catch (e) {
    return {
      check: {
        id: 'actor_config',
        status: 'error',
        message: (e as Error).message,
        plan: [(e as { hint?: string }).hint ?? `fix ${griteDir}/config.toml`],
      },
    };
  }
  const actors = listActors(griteDir);
  const valid = new Set(actors.map((a) => a.actorId));
  let names: string[] = [];
  try {
    names = readdirSync(actorsDir(griteDir));
  } catch {
    // No actors directory: no actor yet.
  }
  const broken: string[] = [];
  for (const name of names) {
    if (valid.has(name)) continue;
    const dir = `${actorsDir(griteDir)}/${name}`;
    try {
      const info = readActorConfig(dir);
      broken.push(`${dir}: its config.toml names actor ${info.actorId}, not ${name}`);
    } catch (e) {
      broken.push(`${dir}: ${(e as Error).message}`);
    }
  }
  const problems: string[] = [];
  const plan: string[] = [];
  if (defaultActor !== null && !valid.has(defaultActor.toLowerCase())) {
    problems.push(`default_actor ${defaultActor} has no actor directory (the first actor by id is used instead)`);
    plan.push(actors.length > 0 ? `grite actor use ${actors[0]!.actorId.slice(0, 8)}` : 'grite actor init');
  }
  if (broken.length > 0) {
    problems.push(`${broken.length} actor director${broken.length === 1 ? 'y is' : 'ies are'} not usable: ${broken.join('; ')}`);
    plan.push('fix or remove those directories (grite skips them)');
  }
  if (problems.length > 0) return { check: { id: 'actor_config', status: 'warn', message: problems.join('; '), plan } };
  if (actors.length === 0) {
    return { check: { id: 'actor_config', status: 'ok', message: 'no actor yet: the first write creates one (or: grite init)', plan: [] } };
  }
  const def = defaultActor === null ? 'none set, the first by id is used' : defaultActor;
  return { check: { id: 'actor_config', status: 'ok', message: `${actors.length} actor${actors.length === 1 ? '' : 's'}; default: ${def}`, plan: [] } };
}

interface LockRefState {
  ref: string;
  malformed: string | null;
  state: 'held' | 'expired' | 'released' | null;
}

async function inspectLockRefs(commonDir: string, prefix: string, now: number, refOf: (name: string) => string | null): Promise<LockRefState[]> {
  const refs = await listRefs(commonDir, prefix);
  const out: LockRefState[] = [];
  for (const [name, oid] of refs) {
    const lockRef = refOf(name);
    if (lockRef === null) continue;
    if (!/^[0-9a-f]{16}$/.test(lockRef.slice(LOCK_REF_PREFIX.length))) {
      out.push({ ref: name, malformed: 'its name is not a lock hash (16 hex characters)', state: null });
      continue;
    }
    try {
      const [lock] = await readLocks(commonDir, [oid]);
      if (lockRefName(lock!.resource) !== lockRef) {
        out.push({ ref: name, malformed: `it holds the lock of ${lock!.resource}, which belongs under ${lockRefName(lock!.resource)}`, state: null });
      } else {
        out.push({ ref: name, malformed: null, state: lockState(lock!, now) });
      }
    } catch (e) {
      out.push({ ref: name, malformed: (e as Error).message, state: null });
    }
  }
  return out;
}

export async function checkLocks(ctx: DoctorContext): Promise<Finding> {
  const dir = ctx.store.commonDir;
  const local = await inspectLockRefs(dir, LOCK_REF_PREFIX, ctx.now, (n) => n);
  const tracked = await inspectLockRefs(dir, TRACKING_PREFIX, ctx.now, (n) => {
    const m = /^refs\/grite-remotes\/.+\/locks\/([^/]+)$/.exec(n);
    return m ? `${LOCK_REF_PREFIX}${m[1]!}` : null;
  });
  const malformed = [...local, ...tracked].filter((l) => l.malformed !== null);
  const collectable = local.filter((l) => l.state === 'expired' || l.state === 'released');
  const expired = collectable.filter((l) => l.state === 'expired').length;
  const held = local.filter((l) => l.state === 'held').length;
  const plan: string[] = [];
  const problems: string[] = [];
  if (malformed.length > 0) {
    problems.push(
      `${malformed.length} malformed lock ref${malformed.length === 1 ? '' : 's'} (lock commands and lock checks fail while it is there): ` +
        malformed.map((m) => `${m.ref}: ${m.malformed}`).join('; '),
    );
    for (const m of malformed) plan.push(`delete it: git update-ref -d ${m.ref}`);
  }
  if (collectable.length > 0) {
    problems.push(`${expired} expired and ${collectable.length - expired} released local lock ref${collectable.length === 1 ? '' : 's'} (free, left to collect)`);
    plan.push(`collect them ${FIXABLE} (or: grite lock gc)`);
  }
  if (problems.length === 0) {
    return { check: { id: 'locks', status: 'ok', message: `${held} held lock${held === 1 ? '' : 's'}, none expired or malformed`, plan: [] } };
  }
  return {
    check: { id: 'locks', status: malformed.length > 0 ? 'error' : 'warn', message: problems.join('; '), plan },
    ...(collectable.length > 0
      ? {
          fix: async () => {
            const r = await gcLocks(dir, { now: ctx.now });
            return { applied: [`collected ${r.expiredPruned} expired or released lock ref${r.expiredPruned === 1 ? '' : 's'}`] };
          },
        }
      : {}),
  };
}

export async function checkRemote(ctx: DoctorContext): Promise<Finding> {
  const dir = ctx.store.commonDir;
  const remotes = await listRemotes(dir);
  if (remotes.length === 0) return { check: { id: 'remote', status: 'ok', message: 'no remote configured', plan: [] } };
  const scan = await ctx.scan();
  const local = scan.head;
  const notes: string[] = [];
  const problems: string[] = [];
  const plan: string[] = [];
  for (const remote of remotes) {
    const theirs = await readRef(dir, trackingRef(remote.name, 'wal')).catch(() => null);
    if (theirs === null) {
      notes.push(`${remote.name}: never fetched (grite sync shares the log)`);
      continue;
    }
    if (theirs === local) {
      notes.push(`${remote.name}: up to date`);
      continue;
    }
    if (local === null) {
      problems.push(`${remote.name} has a log and this clone has none`);
      plan.push(`grite sync (with ${remote.name})`);
      continue;
    }
    const [remoteInLocal, localInRemote] = await Promise.all([isAncestor(dir, theirs, local), isAncestor(dir, local, theirs)]);
    if (remoteInLocal === null || localInRemote === null) {
      problems.push(`${remote.name}: cannot compare ${short(local)} with its ${short(theirs)} (objects missing)`);
      plan.push(`grite sync (with ${remote.name})`);
    } else if (remoteInLocal) {
      const n = (await revList(dir, local, theirs))?.length ?? 0;
      notes.push(`${remote.name}: ${n} local commit${n === 1 ? '' : 's'} not pushed yet`);
    } else if (localInRemote) {
      const n = (await revList(dir, theirs, local))?.length ?? 0;
      problems.push(`behind ${remote.name} by ${n} commit${n === 1 ? '' : 's'}`);
      plan.push(`grite sync (with ${remote.name}): a fast-forward`);
    } else {
      const [mine, other] = await Promise.all([revList(dir, local, theirs), revList(dir, theirs, local)]);
      problems.push(`diverged from ${remote.name}: ${mine?.length ?? '?'} local and ${other?.length ?? '?'} remote commits since they parted`);
      plan.push(`grite sync (with ${remote.name}): keeps the remote's history and writes the local events again on top`);
    }
  }
  const when = 'as of the last fetch; doctor does not contact remotes';
  if (problems.length === 0) return { check: { id: 'remote', status: 'ok', message: `${notes.join('; ')} (${when})`, plan: [] } };
  return { check: { id: 'remote', status: 'warn', message: `${[...problems, ...notes].join('; ')} (${when})`, plan } };
}

export async function checkSnapshot(ctx: DoctorContext): Promise<Finding> {
  const { store } = ctx;
  const scan = await ctx.scan();
  const eventCount = scan.headError === null ? scan.ids.size : store.view.stats().eventCount;
  const snaps = await listSnapshots(store.commonDir, { catFile: store.wal.catFile });
  const broken: string[] = snaps.filter((s) => s.meta === null).map((s) => s.error ?? s.ref);
  let newest: SnapshotInfo | null = null;
  for (const s of snaps) {
    if (s.meta === null) continue;
    try {
      await readSnapshotEvents(store.commonDir, s, { catFile: store.wal.catFile });
      newest = s;
      break;
    } catch (e) {
      broken.push((e as Error).message);
    }
  }
  const due = snapshotDue(eventCount, newest, ctx.policy, ctx.now);
  const problems: string[] = [];
  const plan: string[] = [];
  if (due.due) {
    problems.push(due.reason);
    plan.push(`create one ${FIXABLE} (or: grite snapshot)`);
  }
  if (broken.length > 0) {
    problems.push(`${broken.length} snapshot${broken.length === 1 ? '' : 's'} cannot be used (rebuild skips ${broken.length === 1 ? 'it' : 'them'}): ${broken.join('; ')}`);
    plan.push('remove old snapshots: grite snapshot gc --keep N');
  }
  if (problems.length === 0) {
    const what = newest === null ? 'no snapshot' : `newest ${newest.ref} (${newest.eventCount} events)`;
    return { check: { id: 'snapshot', status: 'ok', message: `${what}; ${due.reason}`, plan: [] } };
  }
  return {
    check: { id: 'snapshot', status: 'warn', message: problems.join('; '), plan },
    ...(due.due && scan.head !== null
      ? {
          fix: async () => {
            const r = await createSnapshot(store.wal);
            return { applied: [`created snapshot ${r.snapshot.ref} (${r.snapshot.eventCount} events at ${short(r.snapshot.walHead)})`] };
          },
        }
      : {}),
  };
}
