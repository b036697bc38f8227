/**
 * DaemonStatus as the engine answers it: only when no daemon serves the
 * request (the in-process path), so `running` is false. A daemon answers this
 * command itself, with its own figures.
 */
import { DaemonStatusResultT, SCHEMA_VERSION, type DaemonStatus } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';

export async function daemonStatus(ctx: EngineContext, _cmd: DaemonStatus): Promise<HandlerResult> {
  const r = new DaemonStatusResultT();
  r.running = false;
  r.build = ctx.build;
  r.schemaVersion = SCHEMA_VERSION;
  return r;
}
