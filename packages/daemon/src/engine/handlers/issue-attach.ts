/**
 * IssueAttach: one AttachmentAdded (metadata only: the content is not
 * stored). The name must not be blank, sha256 must be exactly 32 bytes; an
 * absent mime is recorded as application/octet-stream, a given one must not
 * be blank.
 */
import type { IssueAttach } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { buildEvents, writeIssueEvents } from '../write-helpers.js';
import { requireActor, requireBytes, requireText, requireTs, resolveIssue, SHA256_BYTES } from '../validate.js';

export const DEFAULT_MIME = 'application/octet-stream';

export async function issueAttach(ctx: EngineContext, cmd: IssueAttach): Promise<HandlerResult> {
  const actor = requireActor(ctx);
  const ts = requireTs(cmd.ts());
  const name = requireText(cmd.name(), 'attachment name');
  const sha256 = requireBytes(cmd.sha256Array(), SHA256_BYTES, 'sha256');
  const givenMime = cmd.mime();
  const mime = givenMime === null ? DEFAULT_MIME : requireText(givenMime, 'mime');
  const issueId = resolveIssue(ctx, cmd.issue());
  return writeIssueEvents(ctx, issueId, buildEvents(issueId, actor, ts, [{ type: 'AttachmentAdded', name, sha256, mime }]));
}
