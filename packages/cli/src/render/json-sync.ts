/**
 * IpcResponse -> `--json` data for sync and locks (DESIGN.md section 8):
 * - sync: `{pulled, pushed, events_pulled, events_pushed, wal_head, remote_wal_head}`
 *   (heads are git object ids, null when there is no log);
 * - lock (acquire, renew, release): `{resource, owner, nonce, expires_unix_ms}`
 *   (owner: actor hex; expires 0 once released);
 * - lock status: `{locks: [lock], conflicts: [{resource, held: lock}]}`;
 * - lock gc: `{expired_pruned}`.
 * Read straight from the response buffer, as render/json.ts does.
 */
import {
  bytesToHex,
  IpcResult,
  LockConflict,
  LockGcResult,
  LockInfo,
  LockStatusResult,
  SyncResult,
  type IpcResponse,
} from '@grite/protocol';
import type { Json } from './json.js';

export function lockInfoJson(l: LockInfo): { [key: string]: Json } {
  return {
    resource: l.resource() ?? '',
    owner: bytesToHex(l.ownerArray()),
    nonce: l.nonce() ?? '',
    expires_unix_ms: Number(l.expiresUnixMs()),
  };
}

function syncJson(r: SyncResult): { [key: string]: Json } {
  return {
    pulled: r.pulled(),
    pushed: r.pushed(),
    events_pulled: r.eventsPulled(),
    events_pushed: r.eventsPushed(),
    wal_head: r.walHead() || null,
    remote_wal_head: r.remoteWalHead() || null,
  };
}

function statusJson(r: LockStatusResult): { [key: string]: Json } {
  const locks: Json[] = [];
  const info = new LockInfo();
  for (let i = 0; i < r.locksLength(); i++) locks.push(lockInfoJson(r.locks(i, info)!));
  const conflicts: Json[] = [];
  const c = new LockConflict();
  for (let i = 0; i < r.conflictsLength(); i++) {
    const conflict = r.conflicts(i, c)!;
    conflicts.push({ resource: conflict.resource() ?? '', held: lockInfoJson(conflict.held(new LockInfo())!) });
  }
  return { locks, conflicts };
}

/** The data of a sync or lock answer; undefined for any other result type. */
export function syncLockResultJson(resp: IpcResponse): Json | undefined {
  switch (resp.resultType()) {
    case IpcResult.SyncResult:
      return syncJson(resp.result(new SyncResult()) as SyncResult);
    case IpcResult.LockInfo:
      return lockInfoJson(resp.result(new LockInfo()) as LockInfo);
    case IpcResult.LockStatusResult:
      return statusJson(resp.result(new LockStatusResult()) as LockStatusResult);
    case IpcResult.LockGcResult:
      return { expired_pruned: (resp.result(new LockGcResult()) as LockGcResult).expiredPruned() };
    default:
      return undefined;
  }
}
