/**
 * IssueClaim (`grite issue claim`, `grite issue ready --claim`): an
 * `issue:<id>` lease lock for the request's actor (core's acquireLock:
 * compare-and-swap on the default remote's lock ref when the repository has
 * a remote, else on the local ref) plus the actor (its id as hex) as an
 * assignee.
 *
 * Order, each step before the next (the dispatch entry is `write`: claims
 * validate one at a time, so on one machine the daemon's single writer
 * decides; across machines the lock's compare-and-swap does):
 * 1. the issue: exists (`not_found`), is open and ready (else `conflict`
 *    with details.reason `closed` or `not_ready`: it cannot be claimed now);
 * 2. the actor's own unexpired claim on it (read from the local lock ref,
 *    which a won remote swap mirrors): nothing to take again, so the lock is
 *    left as it is (`already_held`);
 * 3. the lock: another actor's lease is a `conflict` naming the holder;
 * 4. the assignee, written only when the actor is not assigned yet; when
 *    that write fails, a lock this request took is released again.
 * Without an issue: the ready issues in dependency order, skipping those
 * with a held claim (the authoritative lock refs, read once), and claiming
 * the first whose swap wins; nothing ready answers a ClaimResult without an
 * issue.
 */
import {
  acquireLock,
  lockRefName,
  lockStatus,
  releaseLock,
  toHex,
  type IssueDetail as CoreIssueDetail,
  type IssueSummary as CoreIssueSummary,
  type LockInfo as CoreLockInfo,
} from '@grite/core';
import { ClaimResultT, IssueSummaryT, ProtocolError, type IssueClaim } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { byteList, stateToWire, u64 } from '../convert.js';
import { notFound } from '../errors.js';
import { lockInfoT } from '../lock-helpers.js';
import { buildEvents } from '../write-helpers.js';
import { requireActor, requireTs, resolveIssue } from '../validate.js';

/** A claim's lease when the request gives none. */
export const DEFAULT_CLAIM_TTL_MS = 30 * 60_000;

function summaryT(s: CoreIssueSummary): IssueSummaryT {
  return new IssueSummaryT(
    byteList(s.issueId),
    s.title,
    stateToWire(s.state),
    [...s.labels],
    [...s.assignees],
    u64(s.updatedTs),
    u64(s.createdTs),
    s.commentCount,
  );
}

function cannotClaim(issue: string, reason: 'closed' | 'not_ready', message: string, extra: Record<string, unknown> = {}): ProtocolError {
  return new ProtocolError('conflict', message, {
    hint: reason === 'closed' ? 'reopen it first, or pick another issue' : '`grite issue ready` lists the issues that can be claimed',
    details: { issue, reason, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)])) },
  });
}

/** The open issues `issueId` waits for. */
function openWaitees(ctx: EngineContext, issueId: Uint8Array): string[] {
  const view = ctx.store.view;
  const waits = [
    ...view.listDeps(issueId, 'out').filter((d) => d.depType === 'depends_on'),
    ...view.listDeps(issueId, 'in').filter((d) => d.depType === 'blocks'),
  ];
  return waits.filter((d) => view.getIssue(d.issueId)?.state === 'open').map((d) => toHex(d.issueId));
}

function checkClaimable(ctx: EngineContext, issueId: Uint8Array): CoreIssueDetail {
  const hex = toHex(issueId);
  const detail = ctx.store.view.getIssue(issueId);
  if (detail === null) throw notFound(`issue ${hex} does not exist`);
  if (detail.state !== 'open') throw cannotClaim(hex, 'closed', `issue ${hex} is closed: only open issues can be claimed`);
  const waits = openWaitees(ctx, issueId);
  if (waits.length > 0) {
    throw cannotClaim(hex, 'not_ready', `issue ${hex} is not ready: it waits for ${waits.map((w) => w.slice(0, 8)).join(', ')}`, {
      waits_for: waits,
    });
  }
  if (!ctx.store.view.ready(0).some((s) => toHex(s.issueId) === hex)) {
    throw cannotClaim(hex, 'not_ready', `issue ${hex} is not ready: it is on a cycle of waiting`);
  }
  return detail;
}

/** The actor's unexpired lease on `resource` as the local lock ref has it, if any. */
async function ownLease(ctx: EngineContext, resource: string, actor: string): Promise<CoreLockInfo | null> {
  const ref = lockRefName(resource);
  const local = await lockStatus(ctx.commonDir, { remote: null, prefix: resource });
  return local.locks.find((l) => l.ref === ref && l.owner === actor && l.state === 'held') ?? null;
}

interface Claimed {
  detail: CoreIssueDetail;
  lock: Pick<CoreLockInfo, 'resource' | 'owner' | 'nonce' | 'expiresUnixMs'>;
  alreadyHeld: boolean;
}

async function claimOne(ctx: EngineContext, issueId: Uint8Array, actor: string, ttlMs: number): Promise<Claimed> {
  const detail = checkClaimable(ctx, issueId);
  const resource = `issue:${toHex(issueId)}`;
  const own = await ownLease(ctx, resource, actor);
  if (own !== null) return { detail, lock: own, alreadyHeld: true };
  const lock = await acquireLock(ctx.commonDir, { resource, owner: actor, ttlMs });
  if (lock.changed) ctx.lockChanged?.(lock.resource);
  return { detail, lock, alreadyHeld: false };
}

/** The first ready issue nobody holds a claim on whose lock this actor wins; null when there is none. */
async function claimNextReady(ctx: EngineContext, actor: string, ttlMs: number): Promise<Claimed | null> {
  const ready = ctx.store.view.ready(0);
  if (ready.length === 0) return null;
  const held = new Set(
    (await lockStatus(ctx.commonDir, { prefix: 'issue:' })).locks.filter((l) => l.state === 'held').map((l) => l.resource),
  );
  for (const s of ready) {
    const resource = `issue:${toHex(s.issueId)}`;
    if (held.has(resource)) continue;
    try {
      return await claimOne(ctx, s.issueId, actor, ttlMs);
    } catch (e) {
      // Taken (or changed) since the list was read: the next one.
      if ((e as { code?: unknown }).code === 'conflict') continue;
      throw e;
    }
  }
  return null;
}

export async function issueClaim(ctx: EngineContext, cmd: IssueClaim): Promise<HandlerResult> {
  const actorBytes = requireActor(ctx);
  const actor = toHex(actorBytes);
  const ts = requireTs(cmd.ts());
  const ttlMs = cmd.ttlMs() === 0 ? DEFAULT_CLAIM_TTL_MS : cmd.ttlMs();
  const ref = cmd.issue();
  const claimed =
    ref === null || ref === '' ? await claimNextReady(ctx, actor, ttlMs) : await claimOne(ctx, resolveIssue(ctx, ref), actor, ttlMs);
  const head = (): string => ctx.store.view.walHead() ?? '';
  if (claimed === null) return new ClaimResultT(null, null, false, [], head(), actor);

  const issueId = claimed.detail.issueId;
  let eventId: number[] = [];
  let walHead = head();
  if (!claimed.detail.assignees.includes(actor)) {
    const events = buildEvents(issueId, actorBytes, ts, [{ type: 'AssigneeAdded', user: actor }]);
    try {
      walHead = (await ctx.write(events)).walHead;
    } catch (e) {
      if (!claimed.alreadyHeld) {
        await releaseLock(ctx.commonDir, { resource: claimed.lock.resource, owner: actor }).catch(() => undefined);
        ctx.lockChanged?.(claimed.lock.resource);
      }
      throw e;
    }
    eventId = byteList(events[0]!.eventId);
  }
  const after = ctx.store.view.getIssue(issueId) ?? claimed.detail;
  return new ClaimResultT(summaryT(after), lockInfoT(claimed.lock), claimed.alreadyHeld, eventId, walHead, actor);
}
