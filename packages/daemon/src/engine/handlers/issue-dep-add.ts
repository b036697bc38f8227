/**
 * IssueDepAdd: one DependencyAdded `<issue> <dep_type> <target>` recorded on
 * the issue. Refused: a self-dependency, a target that does not exist, and an
 * edge that would close a cycle of waiting (`invalid_args` naming the cycle).
 */
import { DepWriteResultT, EditAction, type IssueDepAdd } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { byteList, depTypeFromWire, depTypeToWire } from '../convert.js';
import { cycleClosedBy, cycleError, resolveEnds } from '../deps.js';
import { alreadyWritten, buildEvents } from '../write-helpers.js';
import { requireActor, requireTs } from '../validate.js';

export async function issueDepAdd(ctx: EngineContext, cmd: IssueDepAdd): Promise<HandlerResult> {
  const actor = requireActor(ctx);
  const ts = requireTs(cmd.ts());
  const depType = depTypeFromWire(cmd.depType());
  const { issueId, target } = resolveEnds(ctx, cmd.issue(), cmd.target(), false);
  const events = buildEvents(issueId, actor, ts, [{ type: 'DependencyAdded', target, depType }]);
  if (!alreadyWritten(ctx, events)) {
    const cycle = cycleClosedBy(ctx, issueId, target, depType);
    if (cycle !== null) throw cycleError(cycle);
  }
  const { walHead } = await ctx.write(events);
  return new DepWriteResultT(byteList(events[0]!.eventId), byteList(issueId), byteList(target), depTypeToWire(depType), EditAction.add, walHead);
}
