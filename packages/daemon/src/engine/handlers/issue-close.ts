/** IssueClose: StateChanged to closed (nothing is written when already closed; see set-state.ts). */
import type { IssueClose } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { setState } from '../set-state.js';

export async function issueClose(ctx: EngineContext, cmd: IssueClose): Promise<HandlerResult> {
  return setState(ctx, cmd.issue(), cmd.ts(), 'closed');
}
