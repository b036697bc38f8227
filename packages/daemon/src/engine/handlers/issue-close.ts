/**
 * IssueClose: StateChanged to closed (nothing is written when already closed;
 * see set-state.ts). Closing ends the closer's claim: once the issue is
 * closed, the closing actor's own unexpired `issue:<id>` lease is released
 * (through the remote when one is configured, as it was taken). A release
 * that fails (an unreachable remote) does not undo or fail the close: the
 * lease simply runs out at its expiry.
 */
import { lockRefName, lockStatus, releaseLock, toHex } from '@grite/core';
import type { IssueClose } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { setState } from '../set-state.js';

export async function issueClose(ctx: EngineContext, cmd: IssueClose): Promise<HandlerResult> {
  const result = await setState(ctx, cmd.issue(), cmd.ts(), 'closed');
  await releaseOwnClaim(ctx, Uint8Array.from(result.issueId), ctx.request.actorIdArray());
  return result;
}

async function releaseOwnClaim(ctx: EngineContext, issueId: Uint8Array, actorBytes: Uint8Array | null): Promise<void> {
  if (actorBytes === null || actorBytes.length === 0) return;
  const actor = toHex(actorBytes);
  const resource = `issue:${toHex(issueId)}`;
  try {
    const ref = lockRefName(resource);
    const local = await lockStatus(ctx.commonDir, { remote: null, prefix: resource });
    if (!local.locks.some((l) => l.ref === ref && l.owner === actor && l.state === 'held')) return;
    await releaseLock(ctx.commonDir, { resource, owner: actor });
    ctx.lockChanged?.(resource);
  } catch {
    // The lease expires on its own; the close stands.
  }
}
