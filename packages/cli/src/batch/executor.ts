/**
 * Runs ops for a session (`grite batch`, `grite mcp`, `grite prime`): the
 * same ops, request builders and renderers as one-shot CLI commands
 * (run-op.ts), over one SessionRoute for the whole session, so each request
 * costs one warm round trip. Context (the repository, the actor) is resolved
 * once per actor and reused.
 *
 * Answers are the `data` or the normalised error of the `--json` envelope,
 * so a request in a session answers exactly what `grite <op> --json` would.
 */
import {
  BatchResult,
  BatchT,
  encodeRequest,
  IPC_COMMAND_MEMBERS,
  IpcCommand,
  IpcRequestT,
  IpcResponse,
  IpcResult,
  newRequestId,
  readErrorDetails,
  SCHEMA_VERSION,
  type IpcCommandObject,
} from '@grite/protocol';
import type { CliContext } from '@grite/daemon/context';
import { opWrites } from '../ops/agent.js';
import type { JsonData, Op, OpInput, StoreOp, Values } from '../ops/op.js';
import { normalizeError, type NormalError } from '../output.js';
import { noDaemonWanted } from '../flags.js';
import { responseData } from '../run-op.js';
import { usageError } from '../usage-error.js';
import { opValues, type OpValues } from './op-args.js';
import { SessionRoute } from './route.js';

export type ExecResult = { ok: true; data: JsonData } | { ok: false; error: NormalError };

export interface ExecutorOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Run the engine in-process instead of through the daemon. */
  noDaemon: boolean;
  /** The session's actor (`--actor`), unless a request names another. */
  actor?: string | undefined;
  dataDir?: string | undefined;
}

/** A store request built and ready to send. */
export interface Prepared {
  op: StoreOp;
  command: IpcCommandObject;
  ctx: CliContext;
}

const COMMAND_TYPES = new Map<unknown, IpcCommand>(IPC_COMMAND_MEMBERS.map((m) => [m.objectClass, m.type]));

/** The JSON `data` of a successful response, or its error, as the `--json` envelope has them. */
export function responseResult(resp: IpcResponse): ExecResult {
  if (!resp.ok()) {
    const err = resp.error();
    return {
      ok: false,
      error: normalizeError({
        code: err?.code() ?? 'internal_error',
        message: err?.message() ?? 'request failed',
        hint: err?.hint() ?? null,
        details: err ? readErrorDetails(err) : {},
      }),
    };
  }
  return { ok: true, data: responseData(resp) as JsonData };
}

function failure(e: unknown): ExecResult {
  return { ok: false, error: normalizeError(e) };
}

function noStdin(): Promise<string> {
  return Promise.reject(usageError('stdin is the session input here: give the text itself (e.g. args.body), not "-"'));
}

export class Executor {
  private route: Promise<SessionRoute> | null = null;
  private readonly contexts = new Map<string, CliContext>();
  /** Set when the repository or its store could not be reached (the route did not open). */
  unreachable: NormalError | null = null;

  constructor(private readonly opts: ExecutorOptions) {}

  /** An executor for a session command's own flags (--actor, --data-dir, --no-daemon). */
  static forInput(input: OpInput, env: NodeJS.ProcessEnv): Executor {
    return new Executor({
      cwd: input.cwd,
      env,
      noDaemon: noDaemonWanted(input.flags, env),
      actor: input.flags.actor as string | undefined,
      dataDir: input.flags['data-dir'] as string | undefined,
    });
  }

  /** Starts finding the repository and connecting (or loading the engine); idempotent. */
  start(): Promise<SessionRoute> {
    this.route ??= (async () => {
      const { resolveRepo } = await import('@grite/daemon/context');
      const repo = resolveRepo(this.opts.cwd, this.opts.env);
      return SessionRoute.open(repo.commonDir, { noDaemon: this.opts.noDaemon });
    })();
    // Each request that needs the route reports the failure; the session notes it once.
    this.route.catch((e: unknown) => {
      this.unreachable ??= normalizeError(e);
    });
    return this.route;
  }

  /** Runs `op` with a request's JSON `args`. Never throws. */
  async run(op: Op, rawArgs: unknown): Promise<ExecResult> {
    let values: OpValues;
    try {
      values = await opValues(op, rawArgs);
    } catch (e) {
      return failure(e);
    }
    return this.runValues(op, values);
  }

  /** Runs `op` with parsed values. Never throws. */
  async runValues(op: Op, values: OpValues): Promise<ExecResult> {
    if (op.kind === 'local') {
      try {
        // The session's actor, unless the request names one (as for store ops).
        const flags = { ...values.flags };
        if (flags.actor === undefined && this.opts.actor !== undefined && 'actor' in op.flags) flags.actor = this.opts.actor;
        if (flags['data-dir'] === undefined && this.opts.dataDir !== undefined && 'data-dir' in op.flags) flags['data-dir'] = this.opts.dataDir;
        const data = await op.run(this.input({ flags, args: values.args }));
        // A local op may have changed the actors or the config.
        this.contexts.clear();
        return { ok: true, data };
      } catch (e) {
        return failure(e);
      }
    }
    let prepared: Prepared;
    try {
      prepared = await this.prepare(op, values);
    } catch (e) {
      return failure(e);
    }
    return this.send(prepared);
  }

  /** Resolves the context and builds the command; throws what the CLI would report. */
  async prepare(op: StoreOp, values: OpValues): Promise<Prepared> {
    const route = await this.start();
    const ctx = await this.context(values.flags, opWrites(op, values.flags), route.commonDir);
    const command = await op.build(this.input(values));
    return { op, command, ctx };
  }

  /** Sends one prepared request. Never throws. */
  async send(p: Prepared): Promise<ExecResult> {
    try {
      const route = await this.start();
      const resp = await route.send(encodeRequest({ repo: route.commonDir, actorId: p.ctx.actorId, command: p.command }));
      return responseResult(resp);
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Sends prepared writes as one atomic Batch: one answer per item, in
   * order. Throws (a normalised error) when the batch itself was refused.
   */
  async atomic(items: readonly Prepared[]): Promise<ExecResult[]> {
    const route = await this.start();
    const requests = items.map(
      (p) =>
        new IpcRequestT(
          SCHEMA_VERSION,
          Array.from(newRequestId()),
          route.commonDir,
          p.ctx.actorId ? Array.from(p.ctx.actorId) : [],
          COMMAND_TYPES.get((p.command as object).constructor) ?? IpcCommand.NONE,
          p.command as IpcRequestT['command'],
        ),
    );
    const resp = await route.send(encodeRequest({ repo: route.commonDir, command: new BatchT(requests), sizeHint: 256 * items.length }));
    if (!resp.ok() || resp.resultType() !== IpcResult.BatchResult) {
      const r = responseResult(resp);
      throw r.ok ? normalizeError(new Error('the batch was answered with another result')) : r.error;
    }
    const result = resp.result(new BatchResult()) as BatchResult;
    const out: ExecResult[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = result.responses(i, new IpcResponse());
      out.push(item === null ? failure(new Error(`the batch answer lacks item ${i}`)) : responseResult(item));
    }
    return out;
  }

  /** Lets requests in flight finish, then closes the connection or engine. */
  async close(): Promise<void> {
    if (this.route === null) return;
    try {
      await (await this.route).close();
    } catch {
      // It never opened.
    }
  }

  /**
   * Event times strictly increase within a session: events of one issue are
   * ordered by (ts, actor, event id), so two writes in the same millisecond
   * would otherwise land in hash order, not in the order they were sent.
   */
  private lastNow = 0;

  private input(values: OpValues): OpInput {
    const now = Math.max(Date.now(), this.lastNow + 1);
    this.lastNow = now;
    return { flags: values.flags, args: values.args, now, cwd: this.opts.cwd, readStdin: noStdin };
  }

  /** The context for a request's `actor`/`data-dir` (else the session's), resolved once. */
  private async context(flags: Values, write: boolean, commonDir: string): Promise<CliContext> {
    const actor = (flags.actor as string | undefined) ?? this.opts.actor;
    const dataDir = (flags['data-dir'] as string | undefined) ?? this.opts.dataDir;
    const key = `${write ? 'w' : 'r'}\0${actor ?? ''}\0${dataDir ?? ''}`;
    const hit = this.contexts.get(key);
    if (hit !== undefined) return hit;
    const { resolveContext } = await import('@grite/daemon/context');
    const ctx = resolveContext({ cwd: this.opts.cwd, actor, dataDir, env: this.opts.env, write });
    if (ctx.repo.commonDir !== commonDir) throw usageError('the repository changed during the session');
    this.contexts.set(key, ctx);
    return ctx;
  }
}
