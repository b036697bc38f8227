/**
 * IssueDepList: `out` the edges recorded on the issue (`<issue> <type>
 * <other>`), `in` the edges of other issues naming it (`<other> <type>
 * <issue>`). An edge to an issue this replica has not seen has no title.
 */
import { DepDirection, DepListResultT, DepRefT, IssueState, type IssueDepList } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { byteList, depTypeToWire, stateToWire } from '../convert.js';
import { invalidArgs } from '../errors.js';
import { resolveIssue } from '../validate.js';

export async function issueDepList(ctx: EngineContext, cmd: IssueDepList): Promise<HandlerResult> {
  const issueId = resolveIssue(ctx, cmd.issue());
  const dir = cmd.direction();
  if (dir !== DepDirection.out && dir !== DepDirection.in_) throw invalidArgs(`unknown direction ${String(dir)}`, { hint: 'use out or in' });
  const deps = ctx.store.view.listDeps(issueId, dir === DepDirection.out ? 'out' : 'in');
  return new DepListResultT(
    byteList(issueId),
    dir,
    deps.map((d) => new DepRefT(byteList(d.issueId), depTypeToWire(d.depType), d.title, d.state === null ? IssueState.open : stateToWire(d.state))),
  );
}
