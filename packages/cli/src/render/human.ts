/**
 * Human output, rendered from the same JSON data as `--json`: aligned tables
 * with short ids, colour only when stdout is a TTY (and NO_COLOR is unset).
 */
import type { JsonData } from '../ops/op.js';

let colorOff = false;

/** Renders without colour from now on in this process (the daemon renders for clients: serve.ts). */
export function disableColor(): void {
  colorOff = true;
}

const useColor = (): boolean => !colorOff && process.stdout.isTTY === true && !process.env.NO_COLOR;
export const paint = (code: string, s: string): string => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);
export const dim = (s: string): string => paint('2', s);
export const bold = (s: string): string => paint('1', s);
const stateColor = (s: string): string => (s === 'open' ? paint('32', s) : paint('35', s));

export const shortId = (hex: unknown): string => (typeof hex === 'string' ? hex.slice(0, 8) : '');

function fmtTime(ms: unknown): string {
  if (typeof ms !== 'number' || ms <= 0) return '';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

/** Display width, counting wide (CJK, emoji) code points as two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w += cp >= 0x1100 && (cp <= 0x115f || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd)) ? 2 : 1;
  }
  return w;
}

/** One line per row, columns padded to the widest cell; newlines in cells shown as spaces. */
export function table(headers: string[], rows: string[][]): string {
  const clean = rows.map((r) => r.map((c) => c.replace(/[\r\n\t]+/g, ' ')));
  const widths = headers.map((h, i) => Math.max(width(h), ...clean.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[], style: (s: string) => string = (s) => s): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
      .map((c, i) => (i === 0 ? style(c) : c))
      .join('  ')
      .trimEnd();
  return [bold(line(headers)), ...clean.map((r) => line(r))].join('\n') + '\n';
}

interface Summary {
  issue_id: string;
  title: string;
  state: string;
  labels: string[];
  assignees: string[];
  updated_ts: number;
  comment_count: number;
}

export function renderIssueList(d: JsonData): string {
  const issues = (d.issues as Summary[]) ?? [];
  if (issues.length === 0) return 'no issues\n';
  const out = table(
    ['ID', 'STATE', 'TITLE', 'LABELS', 'UPDATED'],
    issues.map((i) => [shortId(i.issue_id), i.state, i.title, i.labels.join(','), fmtTime(i.updated_ts)]),
  );
  const more = typeof d.next_cursor === 'string' ? dim(`more: --cursor ${d.next_cursor}\n`) : '';
  const total = typeof d.total === 'number' && d.total > issues.length ? dim(`${issues.length} of ${d.total}\n`) : '';
  return out + total + more;
}

export function renderIssueShow(d: JsonData): string {
  const i = d.issue as Summary & {
    body: string;
    created_ts: number;
    links: { url: string; note: string | null }[];
    attachments: { name: string; mime: string; sha256: string }[];
    dependencies: { target: string; dep_type: string }[];
    comments: { actor: string; ts_unix_ms: number; body: string }[];
  };
  const lines: string[] = [];
  lines.push(`${bold(i.title)} ${dim(shortId(i.issue_id))}`);
  lines.push(`${stateColor(i.state)}  created ${fmtTime(i.created_ts)}  updated ${fmtTime(i.updated_ts)}`);
  if (i.labels.length) lines.push(`labels:    ${i.labels.join(', ')}`);
  if (i.assignees.length) lines.push(`assignees: ${i.assignees.join(', ')}`);
  for (const dep of i.dependencies) lines.push(`${dep.dep_type.replace('_', ' ')}: ${shortId(dep.target)}`);
  for (const l of i.links) lines.push(`link: ${l.url}${l.note ? ` (${l.note})` : ''}`);
  for (const a of i.attachments) lines.push(`attachment: ${a.name} ${dim(`${a.mime} sha256:${a.sha256.slice(0, 12)}`)}`);
  if (i.body) lines.push('', i.body);
  for (const c of i.comments) lines.push('', dim(`-- ${shortId(c.actor)} at ${fmtTime(c.ts_unix_ms)}`), c.body);
  return lines.join('\n') + '\n';
}

export function renderWrite(verb: string, d: JsonData): string {
  return `${verb} ${shortId(d.issue_id)}${typeof d.state === 'string' ? ` (${d.state})` : ''}\n`;
}

/** Fallback: key: value lines for flat data, indented JSON for nested values. */
export function renderGeneric(d: JsonData): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    lines.push(`${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v, null, 2) : String(v)}`);
  }
  return lines.length ? lines.join('\n') + '\n' : 'ok\n';
}
