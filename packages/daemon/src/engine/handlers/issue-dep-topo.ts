/**
 * IssueDepTopo: the issues (optionally of one state) in topological order:
 * what is waited for first, by (depth, id); members of cycles last, by id.
 */
import { built, DepTopoResult, IpcResult, type IssueDepTopo } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { writeSummary } from '../convert.js';
import { stateFilter } from './issue-list.js';

export const TOPO_ORDER = 'topological';

export async function issueDepTopo(ctx: EngineContext, cmd: IssueDepTopo): Promise<HandlerResult> {
  const state = stateFilter(cmd.state());
  const issues = ctx.store.view.topoOrder(state === undefined ? {} : { state });
  return built(IpcResult.DepTopoResult, (b) => {
    const vec = DepTopoResult.createIssuesVector(b, issues.map((s) => writeSummary(b, s)));
    const order = b.createString(TOPO_ORDER);
    return DepTopoResult.createDepTopoResult(b, vec, order);
  });
}
