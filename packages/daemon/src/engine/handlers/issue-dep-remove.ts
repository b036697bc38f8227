/**
 * IssueDepRemove: one DependencyRemoved `<issue> <dep_type> <target>`. The
 * edge must be present on the issue (`not_found` otherwise), except for a
 * retry of a removal that was written. The target may name an issue this
 * replica does not have, when given as the full id.
 */
import { bytesEqual, toHex } from '@grite/core';
import { DepWriteResultT, EditAction, type IssueDepRemove } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { byteList, depTypeFromWire, depTypeToWire } from '../convert.js';
import { resolveEnds } from '../deps.js';
import { notFound } from '../errors.js';
import { alreadyWritten, buildEvents } from '../write-helpers.js';
import { requireActor, requireTs } from '../validate.js';

export async function issueDepRemove(ctx: EngineContext, cmd: IssueDepRemove): Promise<HandlerResult> {
  const actor = requireActor(ctx);
  const ts = requireTs(cmd.ts());
  const depType = depTypeFromWire(cmd.depType());
  const { issueId, target } = resolveEnds(ctx, cmd.issue(), cmd.target(), true);
  const events = buildEvents(issueId, actor, ts, [{ type: 'DependencyRemoved', target, depType }]);
  if (!alreadyWritten(ctx, events)) {
    const present = ctx.store.view.listDeps(issueId, 'out').some((d) => d.depType === depType && bytesEqual(d.issueId, target));
    if (!present) {
      throw notFound(`issue ${toHex(issueId)} has no ${depType} dependency on ${toHex(target)}`, {
        hint: '`grite issue dep list` shows the issue\'s dependencies',
        details: { issue: toHex(issueId), target: toHex(target), dep_type: depType },
      });
    }
  }
  const { walHead } = await ctx.write(events);
  return new DepWriteResultT(byteList(events[0]!.eventId), byteList(issueId), byteList(target), depTypeToWire(depType), EditAction.remove, walHead);
}
