/**
 * Maintenance: doctor, snapshot (create, list, gc) and export.
 *
 * doctor's exit code is decided here, from the answer (`doctorExitCode`): 1
 * when any check is still `error` after the repairs (--fix), else 0 (warnings
 * alone exit 0), the same under --json. The engine only reports.
 *
 * export talks to the store itself (a local op): it asks for pages of issues
 * until the last, so that no answer outgrows a frame, then writes the
 * document to stdout, or to --output PATH (never anywhere by default).
 * `--format json` gives one JSON document `{meta, issues, events}`; `md` a
 * Markdown document. Under --json the envelope's data is the export itself
 * (`{format, wal_head, since, issues, events}` or `{format, wal_head, since,
 * text}`), or with --output a summary of what was written.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as Flags from '@oclif/core/flags';
import {
  DoctorT,
  encodeRequest,
  ExportFormat,
  ExportT,
  readErrorDetails,
  SnapshotCreateT,
  SnapshotGcT,
  SnapshotListT,
  type IpcCommandObject,
} from '@grite/protocol';
import { globalFlags, noDaemonWanted } from '../flags.js';
import { maintenanceResultJson } from '../render/json-maintenance.js';
import { bold, dim, paint, table } from '../render/human.js';
import { route } from '../router.js';
import { usageError } from '../usage-error.js';
import type { JsonData, LocalOp, OpInput, StoreOp } from './op.js';

// ---------------------------------------------------------------- doctor

interface CheckJson {
  id: string;
  status: 'ok' | 'warn' | 'error';
  message: string;
  plan: string[];
}

const MARK: Record<CheckJson['status'], () => string> = {
  ok: () => paint('32', '[ok] '),
  warn: () => paint('33', '[!!] '),
  error: () => paint('31', '[ERR]'),
};

/** doctor's exit code: 1 when a check is still `error` (after --fix), else 0. */
export function doctorExitCode(d: JsonData): number {
  return ((d.checks as CheckJson[] | undefined) ?? []).some((c) => c.status === 'error') ? 1 : 0;
}

export function renderDoctor(d: JsonData, input: OpInput): string {
  const checks = (d.checks as CheckJson[] | undefined) ?? [];
  const applied = (d.applied as string[] | undefined) ?? [];
  const width = Math.max(0, ...checks.map((c) => c.id.length));
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${MARK[c.status]?.() ?? '[??] '} ${c.id.padEnd(width)}  ${c.message}`);
    for (const p of c.plan) lines.push(`${' '.repeat(width + 8)}${dim('->')} ${p}`);
  }
  if (applied.length > 0) {
    lines.push('', bold('applied:'));
    for (const a of applied) lines.push(`  - ${a}`);
  }
  const left = checks.filter((c) => c.status !== 'ok');
  const errors = left.filter((c) => c.status === 'error').length;
  const warnings = left.length - errors;
  if (input.flags.fix && left.length > 0) {
    lines.push('', `could not fix: ${left.map((c) => `${c.id} (${c.status})`).join(', ')}; see the plan under each`);
  }
  lines.push(
    '',
    left.length === 0
      ? 'all checks ok'
      : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${input.flags.fix ? '' : errors + warnings > 0 ? ' (grite doctor --fix applies the plans marked (--fix))' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

export const doctor: StoreOp & { exitCode: (d: JsonData) => number } = {
  kind: 'store',
  id: 'doctor',
  summary: 'Check the repository, the log, the view, locks, daemon, remote and snapshots; --fix applies the safe repairs.',
  description:
    'Each check is ok, warn or error, with a plan. --fix rebuilds the view from the refs (after putting back into the log any event ' +
    'only the view still holds), removes the files of a daemon that is gone, collects expired locks and creates a due snapshot; ' +
    'it never deletes or rewrites WAL history and says what it could not fix. Exit code 1 when a check is still an error, else 0.',
  examples: ['<%= config.bin %> doctor', '<%= config.bin %> doctor --fix', '<%= config.bin %> doctor --json'],
  flags: { ...globalFlags, fix: Flags.boolean({ description: 'Apply the safe repairs, then check again.', default: false }) },
  args: {},
  write: false,
  build: (input) => new DoctorT(Boolean(input.flags.fix)),
  human: renderDoctor,
  exitCode: doctorExitCode,
};

// ---------------------------------------------------------------- snapshots

const iso = (ms: unknown): string => (typeof ms === 'number' && ms > 0 ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');
const short = (oid: unknown): string => (typeof oid === 'string' && oid !== '' ? oid.slice(0, 12) : '-');

export const snapshotCreate: StoreOp = {
  kind: 'store',
  id: 'snapshot',
  summary: 'Snapshot the log at the current WAL head (refs/grite/snapshots/<unix_ms>), so rebuilds can start from it.',
  examples: ['<%= config.bin %> snapshot', '<%= config.bin %> snapshot list', '<%= config.bin %> snapshot gc --keep 3'],
  flags: { ...globalFlags },
  args: {},
  write: false,
  build: () => new SnapshotCreateT(),
  human: (d) => `created ${String(d.ref)}: ${String(d.event_count)} events at ${short(d.wal_head)}\n`,
};

export const snapshotList: StoreOp = {
  kind: 'store',
  id: 'snapshot list',
  summary: 'List the snapshots, newest first.',
  flags: { ...globalFlags },
  args: {},
  write: false,
  readOnly: true,
  build: () => new SnapshotListT(),
  human(d) {
    const snaps = (d.snapshots as { ref: string; created_ts: number; wal_head: string | null; event_count: number }[]) ?? [];
    if (snaps.length === 0) return 'no snapshots\n';
    return table(
      ['REF', 'CREATED', 'EVENTS', 'WAL HEAD'],
      snaps.map((s) => [s.ref, iso(s.created_ts), String(s.event_count), s.wal_head === null ? 'unreadable' : short(s.wal_head)]),
    );
  },
};

function keepFlag(input: OpInput): number {
  const keep = input.flags.keep as number;
  if (!Number.isSafeInteger(keep) || keep < 0 || keep > 0xffff_ffff) throw usageError(`--keep must be a whole number >= 0, got ${String(keep)}`);
  return keep;
}

export const snapshotGc: StoreOp = {
  kind: 'store',
  id: 'snapshot gc',
  summary: 'Delete all but the newest N snapshots (--keep, default 5). Only snapshot refs: the log is never touched.',
  flags: { ...globalFlags, keep: Flags.integer({ description: 'How many of the newest snapshots to keep (0: none).', default: 5, min: 0 }) },
  args: {},
  write: false,
  build: (input) => new SnapshotGcT(keepFlag(input)),
  human: (d) => {
    const deleted = (d.deleted as string[]) ?? [];
    return `deleted ${deleted.length} snapshot${deleted.length === 1 ? '' : 's'}, kept ${String(d.kept)}\n${deleted.map((r) => `  ${r}\n`).join('')}`;
  },
};

// ---------------------------------------------------------------- export

/** Issues asked for per request: keeps every answer far below the frame limit. */
export const EXPORT_PAGE = 500;

export interface ExportSince {
  sinceTs: number | null;
  sinceEvent: string | null;
}

/**
 * `--since`: a unix time in ms (digits), an ISO 8601 date or time
 * (2024-05-01, 2024-05-01T12:00:00Z), or an event id prefix (hex, at least 4
 * characters; `event:<hex>` when the prefix is all digits).
 */
export function parseSince(text: string | undefined): ExportSince {
  if (text === undefined || text === '') return { sinceTs: null, sinceEvent: null };
  const t = text.trim();
  if (t.startsWith('event:')) {
    const hex = t.slice(6).toLowerCase();
    if (!/^[0-9a-f]{4,64}$/.test(hex)) throw usageError(`--since event:${hex} is not an event id prefix`, 'give at least 4 hex characters');
    return { sinceTs: null, sinceEvent: hex };
  }
  if (/^\d+$/.test(t)) {
    const ms = Number(t);
    if (!Number.isSafeInteger(ms)) throw usageError(`--since ${t} is not a unix time in ms`);
    return { sinceTs: ms, sinceEvent: null };
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const ms = Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t.replace(' ', 'T'));
    if (Number.isNaN(ms)) throw usageError(`--since ${t} is not a valid date`);
    return { sinceTs: ms, sinceEvent: null };
  }
  if (/^[0-9a-fA-F]{4,64}$/.test(t)) return { sinceTs: null, sinceEvent: t.toLowerCase() };
  throw usageError(`--since ${JSON.stringify(t)} is neither a time nor an event id`, 'give a unix time in ms, an ISO date (2024-05-01) or an event id prefix');
}

/** One request to the store (daemon or in-process), as runOp sends it; an error answer throws it. */
async function sendAll(input: OpInput, commands: (prev: JsonData | null) => IpcCommandObject | null): Promise<JsonData[]> {
  const { resolveContext } = await import('@grite/daemon/context');
  const flags = input.flags;
  const ctx = resolveContext({
    cwd: input.cwd,
    actor: flags.actor as string | undefined,
    dataDir: flags['data-dir'] as string | undefined,
    env: process.env,
    write: false,
  });
  const noDaemon = noDaemonWanted(flags, process.env);
  const pages: JsonData[] = [];
  for (let command = commands(null); command !== null; command = commands(pages[pages.length - 1]!)) {
    const resp = await route(ctx.repo.commonDir, encodeRequest({ repo: ctx.repo.commonDir, actorId: ctx.actorId, command }), { noDaemon });
    if (!resp.ok()) {
      const err = resp.error();
      throw { code: err?.code() ?? 'internal_error', message: err?.message() ?? 'request failed', hint: err?.hint() ?? null, details: err ? readErrorDetails(err) : {} };
    }
    pages.push((maintenanceResultJson(resp) ?? {}) as JsonData);
  }
  return pages;
}

function sinceJson(s: ExportSince): JsonData | null {
  if (s.sinceTs !== null) return { ts_unix_ms: s.sinceTs };
  if (s.sinceEvent !== null) return { event_id: s.sinceEvent };
  return null;
}

/** The export, every page joined, as the `--json` data. */
export async function runExport(input: OpInput): Promise<JsonData> {
  const format = input.flags.format === 'md' ? ExportFormat.md : ExportFormat.json;
  const since = parseSince(input.flags.since as string | undefined);
  const pages = await sendAll(input, (prev) => {
    if (prev !== null && (prev.next_cursor === null || prev.next_cursor === undefined)) return null;
    return new ExportT(format, since.sinceTs === null ? null : BigInt(since.sinceTs), since.sinceEvent, EXPORT_PAGE, (prev?.next_cursor as string | undefined) ?? null);
  });
  const walHead = (pages[0]?.wal_head as string | null | undefined) ?? null;
  if (format === ExportFormat.md) {
    return { format: 'md', wal_head: walHead, since: sinceJson(since), text: pages.map((p) => (p.text as string) ?? '').join('') };
  }
  const issues = pages.flatMap((p) => (p.issues as unknown[]) ?? []);
  const events = pages.flatMap((p) => (p.events as { ts_unix_ms: number; actor: string; event_id: string }[]) ?? []);
  // One order for the whole export: the projection's (ts, actor, event id); ids are same-length lowercase hex.
  events.sort((a, b) => a.ts_unix_ms - b.ts_unix_ms || (a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
  return { format: 'json', wal_head: walHead, since: sinceJson(since), issues, events };
}

/** The document of an export: Markdown as it came, or `{meta, issues, events}` as 2-space JSON. */
export function exportDocument(d: JsonData, generatedTs: number): string {
  if (d.format === 'md') return String(d.text ?? '');
  const issues = (d.issues as unknown[]) ?? [];
  const events = (d.events as unknown[]) ?? [];
  const meta = { schema_version: 1, generated_ts: generatedTs, wal_head: d.wal_head ?? null, since: d.since ?? null, issue_count: issues.length, event_count: events.length };
  return `${JSON.stringify({ meta, issues, events }, null, 2)}\n`;
}

export const exportOp: LocalOp = {
  kind: 'local',
  id: 'export',
  summary: 'Export issues and their events as JSON or Markdown, to stdout or --output PATH.',
  description:
    '--since takes a unix time in ms, an ISO date or time, or an event id prefix (event:<hex> when all digits): only the events ' +
    'after that point, and the issues they touch. Nothing is written into the working tree unless --output names a path there.',
  examples: [
    '<%= config.bin %> export --format md > issues.md',
    '<%= config.bin %> export --format json --since 2024-05-01 --output /tmp/grite.json',
  ],
  flags: {
    ...globalFlags,
    format: Flags.string({ description: 'Document format.', options: ['json', 'md'], default: 'json' }),
    since: Flags.string({ description: 'Only what came after: unix ms, ISO date/time, or an event id prefix.' }),
    output: Flags.string({ char: 'o', description: 'Write the document to this file instead of stdout.' }),
  },
  args: {},
  async run(input) {
    const data = await runExport(input);
    const output = input.flags.output as string | undefined;
    if (output === undefined || output === '') return data;
    const document = exportDocument(data, input.now);
    const path = resolve(input.cwd, output);
    try {
      writeFileSync(path, document);
    } catch (e) {
      throw { code: 'io_error', message: `cannot write ${path}: ${(e as Error).message}`, hint: 'choose a path you can write to', details: { path } };
    }
    return {
      format: data.format,
      output: path,
      bytes: Buffer.byteLength(document),
      wal_head: data.wal_head,
      since: data.since,
      issue_count: Array.isArray(data.issues) ? data.issues.length : null,
      event_count: Array.isArray(data.events) ? data.events.length : null,
    };
  },
  human(d, input) {
    if (typeof d.output === 'string') {
      const counts = d.issue_count === null ? '' : `${String(d.issue_count)} issues, ${String(d.event_count)} events, `;
      return `exported ${counts}${String(d.bytes)} bytes to ${d.output}\n`;
    }
    return exportDocument(d, input.now);
  },
};
