/**
 * `grite watch`: one line per notification of the repository's daemon
 * (EventApplied, WalSynced, LockChanged, SnapshotCreated), including changes
 * other processes make, so an agent can wait for work instead of polling.
 * With --json each line is one JSON object (newline-delimited JSON), e.g.
 * `{"kind":"EventApplied","issue_id":"...","event_id":"..."}`. Runs until
 * interrupted (SIGINT/SIGTERM: exit 0) or the daemon goes away (exit 1).
 * Kinds this build does not know are skipped.
 */
import {
  EventApplied,
  LockChanged,
  NotificationKind,
  SnapshotCreated,
  SubscribeT,
  WalSynced,
  bytesToHex,
  encodeRequest,
  type Notification,
} from '@grite/protocol';
import { daemonLaunch } from '../daemon-launch.js';
import { globalFlags, noDaemonWanted } from '../flags.js';
import { errorOutcome, type Outcome } from '../output.js';
import { shortId } from '../render/human.js';
import type { OpInput } from './op.js';
import type { SessionOp } from './agent.js';

export function notificationJson(n: Notification): Record<string, string> | null {
  switch (n.kindType()) {
    case NotificationKind.EventApplied: {
      const k = n.kind(new EventApplied()) as EventApplied;
      return { kind: 'EventApplied', issue_id: bytesToHex(k.issueIdArray()), event_id: bytesToHex(k.eventIdArray()) };
    }
    case NotificationKind.WalSynced:
      return { kind: 'WalSynced', wal_head: (n.kind(new WalSynced()) as WalSynced).walHead() ?? '' };
    case NotificationKind.LockChanged:
      return { kind: 'LockChanged', resource: (n.kind(new LockChanged()) as LockChanged).resource() ?? '' };
    case NotificationKind.SnapshotCreated:
      return { kind: 'SnapshotCreated', ref: (n.kind(new SnapshotCreated()) as SnapshotCreated).ref() ?? '' };
    default:
      return null;
  }
}

function humanLine(j: Record<string, string>): string {
  const time = new Date().toISOString().slice(11, 19);
  switch (j.kind) {
    case 'EventApplied':
      return `${time} event   issue ${shortId(j.issue_id)} event ${shortId(j.event_id)}`;
    case 'WalSynced':
      return `${time} synced  wal ${j.wal_head!.slice(0, 12)}`;
    case 'LockChanged':
      return `${time} lock    ${j.resource}`;
    default:
      return `${time} snapshot ${j.ref}`;
  }
}

class WatchError extends Error {
  readonly code = 'ipc_error';
  readonly hint = 'grite daemon status shows the daemon; grite watch needs one';
}

async function watchSession(input: OpInput, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const json = Boolean(input.flags.json);
  try {
    if (noDaemonWanted(input.flags, env)) {
      throw new WatchError('grite watch listens to the daemon: it cannot run with --no-daemon');
    }
    const { resolveRepo } = await import('@grite/daemon/context');
    const { connectOrSpawn, currentBuild } = await import('@grite/daemon/client');
    const commonDir = resolveRepo(input.cwd, env).commonDir;
    const conn = await connectOrSpawn({ commonDir, spawn: true, ...daemonLaunch(currentBuild) });
    if (!conn) throw new WatchError('no daemon could be started for this repository');
    conn.onNotification((n) => {
      const j = notificationJson(n);
      if (j) process.stdout.write(`${json ? JSON.stringify(j) : humanLine(j)}\n`);
    });
    const resp = await conn.request(encodeRequest({ repo: commonDir, command: new SubscribeT() }));
    if (!resp.ok()) throw new WatchError(resp.error()?.message() ?? 'subscribe refused');
    if (!json && !input.flags.quiet) process.stderr.write(`watching ${commonDir} (Ctrl-C to stop)\n`);
    const how = await new Promise<'signal' | 'closed'>((resolve) => {
      const stop = (): void => resolve('signal');
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      conn.onClose(() => resolve('closed'));
    });
    conn.dispose();
    if (how === 'closed') throw new WatchError('the daemon went away');
    return { stdout: '', stderr: '', exitCode: 0 };
  } catch (e) {
    return errorOutcome(e, json);
  }
}

export const watch: SessionOp = {
  kind: 'local',
  id: 'watch',
  summary: 'Print one line per change the daemon sees (events, syncs, locks, snapshots) until interrupted.',
  examples: ['<%= config.bin %> watch --json'],
  flags: { ...globalFlags },
  args: {},
  run: () => {
    throw new WatchError('grite watch runs as a session');
  },
  session: watchSession,
};
