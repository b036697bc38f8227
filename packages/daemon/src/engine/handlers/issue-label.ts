/** IssueLabel: one LabelAdded or LabelRemoved per label, in the order given. */
import type { EventKind as CoreEventKind } from '@grite/core';
import { EditAction, type IssueLabel } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { invalidArgs } from '../errors.js';
import { buildEvents, writeIssueEvents } from '../write-helpers.js';
import { requireActor, requireList, requireTs, resolveIssue } from '../validate.js';

export function editAction(action: EditAction): 'add' | 'remove' {
  if (action === EditAction.add) return 'add';
  if (action === EditAction.remove) return 'remove';
  throw invalidArgs(`unknown action ${String(action)}`, { hint: 'use add or remove' });
}

export async function issueLabel(ctx: EngineContext, cmd: IssueLabel): Promise<HandlerResult> {
  const actor = requireActor(ctx);
  const ts = requireTs(cmd.ts());
  const action = editAction(cmd.action());
  const labels = requireList((i) => cmd.labels(i), cmd.labelsLength(), 'label');
  const issueId = resolveIssue(ctx, cmd.issue());
  const kinds = labels.map((label): CoreEventKind => (action === 'add' ? { type: 'LabelAdded', label } : { type: 'LabelRemoved', label }));
  return writeIssueEvents(ctx, issueId, buildEvents(issueId, actor, ts, kinds));
}
