/**
 * Export: one page of issues (`limit` issues, 0 = all) with their events,
 * from the view, optionally only what came after `since_ts` or after the
 * event `since_event` names (core's exportPage). Format `json` fills issues
 * and events; `md` fills text (the document's title on the first page only,
 * i.e. without a cursor).
 */
import { exportMarkdown, exportPage } from '@grite/core';
import { built, ExportFormat, ExportResult, IpcResult, type Export } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { detailT, writeEvent } from '../convert.js';
import { invalidArgs } from '../errors.js';

export async function exportIssues(ctx: EngineContext, cmd: Export): Promise<HandlerResult> {
  const format = cmd.format();
  if (format !== ExportFormat.json && format !== ExportFormat.md) {
    throw invalidArgs(`unknown export format ${String(format)}`, { hint: 'use json or md' });
  }
  const sinceTs = cmd.sinceTs();
  const cursor = cmd.cursor();
  const page = exportPage(ctx.store.view, {
    sinceTs: sinceTs === null ? null : Number(sinceTs),
    sinceEvent: cmd.sinceEvent(),
    limit: cmd.limit(),
    cursor: cursor === '' ? null : cursor,
  });
  const text = format === ExportFormat.md ? exportMarkdown(page, { header: cursor === null || cursor === '', generatedTs: Date.now() }) : null;
  return built(IpcResult.ExportResult, (b) => {
    const textOff = text === null ? 0 : b.createString(text);
    const issues = format === ExportFormat.json ? ExportResult.createIssuesVector(b, page.issues.map((d) => detailT(d).pack(b))) : 0;
    const events = format === ExportFormat.json ? ExportResult.createEventsVector(b, page.events.map((e) => writeEvent(b, e))) : 0;
    const head = b.createString(page.walHead ?? '');
    const next = page.nextCursor === null ? 0 : b.createString(page.nextCursor);
    ExportResult.startExportResult(b);
    ExportResult.addFormat(b, format);
    if (textOff !== 0) ExportResult.addText(b, textOff);
    if (issues !== 0) ExportResult.addIssues(b, issues);
    if (events !== 0) ExportResult.addEvents(b, events);
    ExportResult.addWalHead(b, head);
    if (next !== 0) ExportResult.addNextCursor(b, next);
    return ExportResult.endExportResult(b);
  });
}
