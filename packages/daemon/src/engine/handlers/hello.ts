/** Hello: this build's schema and build versions, and the serving process. */
import { HelloResultT, SCHEMA_VERSION, type Hello } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';

export async function hello(ctx: EngineContext, _cmd: Hello): Promise<HandlerResult> {
  return new HelloResultT(SCHEMA_VERSION, ctx.build, process.pid);
}
