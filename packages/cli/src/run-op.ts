/**
 * Runs one parsed operation: resolve the repository (and actor, for writes),
 * build the request, route it (daemon or in-process engine), render the
 * response. Both entries (oclif command classes and the fast entry) end here,
 * so their output and exit codes are the same by construction.
 */
import { encodeRequest, readErrorDetails, type IpcResponse } from '@grite/protocol';
import { noDaemonWanted } from './flags.js';
import { agentResultJson, isSessionOp, opWrites } from './ops/agent.js';
import type { Op, OpInput, Values } from './ops/op.js';
import { errorOutcome, successOutcome, type Outcome } from './output.js';
import { resultJson, type Json } from './render/json.js';
import { route, type RouteOptions } from './router.js';
import type { ContextOptions } from '@grite/daemon/context';

export interface RunEnv {
  cwd: string;
  env: NodeJS.ProcessEnv;
  readStdin: () => Promise<string>;
  /** Where store requests go (default: router.ts's route; the daemon's runner sends them to its own engine). */
  route?: (commonDir: string, request: Uint8Array, opts: RouteOptions) => Promise<IpcResponse>;
  /**
   * The repository and actor of a store op, when the caller knows them
   * without resolving (the daemon's runner, for a read that names no actor:
   * the repository it serves). Default: resolveContext.
   */
  target?: (opts: ContextOptions) => Target | null;
}

/** What a store request needs of the context: its repository and its actor. */
export interface Target {
  commonDir: string;
  actorId: Uint8Array | null;
}

export function readProcessStdin(): Promise<string> {
  return new Promise((resolveText, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolveText(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

export function defaultRunEnv(): RunEnv {
  return { cwd: process.cwd(), env: process.env, readStdin: readProcessStdin };
}

/**
 * The `data` of a successful response: render/json.ts, and the result tables
 * it does not know (the agent commands'). Sessions (batch/executor.ts) render
 * through this too, so a session answers what the command line does.
 */
export function responseData(resp: IpcResponse): Json {
  return agentResultJson(resp) ?? resultJson(resp);
}

/** A success's exit code, when the op decides one from its data. */
function withExitCode(op: Op, data: Record<string, unknown>, o: Outcome): Outcome {
  return op.exitCode ? { ...o, exitCode: op.exitCode(data) } : o;
}

export async function runOp(op: Op, flags: Values, args: Values, runEnv: RunEnv = defaultRunEnv()): Promise<Outcome> {
  const json = Boolean(flags.json);
  const quiet = Boolean(flags.quiet);
  const input: OpInput = { flags, args, now: Date.now(), cwd: runEnv.cwd, readStdin: runEnv.readStdin };
  try {
    // grite batch and grite mcp own stdin/stdout for a whole session and answer their own exit code.
    if (isSessionOp(op)) return await op.session(input, runEnv.env);
    if (op.kind === 'local') {
      const data = await op.run(input);
      return withExitCode(op, data, successOutcome(data, json, quiet, op.human && ((d) => op.human!(d, input))));
    }
    const contextOpts: ContextOptions = {
      cwd: runEnv.cwd,
      actor: flags.actor as string | undefined,
      dataDir: flags['data-dir'] as string | undefined,
      env: runEnv.env,
      write: opWrites(op, flags),
    };
    let target = runEnv.target?.(contextOpts) ?? null;
    if (target === null) {
      const { resolveContext } = await import('@grite/daemon/context');
      const ctx = resolveContext(contextOpts);
      target = { commonDir: ctx.repo.commonDir, actorId: ctx.actorId };
    }
    const command = await op.build(input);
    const request = encodeRequest({ repo: target.commonDir, actorId: target.actorId, command });
    const noDaemon = noDaemonWanted(flags, runEnv.env);
    const resp = await (runEnv.route ?? route)(target.commonDir, request, { noDaemon, readOnly: op.readOnly === true && !opWrites(op, flags) });
    if (!resp.ok()) {
      const err = resp.error();
      const details = err ? readErrorDetails(err) : {};
      throw { code: err?.code() ?? 'internal_error', message: err?.message() ?? 'request failed', hint: err?.hint() ?? null, details };
    }
    const data = responseData(resp) as Record<string, unknown>;
    return withExitCode(op, data, successOutcome(data, json, quiet, op.human && ((d) => op.human!(d, input))));
  } catch (e) {
    return errorOutcome(e, json);
  }
}
