/** Every operation, by id. The fast entry and the command classes both read this. */
import type { Op } from './op.js';
import * as issue from './issue.js';
import * as dep from './dep.js';
import * as admin from './admin.js';
import * as local from './local.js';
import * as daemon from './daemon.js';
import * as syncLock from './sync-lock.js';
import * as watchOps from './watch.js';
import * as maintenance from './maintenance.js';
import * as agent from './agent.js';

export type { Op, StoreOp, LocalOp, OpInput, JsonData } from './op.js';

export const OPS: readonly Op[] = [
  issue.issueCreate,
  issue.issueList,
  issue.issueShow,
  issue.issueUpdate,
  issue.issueComment,
  issue.issueClose,
  issue.issueReopen,
  issue.issueReady,
  issue.issueLabelAdd,
  issue.issueLabelRemove,
  issue.issueAssigneeAdd,
  issue.issueAssigneeRemove,
  issue.issueLinkAdd,
  issue.issueAttachmentAdd,
  dep.depAdd,
  dep.depRemove,
  dep.depList,
  dep.depTopo,
  admin.dbStats,
  maintenance.doctor,
  maintenance.snapshotCreate,
  maintenance.snapshotList,
  maintenance.snapshotGc,
  maintenance.exportOp,
  admin.rebuild,
  local.init,
  local.actorInit,
  local.actorList,
  local.actorShow,
  local.actorCurrent,
  local.actorUse,
  local.configGet,
  local.configSet,
  daemon.daemonStart,
  daemon.daemonStop,
  daemon.daemonStatus,
  syncLock.sync,
  syncLock.lockAcquire,
  syncLock.lockRenew,
  syncLock.lockRelease,
  syncLock.lockStatus,
  syncLock.lockGc,
  watchOps.watch,
  agent.issueClaim,
  agent.batch,
  agent.mcp,
  agent.prime,
];

const BY_ID = new Map(OPS.map((o) => [o.id, o]));

export function opById(id: string): Op {
  const op = BY_ID.get(id);
  if (!op) throw new Error(`no operation ${id}`);
  return op;
}

/** The op whose id is the longest prefix of argv's leading words, if any. */
export function matchOp(argv: readonly string[]): { op: Op; rest: string[] } | null {
  for (let n = Math.min(3, argv.length); n >= 1; n--) {
    const op = BY_ID.get(argv.slice(0, n).join(' '));
    if (op) return { op, rest: argv.slice(n) };
  }
  return null;
}
