/**
 * `grite mcp`: grite as an MCP server over stdio (@modelcontextprotocol/server
 * 2.x), for agent clients that speak MCP instead of running commands.
 *
 * One Executor serves the whole session: one daemon connection (or one
 * in-process engine), so a tool call costs one warm round trip plus the MCP
 * framing. stdout carries only MCP messages; logs go to stderr. The session
 * ends when the client closes stdin.
 *
 * Loaded only by `grite mcp` (ops/agent.ts imports it by a computed path), so
 * the SDK and zod never load for other commands.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { Executor } from '../batch/executor.js';
import { actingActor, primeData } from '../batch/prime.js';
import { sessionOps } from '../batch/session.js';
import { currentBuild } from '@grite/daemon/client';
import type { OpInput } from '../ops/op.js';
import type { Outcome } from '../output.js';
import { fail, lean, tools, type ToolDef, type ToolEnv, type ToolResult } from './tools.js';

const TOOL_NOTES = [
  '',
  '## MCP tools',
  '- issue_ready {claim:true}: take the next issue; issue_claim {id}: take a given one.',
  '- issue_update {id, comment | state:"closed" | add_labels | ...}: one atomic write.',
  '- issue_list / issue_show: compact by default; detail, events and cursor give more.',
  'Failures are isError results whose text starts with the error code (not_found, conflict, invalid_args, ...).',
].join('\n');

/** The tools' schema-invalid arguments answer `invalid_args` like every other bad input. */
function invalidArgsOnSchemaError(server: McpServer): void {
  const s = server as unknown as { createToolError?: (message: string) => ToolResult };
  if (typeof s.createToolError !== 'function') return;
  s.createToolError = (message: string): ToolResult => {
    const code = /^Input validation error/.test(message) ? 'invalid_args' : 'internal_error';
    return fail({ code, message, hint: code === 'invalid_args' ? 'tools/list shows the arguments each tool takes' : null, details: {} });
  };
}

/** A server with grite's tools, answering through `env`. */
export function createServer(env: ToolEnv): McpServer {
  const server = new McpServer({ name: 'grite', version: currentBuild() }, { capabilities: { tools: {} } });
  for (const t of tools(env)) register(server, t);
  invalidArgsOnSchemaError(server);
  return server;
}

function register(server: McpServer, t: ToolDef): void {
  server.registerTool(
    t.name,
    {
      description: t.description,
      inputSchema: lean(t.inputSchema),
      outputSchema: lean(t.outputSchema),
      ...(t.readOnly ? { annotations: { readOnlyHint: true } } : {}),
    },
    async (args: unknown) => {
      try {
        return await t.run((args ?? {}) as Record<string, unknown>);
      } catch (e) {
        const { normalizeError } = await import('../output.js');
        return fail(normalizeError(e));
      }
    },
  );
}

/** The whole `grite mcp` run: serves until the client closes stdin. */
export async function runMcpSession(input: OpInput, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const exec = Executor.forInput(input, env);
  const log = (line: string): void => {
    process.stderr.write(`grite mcp: ${line}\n`);
  };
  exec.start().catch((e: unknown) => log(`the store cannot be reached: ${(e as Error).message}`));
  const toolEnv: ToolEnv = {
    exec,
    ops: sessionOps(),
    help: async () => {
      const d = await primeData(exec, { limit: 5, actor: await actingActor(input, env) });
      return `${String(d.text)}${TOOL_NOTES}\n`;
    },
  };
  const ended = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  const handle = serveStdio(() => createServer(toolEnv), { onerror: (e) => log(e.message) });
  await ended;
  await handle.close();
  await exec.close();
  return { stdout: '', stderr: '', exitCode: exec.unreachable !== null ? 5 : 0 };
}
