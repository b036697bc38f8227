/** IssueReopen: StateChanged to open (nothing is written when already open; see set-state.ts). */
import type { IssueReopen } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { setState } from '../set-state.js';

export async function issueReopen(ctx: EngineContext, cmd: IssueReopen): Promise<HandlerResult> {
  return setState(ctx, cmd.issue(), cmd.ts(), 'open');
}
