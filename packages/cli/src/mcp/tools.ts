/**
 * The MCP tools: a few consolidated tools over the same op registry the CLI
 * and `grite batch` use (each tool call runs ops through the session's
 * Executor: one daemon connection for the whole MCP session).
 *
 * Every tool answers its result twice, as MCP asks: `structuredContent`
 * (checked against the tool's declared output schema) and the same JSON as
 * text. A failure is `isError` with the stable error code first in the text
 * and `{error: {code, message, hint}}` as structured content. Lists are
 * compact unless `detail` is set, and page with `cursor`.
 *
 * The whole `tools/list` answer is kept small (a test measures it): short
 * descriptions, shared shapes.
 */
import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import * as z from 'zod';
import type { Executor, ExecResult, Prepared } from '../batch/executor.js';
import { opValues } from '../batch/op-args.js';
import type { JsonData, Op, StoreOp } from '../ops/op.js';
import { normalizeError, type NormalError } from '../output.js';
import { claimed, list, shown } from './shape.js';

type Rec = Record<string, unknown>;

export interface ToolResult {
  [key: string]: unknown;
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Rec;
  isError?: boolean;
}

export interface ToolDef {
  name: string;
  description: string;
  inputSchema: z.ZodObject;
  outputSchema: z.ZodObject;
  readOnly: boolean;
  run: (args: Rec) => Promise<ToolResult>;
}

export interface ToolEnv {
  exec: Executor;
  ops: ReadonlyMap<string, Op>;
  /** The briefing for grite_help. */
  help: () => Promise<string>;
}

export function ok(structured: Rec): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

export function fail(error: NormalError): ToolResult {
  const e: Rec = { code: error.code, message: error.message };
  if (error.hint) e.hint = error.hint;
  if (Object.keys(error.details).length > 0) e.details = error.details;
  return {
    content: [{ type: 'text', text: `${error.code}: ${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}` }],
    structuredContent: { error: e },
    isError: true,
  };
}

function opOf(env: ToolEnv, id: string): Op {
  const op = env.ops.get(id);
  if (op === undefined) throw new Error(`grite has no op ${id}`);
  return op;
}

async function call(env: ToolEnv, id: string, args: Rec): Promise<ExecResult> {
  return env.exec.run(opOf(env, id), args);
}

/** Drops undefined values (absent tool arguments). */
function given(args: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(args)) if (v !== undefined) out[k] = v;
  return out;
}

// ---------------------------------------------------------------- shapes

type Json = Record<string, unknown>;
type JsonSchemaFn = (opts: unknown) => Json;
interface StandardJson {
  '~standard': Record<string, unknown> & { jsonSchema: { input: JsonSchemaFn; output: JsonSchemaFn } };
}

/**
 * `$schema` and `additionalProperties` dropped (`false` is kept at the top
 * of an input schema, where it refuses unknown arguments; `{}` says what
 * JSON Schema assumes anyway): they cost tokens in every tools/list.
 */
function trim(node: unknown, top: boolean, output: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => trim(n, false, output));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (top && k === '$schema') continue;
    if (k === 'additionalProperties' && v === false && (!top || output)) continue;
    if (k === 'additionalProperties' && typeof v === 'object' && v !== null && Object.keys(v).length === 0) continue;
    out[k] = trim(v, false, output);
  }
  return out;
}

/**
 * A zod schema whose JSON Schema (what tools/list shows) is trimmed: the
 * same validation, fewer characters. Unknown arguments stay refused at the
 * top level (`additionalProperties: false` is kept there).
 */
export function lean(schema: z.ZodType): StandardSchemaWithJSON {
  const std = (schema as unknown as StandardJson)['~standard'];
  const out: StandardJson = {
    '~standard': {
      ...std,
      jsonSchema: {
        input: (o) => trim(std.jsonSchema.input(o), true, false) as Json,
        output: (o) => trim(std.jsonSchema.output(o), true, true) as Json,
      },
    },
  };
  return out as unknown as StandardSchemaWithJSON;
}

const id = z.string().describe('Id or unique prefix');
const detail = z.boolean().optional().describe('Rows add updated_ts, comment_count');
const limit = z.number().int().min(1).optional().describe('Rows (default 20)');
const cursor = z.string().optional().describe('A next_cursor');
const ttl = z.string().optional().describe('e.g. 2h (default 30m)');

// Rows carry more (labels and assignees when there are any; updated_ts and
// comment_count with `detail`): loose objects, the rest said in descriptions.
const Row = z.looseObject({ id: z.string(), title: z.string(), state: z.string() });
const ListOut = z.object({ issues: z.array(Row), total: z.number(), next_cursor: z.string().optional() });
const Claim = z.object({ id: z.string(), title: z.string(), owner: z.string(), expires_unix_ms: z.number(), already_held: z.boolean() });
const ReadyOut = ListOut.extend({ claim: Claim.nullable().optional() });
const WriteOut = z.object({ id: z.string(), event_ids: z.array(z.string()), wal_head: z.string(), state: z.string().optional() });
const ShowOut = z.object({
  issue: Row.extend({ body: z.string(), created_ts: z.number() }),
  events: z.array(z.unknown()).optional(),
  next_event_cursor: z.string().optional(),
});

// ---------------------------------------------------------------- tools

function writeOut(issueId: string, results: readonly JsonData[]): Rec {
  const last = results[results.length - 1] ?? {};
  const out: Rec = {
    id: issueId,
    event_ids: results.map((r) => r.event_id).filter((e): e is string => typeof e === 'string'),
    wal_head: String(last.wal_head ?? ''),
  };
  const state = [...results].reverse().find((r) => typeof r.state === 'string')?.state;
  if (typeof state === 'string') out.state = state;
  return out;
}

/** The root cause of a failed atomic batch: the first error that is not "not written because another item failed". */
function rootError(results: readonly ExecResult[]): NormalError {
  const errors = results.filter((r): r is Extract<ExecResult, { ok: false }> => !r.ok).map((r) => r.error);
  return errors.find((e) => e.details.failed_index === undefined && e.details.failed_line === undefined) ?? errors[0]!;
}

export function tools(env: ToolEnv): ToolDef[] {
  return [
    {
      name: 'issue_list',
      description: 'List issues, filtered. Rows: id, title, state, labels, assignees.',
      readOnly: true,
      inputSchema: z.strictObject({
        state: z.enum(['open', 'closed', 'all']).optional().describe('Default open'),
        label: z.array(z.string()).optional().describe('All must match'),
        assignee: z.string().optional(),
        search: z.string().optional().describe('Full text'),
        sort: z.enum(['id', 'updated', '+updated', 'created', '+created']).optional(),
        limit,
        cursor,
        detail,
      }),
      outputSchema: ListOut,
      run: async (a) => {
        const r = await call(env, 'issue list', given({ ...a, state: a.state ?? 'open', limit: a.limit ?? 20, detail: undefined }));
        return r.ok ? ok(list(r.data, a.detail === true)) : fail(r.error);
      },
    },
    {
      name: 'issue_ready',
      description: 'Open issues nothing open waits on, in dependency order. claim:true claims the first unclaimed one (lock + you as assignee).',
      readOnly: false,
      inputSchema: z.strictObject({ limit, cursor, claim: z.boolean().optional(), ttl, detail }),
      outputSchema: ReadyOut,
      run: async (a) => {
        if (a.claim === true) {
          const r = await call(env, 'issue ready', given({ claim: true, ttl: a.ttl }));
          return r.ok ? ok(claimed(r.data)) : fail(r.error);
        }
        const r = await call(env, 'issue ready', given({ limit: a.limit ?? 20, cursor: a.cursor }));
        return r.ok ? ok(list(r.data, a.detail === true)) : fail(r.error);
      },
    },
    {
      name: 'issue_show',
      description: 'One issue: body, comments, dependencies, links; events on request.',
      readOnly: true,
      inputSchema: z.strictObject({ id, events: z.boolean().optional().describe('Include the event log') }),
      outputSchema: ShowOut,
      run: async (a) => {
        const r = await call(env, 'issue show', { id: a.id });
        return r.ok ? ok(shown(r.data, a.events === true)) : fail(r.error);
      },
    },
    {
      name: 'issue_create',
      description: 'Create an issue.',
      readOnly: false,
      inputSchema: z.strictObject({
        title: z.string(),
        body: z.string().optional(),
        labels: z.array(z.string()).optional(),
        assignees: z.array(z.string()).optional(),
      }),
      outputSchema: WriteOut,
      run: async (a) => {
        const r = await call(env, 'issue create', given({ title: a.title, body: a.body ?? '', label: a.labels, assignee: a.assignees }));
        return r.ok ? ok(writeOut(String(r.data.issue_id), [r.data])) : fail(r.error);
      },
    },
    {
      name: 'issue_update',
      description: 'Change an issue in one atomic write: title, body, labels, assignees, state (closed ends your claim), comment.',
      readOnly: false,
      inputSchema: z.strictObject({
        id,
        title: z.string().optional(),
        body: z.string().optional(),
        add_labels: z.array(z.string()).optional(),
        remove_labels: z.array(z.string()).optional(),
        add_assignees: z.array(z.string()).optional(),
        remove_assignees: z.array(z.string()).optional(),
        state: z.enum(['open', 'closed']).optional(),
        comment: z.string().optional(),
      }),
      outputSchema: WriteOut,
      run: async (a) => updateIssue(env, a),
    },
    {
      name: 'issue_claim',
      description: 'Claim an issue for yourself (lock + assignee). Fails with conflict, naming the holder, when another agent has it.',
      readOnly: false,
      inputSchema: z.strictObject({ id, ttl }),
      outputSchema: Claim,
      run: async (a) => {
        const r = await call(env, 'issue claim', given({ id: a.id, ttl: a.ttl }));
        if (!r.ok) return fail(r.error);
        const c = claimed(r.data).claim;
        return c === null ? fail({ code: 'internal_error', message: 'the claim answer lacks its issue', hint: null, details: {} }) : ok(c);
      },
    },
    {
      name: 'lock',
      description: 'Lease locks: acquire, renew, release a resource; status lists locks (resource: a prefix).',
      readOnly: false,
      inputSchema: z.strictObject({
        action: z.enum(['acquire', 'renew', 'release', 'status']),
        resource: z.string().optional().describe('repo:<name>, path:<path> or issue:<id>'),
        ttl: z.string().optional().describe('e.g. 15m (default)'),
      }),
      outputSchema: z.looseObject({}),
      run: async (a) => {
        const action = a.action as string;
        if (action !== 'status' && (typeof a.resource !== 'string' || a.resource === '')) {
          return fail({ code: 'invalid_args', message: `lock ${action} needs a resource`, hint: 'e.g. resource: "path:src/"', details: {} });
        }
        const args = action === 'status' ? given({ prefix: a.resource }) : given({ resource: a.resource, ttl: action === 'release' ? undefined : a.ttl });
        const r = await call(env, `lock ${action}`, args);
        return r.ok ? ok(r.data) : fail(r.error);
      },
    },
    {
      name: 'grite_help',
      description: 'How to use grite, the top of the ready queue, and your claims. Call first.',
      readOnly: true,
      inputSchema: z.strictObject({}),
      outputSchema: z.object({ text: z.string() }),
      run: async () => ok({ text: await env.help() }),
    },
  ];
}

/** issue_update: one op per change, sent as one atomic batch. */
async function updateIssue(env: ToolEnv, a: Rec): Promise<ToolResult> {
  const issue = a.id as string;
  const steps: Array<[string, Rec]> = [];
  if (a.title !== undefined || a.body !== undefined) steps.push(['issue update', given({ id: issue, title: a.title, body: a.body })]);
  const lists: Array<[string, string, string]> = [
    ['add_labels', 'issue label add', 'label'],
    ['remove_labels', 'issue label remove', 'label'],
    ['add_assignees', 'issue assignee add', 'user'],
    ['remove_assignees', 'issue assignee remove', 'user'],
  ];
  for (const [key, op, flag] of lists) {
    const v = a[key] as string[] | undefined;
    if (v !== undefined && v.length > 0) steps.push([op, { id: issue, [flag]: v }]);
  }
  if (a.comment !== undefined) steps.push(['issue comment', { id: issue, body: a.comment }]);
  if (a.state !== undefined) steps.push([a.state === 'closed' ? 'issue close' : 'issue reopen', { id: issue }]);
  if (steps.length === 0) {
    return fail({ code: 'invalid_args', message: 'nothing to change: give title, body, labels, assignees, state or comment', hint: null, details: {} });
  }
  const prepared: Prepared[] = [];
  for (const [opId, args] of steps) {
    try {
      const op = opOf(env, opId) as StoreOp;
      prepared.push(await env.exec.prepare(op, await opValues(op, args)));
    } catch (e) {
      return fail(normalizeError(e));
    }
  }
  let results: ExecResult[];
  try {
    results = await env.exec.atomic(prepared);
  } catch (e) {
    return fail(normalizeError(e));
  }
  if (results.some((r) => !r.ok)) return fail(rootError(results));
  const data = results.map((r) => (r as Extract<ExecResult, { ok: true }>).data);
  const issueId = String(data[0]!.issue_id);
  // Closing ends the caller's claim: its issue: lock is released (another actor's lock is left alone).
  if (a.state === 'closed') await call(env, 'lock release', { resource: `issue:${issueId}` });
  return ok(writeOut(issueId, data));
}
