/**
 * `grite batch`: newline-delimited JSON requests on stdin, one JSON answer
 * per request on stdout, over one daemon connection (or one in-process
 * engine) for the whole session.
 *
 * Wire format (one JSON document per line, UTF-8):
 *   out, first:  {"hello":{"protocol":1,"ops":["ping","issue list",...]}}
 *   in:          {"id":1,"op":"issue show","args":{"id":"ab12"},"fields":["title","state"]}
 *   out:         {"id":1,"schema_version":1,"ok":true,"data":{...}}
 *                {"id":1,"schema_version":1,"ok":false,"error":{"code","message","hint","details"}}
 * - `id` (a string or a number) is echoed; `op` is an op id as on the command
 *   line (`issue list`), or `ping`; `args` are the op's flags and positional
 *   args by name (op-args.ts); `fields` keeps only those keys (fields.ts).
 * - Each answer is the `--json` envelope the same command gives on the
 *   command line, plus the id, written as soon as it is ready (answers ready
 *   in the same turn of the event loop in one write): answers may come out
 *   of input order. The order of effects is the input's
 *   (scheduler.ts): reads overlap, a write waits for what came before it.
 * - A line that is not a request (not JSON, no id, unknown op) is answered
 *   with `invalid_args` naming its line number (details.line), and the
 *   session goes on. Blank lines are skipped.
 * - `ping` is answered at once: {"pong":true}.
 * - `--stop-on-error`: after the first failed request no further request
 *   starts; those already running are answered; the rest are neither run
 *   nor answered.
 * - `--atomic`: reads are answered as they come (against the store as it
 *   was before the batch); the writes are checked as they come and sent
 *   together when the input ends, as one Batch (handlers/batch.ts in the
 *   daemon): one WAL commit per actor, or nothing when any of them, or any
 *   line of the input, fails. Local ops (actor, config) are refused there.
 * - Exit code: 0 when every request succeeded, 1 when any failed, 5 when
 *   the store could not be reached. stdout carries only answers; anything
 *   else goes to stderr.
 */
import type { Op, OpInput } from '../ops/op.js';
import { OPS } from '../ops/index.js';
import { AGENT_OPS, opWrites } from '../ops/agent.js';
import { normalizeError, type NormalError, type Outcome } from '../output.js';
import { UsageError } from '../usage-error.js';
import { Executor, type ExecResult, type Prepared } from './executor.js';
import { isFieldList, projectFields } from './fields.js';
import { opValues } from './op-args.js';
import { Scheduler, type TaskKind } from './scheduler.js';

/** The batch line protocol's version, announced in the hello line. */
export const BATCH_PROTOCOL = 1;

/** Ops a session does not offer: sessions themselves, and what would end the session's daemon. */
const NOT_IN_SESSIONS = new Set(['batch', 'mcp', 'prime', 'daemon start', 'daemon stop']);

/** Every op a session offers, by id. */
export function sessionOps(): Map<string, Op> {
  const out = new Map<string, Op>();
  for (const op of [...OPS, ...AGENT_OPS]) if (!NOT_IN_SESSIONS.has(op.id) && !out.has(op.id)) out.set(op.id, op);
  return out;
}

/** Requests started but not answered before stdin is paused. */
const MAX_IN_FLIGHT = 1024;
/** Longest line accepted (a longer one is answered as malformed). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

type Id = string | number | null;

interface Request {
  id: Id;
  op: Op;
  args: unknown;
  fields: string[] | null;
  line: number;
}

export interface BatchOptions {
  atomic: boolean;
  stopOnError: boolean;
  executor: Executor;
  write: (line: string) => void;
}

export class BatchSession {
  private readonly ops = sessionOps();
  private readonly scheduler = new Scheduler();
  private failed = false;
  private stopped = false;
  /** --atomic: the writes, in input order, once checked. */
  private readonly atomicWrites: Array<{ req: Request; prepared: Promise<Prepared | NormalError> }> = [];
  /** --atomic: a line that failed before anything could be sent (aborts the writes). */
  private atomicAbort: { line: number; error: NormalError } | null = null;

  constructor(private readonly opts: BatchOptions) {}

  hello(): void {
    this.opts.write(JSON.stringify({ hello: { protocol: BATCH_PROTOCOL, ops: ['ping', ...this.ops.keys()] } }));
  }

  /** True once --stop-on-error stopped the session: no more lines are taken. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Requests running or waiting. */
  get inFlight(): number {
    return this.scheduler.size;
  }

  /** Called whenever a request is done (room for more). */
  set onDone(fn: (() => void) | null) {
    this.scheduler.onDone = fn;
  }

  /** Takes one input line (without its newline), numbered from 1. */
  line(text: string, lineNo: number): void {
    if (this.stopped) return;
    if (text.trim() === '') return;
    const req = this.parse(text, lineNo);
    if (!('op' in req)) {
      this.noteAtomicFailure(lineNo, req.error);
      this.scheduler.add('now', async () => this.answer(req.id, { ok: false, error: req.error }, null));
      return;
    }
    if (req.op.id === 'ping') {
      this.scheduler.add('now', async () => this.answer(req.id, { ok: true, data: { pong: true } }, null));
      return;
    }
    const kind = this.kindOf(req);
    if (this.opts.atomic && kind === 'write') {
      this.atomicLine(req);
      return;
    }
    this.scheduler.add(kind, async () => {
      if (this.stopped) return;
      this.answer(req.id, await this.opts.executor.run(req.op, req.args), req.fields);
    });
  }

  /** After the last line: sends the atomic writes (if any), waits for every answer; the exit code. */
  async finish(): Promise<number> {
    if (this.opts.atomic) await this.flushAtomic();
    await this.scheduler.idle();
    if (this.opts.executor.unreachable !== null) return 5;
    return this.failed ? 1 : 0;
  }

  // ---------------------------------------------------------------- internals

  private kindOf(req: Request): TaskKind {
    const op = req.op;
    if (op.kind === 'local') return 'write';
    const claim = typeof req.args === 'object' && req.args !== null && (req.args as { claim?: unknown }).claim === true;
    return opWrites(op, { claim }) ? 'write' : 'read';
  }

  private parse(text: string, line: number): Request | { id: Id; error: NormalError } {
    const bad = (id: Id, message: string, hint: string): { id: Id; error: NormalError } => ({
      id,
      error: { code: 'invalid_args', message: `line ${line}: ${message}`, hint, details: { line } },
    });
    const shape = 'each line is one JSON object: {"id":1,"op":"issue show","args":{"id":"ab12"}}';
    if (Buffer.byteLength(text, 'utf8') > MAX_LINE_BYTES) return bad(null, `line longer than ${MAX_LINE_BYTES} bytes`, shape);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      return bad(null, `not valid JSON (${(e as Error).message})`, shape);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return bad(null, 'not a JSON object', shape);
    const o = v as Record<string, unknown>;
    const id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : null;
    if (id === null) return bad(null, '"id" (a string or a number) is required', shape);
    if (typeof o.op !== 'string') return bad(id, '"op" (e.g. "issue list") is required', shape);
    const op = o.op === 'ping' ? PING : this.ops.get(o.op.trim());
    if (op === undefined) return bad(id, `unknown op ${JSON.stringify(o.op)}`, 'the hello line lists the ops');
    if (o.fields !== undefined && o.fields !== null && !isFieldList(o.fields)) {
      return bad(id, '"fields" must be a list of strings', 'e.g. "fields":["issue_id","title"]');
    }
    const fields = isFieldList(o.fields) ? o.fields : null;
    return { id, op, args: o.args, fields, line };
  }

  private answer(id: Id, r: ExecResult, fields: string[] | null): void {
    if (r.ok) {
      const data = fields === null ? r.data : projectFields(r.data, fields);
      this.opts.write(JSON.stringify({ id, schema_version: 1, ok: true, data }));
      return;
    }
    this.failed = true;
    if (this.opts.stopOnError) this.stopped = true;
    this.opts.write(JSON.stringify({ id, schema_version: 1, ok: false, error: r.error }));
  }

  private noteAtomicFailure(line: number, error: NormalError): void {
    if (this.opts.atomic && this.atomicAbort === null) this.atomicAbort = { line, error };
  }

  /** --atomic: checks a write now (args, context, request), sends it with the others at the end. */
  private atomicLine(req: Request): void {
    const exec = this.opts.executor;
    const prepared = (async (): Promise<Prepared | NormalError> => {
      try {
        if (req.op.kind !== 'store') throw new UsageError(`${req.op.id} changes local files and cannot be part of an atomic batch`);
        return await exec.prepare(req.op, await opValues(req.op, req.args));
      } catch (e) {
        const error = normalizeError(e);
        this.noteAtomicFailure(req.line, error);
        return error;
      }
    })();
    this.atomicWrites.push({ req, prepared });
    this.scheduler.add('now', async () => {
      await prepared;
    });
  }

  /** An item's "not written: item N failed" named by the input line of item N. */
  private inLines(r: ExecResult, writes: ReadonlyArray<{ req: Request }>): ExecResult {
    if (r.ok || typeof r.error.details.failed_index !== 'string') return r;
    const failed = writes[Number(r.error.details.failed_index)];
    if (failed === undefined) return r;
    const { failed_index: _index, ...details } = r.error.details;
    const cause = String(r.error.message).replace(/^not written: item \d+ of this atomic batch failed /, '');
    return {
      ok: false,
      error: { ...r.error, message: `not written: line ${failed.req.line} of this atomic batch failed ${cause}`, details: { ...details, failed_line: failed.req.line } },
    };
  }

  private async flushAtomic(): Promise<void> {
    await this.scheduler.idle();
    const writes = await Promise.all(this.atomicWrites.map(async (w) => ({ req: w.req, p: await w.prepared })));
    if (writes.length === 0) return;
    const abort = this.atomicAbort;
    if (abort !== null) {
      const notWritten: NormalError = {
        code: 'invalid_args',
        message: `not written: line ${abort.line} of this atomic batch failed (${abort.error.code}: ${abort.error.message})`,
        hint: 'fix that line and send the batch again; nothing of the batch was written',
        details: { failed_line: abort.line },
      };
      for (const w of writes) {
        const own = 'op' in w.p ? null : w.p;
        this.answer(w.req.id, { ok: false, error: own ?? notWritten }, null);
      }
      return;
    }
    const items = writes.map((w) => w.p as Prepared);
    let results: ExecResult[];
    try {
      results = await this.opts.executor.atomic(items);
    } catch (e) {
      const error = normalizeError(e);
      results = items.map(() => ({ ok: false, error }));
    }
    writes.forEach((w, i) => this.answer(w.req.id, this.inLines(results[i]!, writes), w.req.fields));
  }
}

/** `ping` as an op, so a request's `op` always resolves to one. */
const PING: Op = { kind: 'local', id: 'ping', summary: 'Answered at once.', flags: {}, args: {}, run: () => ({ pong: true }) };

/** Reads stdin as lines and feeds the session; resolves when the input ended (or the session stopped). */
function pumpLines(session: BatchSession, stdin: NodeJS.ReadableStream & { destroy?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    let buf = '';
    let lineNo = 0;
    let ended = false;
    const queue: string[] = [];
    const done = (): void => {
      stdin.removeListener('data', onData);
      resolve();
    };
    const drain = (): void => {
      while (queue.length > 0 && !session.isStopped && session.inFlight < MAX_IN_FLIGHT) {
        session.line(queue.shift()!, ++lineNo);
      }
      if (session.isStopped) {
        queue.length = 0;
        stdin.pause();
        done();
        return;
      }
      if (queue.length > 0) {
        // No room: wait for answers before taking more lines.
        stdin.pause();
        session.onDone = () => {
          session.onDone = null;
          drain();
        };
        return;
      }
      if (ended) done();
      else stdin.resume();
    };
    const onData = (chunk: string): void => {
      buf += chunk;
      let nl = buf.indexOf('\n');
      if (nl < 0) return;
      let start = 0;
      while (nl >= 0) {
        const end = nl > start && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        queue.push(buf.slice(start, end));
        start = nl + 1;
        nl = buf.indexOf('\n', start);
      }
      buf = buf.slice(start);
      drain();
    };
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.on('end', () => {
      ended = true;
      if (buf !== '') queue.push(buf.endsWith('\r') ? buf.slice(0, -1) : buf);
      buf = '';
      drain();
    });
    stdin.on('error', () => {
      ended = true;
      drain();
    });
  });
}

/** The whole `grite batch` run. */
export async function runBatchSession(input: OpInput, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const executor = Executor.forInput(input, env);
  const log = (line: string): void => {
    process.stderr.write(`grite batch: ${line}\n`);
  };
  // Answers ready in the same turn of the event loop go out in one write (at
  // the end of that turn): one system call for many answers when requests are
  // in flight together, no delay for one alone.
  let pending: string[] = [];
  // A reader that went away (EPIPE) gets nothing more; the session still ends cleanly.
  let closed = false;
  process.stdout.on('error', () => {
    closed = true;
  });
  const flush = (): void => {
    if (closed) pending = [];
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    process.stdout.write(text);
  };
  const session = new BatchSession({
    atomic: Boolean(input.flags.atomic),
    stopOnError: Boolean(input.flags['stop-on-error']),
    executor,
    write: (line) => {
      if (pending.push(line) === 1) setImmediate(flush);
    },
  });
  session.hello();
  executor.start().catch((e: unknown) => log(`the store cannot be reached: ${normalizeError(e).message}`));
  await pumpLines(session, process.stdin);
  const code = await session.finish();
  flush();
  await executor.close();
  if (session.isStopped) process.stdin.destroy();
  return { stdout: '', stderr: '', exitCode: code };
}
