/**
 * The Markdown export: a document a person reads (or pastes into a wiki),
 * one section per issue. Not a format to parse back: `--format json` is.
 *
 *   # grite export                       (first page only, with a summary line)
 *
 *   ## <title> [open|closed]
 *
 *   - **ID:** `<issue id>`
 *   - **Labels:** a, b                   (each list line only when not empty)
 *   - **Assignees:** ...
 *   - **Created:** <ISO time> · **Updated:** <ISO time>
 *   - **<dependency type>:** `<id>` <title>, ...
 *   - **Links:** <url> (<note>), ...
 *   - **Attachments:** <name> (<mime>, sha256 <hex>), ...
 *
 *   <body>
 *
 *   ### Comments
 *
 *   > **<actor 8 hex>** at <ISO time>:
 *   > <body, each line quoted>
 *
 *   ### Events since <point>             (only with --since)
 *
 *   - <ISO time> `<event id 12 hex>` <actor 8 hex> <kind>
 *
 *   ---
 */
import type { Event } from '../event.js';
import { toHex } from '../codec/hex.js';
import type { IssueDetail } from '../view/index.js';
import type { ExportPage } from './export.js';

export interface MarkdownOptions {
  /** Write the document's title and summary (the first page). */
  header: boolean;
  /** Unix ms the export was made at. */
  generatedTs: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const DEP_LABEL: Record<string, string> = { blocks: 'Blocks', depends_on: 'Depends on', related_to: 'Related to' };

function quote(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? '>' : `> ${l}`))
    .join('\n');
}

function kindLine(e: Event): string {
  const k = e.kind;
  switch (k.type) {
    case 'IssueCreated':
      return `created "${k.title}"`;
    case 'IssueUpdated':
      return k.title !== null ? `retitled "${k.title}"` : 'edited the body';
    case 'CommentAdded':
      return 'commented';
    case 'LabelAdded':
      return `added label ${k.label}`;
    case 'LabelRemoved':
      return `removed label ${k.label}`;
    case 'StateChanged':
      return k.state === 'closed' ? 'closed' : 'reopened';
    case 'LinkAdded':
      return `linked ${k.url}`;
    case 'AssigneeAdded':
      return `assigned ${k.user}`;
    case 'AssigneeRemoved':
      return `unassigned ${k.user}`;
    case 'AttachmentAdded':
      return `attached ${k.name}`;
    case 'DependencyAdded':
      return `added ${k.depType} \`${toHex(k.target).slice(0, 12)}\``;
    case 'DependencyRemoved':
      return `removed ${k.depType} \`${toHex(k.target).slice(0, 12)}\``;
    case 'ContextUpdated':
      return `updated context of ${k.path}`;
    case 'ProjectContextUpdated':
      return `set project context ${k.key}`;
    case 'Unknown':
      return `event of unknown kind ${k.tag}`;
  }
}

function issueSection(d: IssueDetail, events: readonly Event[], sinceLabel: string | null): string {
  const lines: string[] = [`## ${d.title.replace(/\n/g, ' ')} [${d.state}]`, '', `- **ID:** \`${toHex(d.issueId)}\``];
  if (d.labels.length) lines.push(`- **Labels:** ${d.labels.join(', ')}`);
  if (d.assignees.length) lines.push(`- **Assignees:** ${d.assignees.join(', ')}`);
  lines.push(`- **Created:** ${iso(d.createdTs)} · **Updated:** ${iso(d.updatedTs)}`);
  const byType = new Map<string, string[]>();
  for (const dep of d.dependencies) {
    const list = byType.get(dep.depType) ?? [];
    list.push(`\`${toHex(dep.target).slice(0, 12)}\`${dep.title !== null ? ` ${dep.title}` : ''}`);
    byType.set(dep.depType, list);
  }
  for (const [t, list] of byType) lines.push(`- **${DEP_LABEL[t] ?? t}:** ${list.join(', ')}`);
  if (d.links.length) lines.push(`- **Links:** ${d.links.map((l) => `${l.url}${l.note ? ` (${l.note})` : ''}`).join(', ')}`);
  if (d.attachments.length) {
    lines.push(`- **Attachments:** ${d.attachments.map((a) => `${a.name} (${a.mime}, sha256 ${toHex(a.sha256)})`).join(', ')}`);
  }
  if (d.body.trim() !== '') lines.push('', d.body.trimEnd());
  if (d.comments.length) {
    lines.push('', '### Comments');
    for (const c of d.comments) lines.push('', `> **${toHex(c.actor).slice(0, 8)}** at ${iso(c.ts)}:`, quote(c.body.trimEnd()));
  }
  if (sinceLabel !== null && events.length) {
    lines.push('', `### Events ${sinceLabel}`, '');
    for (const e of events) lines.push(`- ${iso(e.ts)} \`${toHex(e.eventId).slice(0, 12)}\` ${toHex(e.actor).slice(0, 8)} ${kindLine(e)}`);
  }
  lines.push('', '---', '');
  return lines.join('\n');
}

/** The Markdown of one export page (see the file comment). */
export function exportMarkdown(page: ExportPage, opts: MarkdownOptions): string {
  const sinceLabel = page.sinceLabel;
  const out: string[] = [];
  if (opts.header) {
    const head = page.walHead === null ? 'no WAL yet' : `WAL head \`${page.walHead}\``;
    out.push('# grite export', '', `Generated ${iso(opts.generatedTs)} from ${head}${sinceLabel !== null ? `; events ${sinceLabel}` : ''}.`, '');
    if (page.issues.length === 0) out.push('No issues.', '');
  }
  const byIssue = new Map<string, Event[]>();
  for (const e of page.events) {
    const k = toHex(e.issueId);
    const list = byIssue.get(k) ?? [];
    list.push(e);
    byIssue.set(k, list);
  }
  for (const d of page.issues) out.push(issueSection(d, byIssue.get(toHex(d.issueId)) ?? [], sinceLabel));
  return out.join('\n');
}
