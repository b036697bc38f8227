// `grite mcp` end to end (issue 8) with the real MCP client of the SDK
// (@modelcontextprotocol/client) spawning the built CLI over stdio: the tool
// list and its size, every tool called with valid and with invalid
// arguments, results checked against the output schemas the server declares
// (by the client itself, and again here), failures as isError carrying the
// stable error code.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, grite, ROOT, stopDaemon, tempRepo } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

// The client is a dev dependency of the CLI package; resolved from there.
const requireFromCli = createRequire(join(ROOT, 'packages/cli/package.json'));

type Schema = Record<string, any>;

/** The JSON Schema subset zod emits for the tools' output schemas; returns the first mismatch, or null. */
function mismatch(schema: Schema, v: unknown, path = '$'): string | null {
  if (Array.isArray(schema.anyOf)) {
    return schema.anyOf.some((s: Schema) => mismatch(s, v, path) === null) ? null : `${path}: matches no alternative`;
  }
  const type = schema.type as string | undefined;
  const typeOf = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  if (type !== undefined) {
    const okType = type === 'integer' ? Number.isInteger(v) : type === typeOf;
    if (!okType) return `${path}: expected ${type}, got ${typeOf}`;
  }
  if (schema.enum && !schema.enum.includes(v)) return `${path}: not one of ${JSON.stringify(schema.enum)}`;
  if (typeOf === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of (schema.required as string[] | undefined) ?? []) if (!(k in o)) return `${path}.${k}: required`;
    for (const [k, s] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
      if (o[k] === undefined) continue;
      const m = mismatch(s, o[k], `${path}.${k}`);
      if (m) return m;
    }
    if (schema.additionalProperties === false) {
      for (const k of Object.keys(o)) if (!(k in (schema.properties ?? {}))) return `${path}.${k}: not allowed`;
    }
  }
  if (typeOf === 'array' && schema.items) {
    const arr = v as unknown[];
    for (let i = 0; i < arr.length; i++) {
      const m = mismatch(schema.items, arr[i], `${path}[${i}]`);
      if (m) return m;
    }
  }
  return null;
}

describe('grite mcp with the SDK client', () => {
  let repo: { dir: string; cleanup: () => void };
  let client: any;
  let transport: any;
  let tools: Map<string, any>;
  let listSize = 0;
  const ids: string[] = [];

  async function call(name: string, args: Record<string, unknown>): Promise<any> {
    const r = await client.callTool({ name, arguments: args });
    expect(Array.isArray(r.content)).toBe(true);
    expect(r.content[0].type).toBe('text');
    if (!r.isError) {
      const schema = tools.get(name).outputSchema;
      expect(mismatch(schema, r.structuredContent), `${name} output`).toBeNull();
      expect(JSON.parse(r.content[0].text)).toEqual(r.structuredContent);
    }
    return r;
  }

  function expectError(r: any, code: string): void {
    expect(r.isError, JSON.stringify(r)).toBe(true);
    expect(r.content[0].text.startsWith(`${code}: `), r.content[0].text).toBe(true);
    expect(r.structuredContent.error.code).toBe(code);
  }

  beforeAll(async () => {
    repo = tempRepo();
    const lines = [
      { id: 1, op: 'issue create', args: { title: 'Crash on start', label: ['bug'] } },
      { id: 2, op: 'issue create', args: { title: 'Docs', body: 'write them' } },
      { id: 3, op: 'issue create', args: { title: 'Waits for the crash fix' } },
    ];
    const made = await grite({ cwd: repo.dir, stdin: lines.map((l) => JSON.stringify(l)).join('\n') }, 'batch');
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const answers = made.stdout.trim().split('\n').slice(1).map((l) => JSON.parse(l));
    for (const i of [1, 2, 3]) ids.push(answers.find((a) => a.id === i).data.issue_id);
    const dep = await grite({ cwd: repo.dir }, 'issue', 'dep', 'add', ids[0]!, '--target', ids[2]!, '--type', 'blocks', '--json');
    expect(dep.code).toBe(0);

    const { Client } = await import(requireFromCli.resolve('@modelcontextprotocol/client'));
    const { StdioClientTransport } = await import(requireFromCli.resolve('@modelcontextprotocol/client/stdio'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'GRITE_NO_DAEMON') env[k] = v;
    transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], cwd: repo.dir, env, stderr: 'pipe' });
    client = new Client({ name: 'grite-e2e', version: '1.0.0' });
    await client.connect(transport);
    const listed = await client.listTools();
    listSize = JSON.stringify(listed).length;
    tools = new Map(listed.tools.map((t: any) => [t.name, t]));
  });

  afterAll(async () => {
    await client?.close();
    await stopDaemon(repo.dir);
    repo.cleanup();
  });

  it('lists a small set of tools, each with input and output schemas, in under 6,000 characters', () => {
    expect([...tools.keys()].sort()).toEqual(
      ['grite_help', 'issue_claim', 'issue_create', 'issue_list', 'issue_ready', 'issue_show', 'issue_update', 'lock'].sort(),
    );
    for (const t of tools.values()) {
      expect(t.description.length).toBeGreaterThan(10);
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema.type).toBe('object');
    }
    expect(listSize).toBeLessThan(6000);
  });

  it('issue_list: compact rows by default, more with detail, pages with a cursor', async () => {
    const r = await call('issue_list', {});
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent.total).toBe(3);
    const crash = r.structuredContent.issues.find((i: any) => i.id === ids[0]);
    expect(crash).toEqual({ id: ids[0], title: 'Crash on start', state: 'open', labels: ['bug'] });
    const detailed = await call('issue_list', { detail: true, limit: 2 });
    expect(detailed.structuredContent.issues).toHaveLength(2);
    expect(typeof detailed.structuredContent.issues[0].updated_ts).toBe('number');
    expect(typeof detailed.structuredContent.next_cursor).toBe('string');
    const rest = await call('issue_list', { cursor: detailed.structuredContent.next_cursor, limit: 2 });
    expect(rest.structuredContent.issues).toHaveLength(1);
    expectError(await call('issue_list', { limit: 'many' }), 'invalid_args');
    expectError(await call('issue_list', { state: 'sideways' }), 'invalid_args');
    expectError(await call('issue_list', { colour: 'red' }), 'invalid_args');
  });

  it('issue_show: the issue, events only when asked; unknown ids are not_found', async () => {
    const r = await call('issue_show', { id: ids[1]!.slice(0, 8) });
    expect(r.structuredContent.issue).toMatchObject({ id: ids[1], title: 'Docs', body: 'write them', state: 'open' });
    expect(r.structuredContent.events).toBeUndefined();
    const withEvents = await call('issue_show', { id: ids[0], events: true });
    expect(withEvents.structuredContent.issue.deps).toEqual([{ target: ids[2], type: 'blocks' }]);
    expect(withEvents.structuredContent.events.length).toBeGreaterThan(0);
    expectError(await call('issue_show', { id: 'ffffffff' }), 'not_found');
    expectError(await call('issue_show', {}), 'invalid_args');
  });

  it('issue_create and issue_update: one atomic write each; a failing update writes nothing', async () => {
    const c = await call('issue_create', { title: 'From MCP', labels: ['agent'] });
    const id = c.structuredContent.id;
    expect(c.structuredContent.event_ids).toHaveLength(1);
    const u = await call('issue_update', { id, title: 'From MCP, renamed', add_labels: ['x', 'y'], comment: 'started', add_assignees: ['bot'] });
    expect(u.isError).toBeFalsy();
    // One change each: the title, the labels, the assignee, the comment.
    expect(u.structuredContent.event_ids.length).toBe(4);
    const shown = await call('issue_show', { id });
    expect(shown.structuredContent.issue).toMatchObject({ title: 'From MCP, renamed', labels: ['agent', 'x', 'y'], assignees: ['bot'] });
    expect(shown.structuredContent.issue.comments.map((k: any) => k.body)).toEqual(['started']);

    const bad = await call('issue_update', { id, title: '   ', comment: 'never written' });
    expectError(bad, 'invalid_args');
    const again = await call('issue_show', { id });
    expect(again.structuredContent.issue.comments).toHaveLength(1);
    expectError(await call('issue_update', { id }), 'invalid_args');
    expectError(await call('issue_create', {}), 'invalid_args');
    expectError(await call('issue_update', { id: 'ffffffff', comment: 'x' }), 'not_found');
  });

  it('issue_ready and issue_claim: claims the first ready issue, re-claiming is a no-op, closing ends the claim', async () => {
    const ready = await call('issue_ready', {});
    expect(ready.structuredContent.issues.map((i: any) => i.id)).not.toContain(ids[2]);
    const claimed = await call('issue_ready', { claim: true, ttl: '10m' });
    expect(claimed.isError).toBeFalsy();
    const c = claimed.structuredContent.claim;
    expect(c.already_held).toBe(false);
    expect(claimed.structuredContent.issues[0].id).toBe(c.id);
    expect(c.expires_unix_ms).toBeGreaterThan(Date.now());
    const again = await call('issue_claim', { id: c.id });
    expect(again.structuredContent).toMatchObject({ id: c.id, already_held: true, owner: c.owner });
    expect(again.structuredContent.expires_unix_ms).toBe(c.expires_unix_ms);
    expectError(await call('issue_claim', { id: ids[2] }), 'conflict'); // not ready: it waits for the crash
    expectError(await call('issue_claim', {}), 'invalid_args');
    expectError(await call('issue_ready', { claim: 'yes' }), 'invalid_args');
    expectError(await call('issue_ready', { ttl: 'soon', claim: true }), 'invalid_args');
    expectError(await call('issue_claim', { id: 'ffffffff' }), 'not_found');

    const status = await call('lock', { action: 'status', resource: 'issue:' });
    expect(status.structuredContent.locks.map((l: any) => l.resource)).toContain(`issue:${c.id}`);
    const closed = await call('issue_update', { id: c.id, state: 'closed' });
    expect(closed.structuredContent.state).toBe('closed');
    const after = await call('lock', { action: 'status', resource: `issue:${c.id}` });
    expect(after.structuredContent.locks.every((l: any) => l.expires_unix_ms === 0)).toBe(true);
  });

  it('lock: acquire, status, release; a missing resource is invalid_args', async () => {
    const a = await call('lock', { action: 'acquire', resource: 'path:src/', ttl: '5m' });
    expect(a.structuredContent).toMatchObject({ resource: 'path:src' });
    const r = await call('lock', { action: 'release', resource: 'path:src/' });
    expect(r.structuredContent.expires_unix_ms).toBe(0);
    expectError(await call('lock', { action: 'acquire' }), 'invalid_args');
    expectError(await call('lock', { action: 'steal', resource: 'path:src' }), 'invalid_args');
  });

  it('grite_help: the briefing and the tools, well under 1,500 words', async () => {
    const r = await call('grite_help', {});
    const text = r.structuredContent.text as string;
    expect(text).toContain('# grite');
    expect(text).toContain('issue_ready');
    expect(text.split(/\s+/).length).toBeLessThan(1500);
    expectError(await call('grite_help', { verbose: true }), 'invalid_args');
  });
});
