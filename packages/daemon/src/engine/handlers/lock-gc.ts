/**
 * LockGc: delete the local lock refs whose lease expired or was released
 * (core's gcLocks, each by compare-and-swap, so a lock renewed meanwhile
 * stays). The remote's lock refs are never touched.
 */
import { gcLocks } from '@grite/core';
import { LockGcResultT, type LockGc } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';

export async function lockGc(ctx: EngineContext, _cmd: LockGc): Promise<HandlerResult> {
  const r = await gcLocks(ctx.commonDir);
  return new LockGcResultT(r.expiredPruned);
}
