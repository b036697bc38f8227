/**
 * CliRun, the CLI's thin entry (packages/cli/src/thin.ts): a hot read sent
 * to the daemon as its command line, answered with the bytes to print.
 *
 * The client side (encodeThinRequests, readThinAnswer) is written and read
 * here by hand, without the flatbuffers runtime: on a call that lasts a few
 * milliseconds, the runtime's cold start (its Builder makes a TextEncoder,
 * every ByteBuffer a TextDecoder, all of it interpreted once) cost more than
 * the rest of the frame handling. It covers the seven tables involved
 * (Message, IpcRequest, Hello, CliRun; IpcResponse, HelloResult,
 * CliRunResult), at the vtable offsets in THIN_VTABLE, which a test checks
 * against the schema's layout (the file identifier too); the daemon
 * verifies every request it reads, and the tests read these frames back
 * with the generated code. Answers are read without verification, like
 * decodeResponse's (they come from a daemon of this very build, as the
 * pipelined Hello tells), but every read is bounds-checked (a
 * DataView throws past the end).
 */
import type { CliRun } from './generated/grite/ipc/cli-run.js';
import { ClientKind } from './generated/grite/ipc/client-kind.js';
import { IpcCommand } from './generated/grite/ipc/ipc-command.js';
import { IpcResult } from './generated/grite/ipc/ipc-result.js';
import { MessageBody } from './generated/grite/ipc/message-body.js';

/** What the daemon needs to run a command line as the client would. */
export interface CliRunInput {
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdoutTty: boolean;
}

/** The Message file identifier (schema-layout.ts's FILE_IDENTIFIER; the layout itself is too big to load here). */
export const THIN_FILE_IDENTIFIER = 'GRT1';

/** The vtable offset of each field written or read here (4 + 2 * field id). */
export const THIN_VTABLE = {
  Message: { body_type: 4, body: 6 },
  IpcRequest: { schema_version: 4, request_id: 6, repo: 8, command_type: 12, command: 14 },
  Hello: { schema_version: 4, build: 6, client_kind: 8 },
  CliRun: { argv: 4, cwd: 6, environ: 8, stdout_tty: 10 },
  IpcResponse: { request_id: 6, ok: 8, result_type: 12, result: 14 },
  HelloResult: { schema_version: 4, build: 6 },
  CliRunResult: { handled: 4, stdout: 6, stderr: 8, exit_code: 10 },
} as const;

const V = THIN_VTABLE;

export interface ThinRequests {
  /** Both frames, Hello first, ready to write. */
  frames: Uint8Array;
  helloId: Uint8Array;
  runId: Uint8Array;
}

/** A field of a table being written: a scalar, or a reference written after the table. */
type FieldSpec = { vt: number; size: 1 | 2 | 4; value: number } | { vt: number; ref: () => number };

/**
 * Writes FlatBuffers front to back: a table's vtable, then the table, then
 * what its fields refer to (uoffsets point forward, as they must), every
 * object aligned as the format and the verifier want.
 */
class FrameWriter {
  private b: Buffer;
  // Integers go through a DataView: V8's own code, where Buffer's writers
  // are library JavaScript run cold on every call of a short process.
  private v: DataView;
  private n = 0;

  constructor(size: number) {
    this.b = Buffer.alloc(size);
    this.v = new DataView(this.b.buffer, this.b.byteOffset, this.b.length);
  }

  private ensure(k: number): void {
    if (this.n + k <= this.b.length) return;
    const bigger = Buffer.alloc(Math.max(this.b.length * 2, this.n + k + 1024));
    this.b.copy(bigger, 0, 0, this.n);
    this.b = bigger;
    this.v = new DataView(bigger.buffer, bigger.byteOffset, bigger.length);
  }

  private pad(align: number): void {
    this.ensure(align);
    while (this.n % align !== 0) this.b[this.n++] = 0;
  }

  /** One length-prefixed frame holding a Message whose root table `root` writes. */
  frame(root: () => number): void {
    this.pad(4);
    this.ensure(12);
    const header = this.n;
    const start = header + 4;
    this.n = start + 8;
    this.b.write(THIN_FILE_IDENTIFIER, start + 4, 'latin1');
    // Written may grow (and replace) this.b: call it before reading this.b.
    const rootPos = root();
    this.v.setUint32(start, rootPos - start, true);
    this.pad(4);
    this.v.setUint32(header, this.n - start);
  }

  table(fields: readonly FieldSpec[]): number {
    const vtSize = Math.max(...fields.map((f) => f.vt)) + 2;
    this.pad(2);
    this.ensure(vtSize + 8 + 4 * fields.length);
    const vt = this.n;
    this.b.fill(0, vt, vt + vtSize);
    this.n += vtSize;
    this.pad(4);
    const pos = this.n;
    this.v.setInt32(pos, pos - vt, true);
    this.n += 4;
    const refs: [number, () => number][] = [];
    // 4-byte fields first, then 2, then 1: each lands aligned.
    for (const size of [4, 2, 1]) {
      for (const f of fields) {
        if (('ref' in f ? 4 : f.size) !== size) continue;
        this.v.setUint16(vt + f.vt, this.n - pos, true);
        if ('ref' in f) {
          refs.push([this.n, f.ref]);
          this.n += 4;
        } else {
          if (size === 4) this.v.setInt32(this.n, f.value, true);
          else if (size === 2) this.v.setUint16(this.n, f.value, true);
          else this.v.setUint8(this.n, f.value);
          this.n += size;
        }
      }
    }
    this.v.setUint16(vt, vtSize, true);
    this.v.setUint16(vt + 2, this.n - pos, true);
    for (const [at, write] of refs) {
      const target = write();
      this.v.setUint32(at, target - at, true);
    }
    return pos;
  }

  string(s: string): number {
    const len = Buffer.byteLength(s, 'utf8');
    this.pad(4);
    this.ensure(len + 5);
    const pos = this.n;
    this.v.setUint32(pos, len, true);
    this.b.write(s, pos + 4, len, 'utf8');
    this.b[pos + 4 + len] = 0;
    this.n = pos + 5 + len;
    return pos;
  }

  bytes(data: Uint8Array): number {
    this.pad(4);
    this.ensure(data.length + 4);
    const pos = this.n;
    this.v.setUint32(pos, data.length, true);
    this.b.set(data, pos + 4);
    this.n = pos + 4 + data.length;
    return pos;
  }

  strings(list: readonly string[]): number {
    this.pad(4);
    this.ensure(4 + 4 * list.length);
    const pos = this.n;
    this.v.setUint32(pos, list.length, true);
    this.n += 4 + 4 * list.length;
    list.forEach((s, i) => {
      const at = pos + 4 + 4 * i;
      const target = this.string(s);
      this.v.setUint32(at, target - at, true);
    });
    return pos;
  }

  done(): Uint8Array {
    return this.b.subarray(0, this.n);
  }
}

/** A Hello and a CliRun request, framed back to back for one write. */
export function encodeThinRequests(opts: { repo: string; build: string; schemaVersion: number; input: CliRunInput }): ThinRequests {
  const { input } = opts;
  const helloId = randomId();
  const runId = randomId();
  let environ = '';
  for (const key of Object.keys(input.env)) {
    const value = input.env[key];
    if (value !== undefined && !key.includes('\0') && !value.includes('\0')) environ += `${key}=${value}\0`;
  }
  const w = new FrameWriter(2048 + 2 * environ.length);
  const request = (id: Uint8Array, type: number, command: () => number) => () =>
    w.table([
      { vt: V.Message.body_type, size: 1, value: MessageBody.IpcRequest },
      {
        vt: V.Message.body,
        ref: () =>
          w.table([
            { vt: V.IpcRequest.schema_version, size: 2, value: opts.schemaVersion },
            { vt: V.IpcRequest.request_id, ref: () => w.bytes(id) },
            { vt: V.IpcRequest.repo, ref: () => w.string(opts.repo) },
            { vt: V.IpcRequest.command_type, size: 1, value: type },
            { vt: V.IpcRequest.command, ref: command },
          ]),
      },
    ]);
  w.frame(
    request(helloId, IpcCommand.Hello, () =>
      w.table([
        { vt: V.Hello.schema_version, size: 2, value: opts.schemaVersion },
        { vt: V.Hello.build, ref: () => w.string(opts.build) },
        { vt: V.Hello.client_kind, size: 1, value: ClientKind.cli },
      ]),
    ),
  );
  w.frame(
    request(runId, IpcCommand.CliRun, () =>
      w.table([
        { vt: V.CliRun.argv, ref: () => w.strings(input.argv) },
        { vt: V.CliRun.cwd, ref: () => w.string(input.cwd) },
        { vt: V.CliRun.environ, ref: () => w.string(environ) },
        { vt: V.CliRun.stdout_tty, size: 1, value: input.stdoutTty ? 1 : 0 },
      ]),
    ),
  );
  return { frames: w.done(), helloId, runId };
}

/**
 * Ids only tell this connection's two answers apart (the thin entry sends no
 * write, so no retry ever depends on them): no random source is loaded.
 */
function randomId(): Uint8Array {
  const id = new Uint8Array(16);
  for (let i = 0; i < 16; i++) id[i] = (Math.random() * 256) | 0;
  return id;
}

export type ThinAnswer =
  | { kind: 'hello'; requestId: Uint8Array | null; ok: boolean; build: string; schemaVersion: number }
  | {
      kind: 'run';
      requestId: Uint8Array | null;
      ok: boolean;
      handled: boolean;
      /** UTF-8, viewed in the frame (no copy). */
      stdout: Uint8Array | null;
      stderr: Uint8Array | null;
      exitCode: number;
    }
  | { kind: 'other'; requestId: Uint8Array | null };

/** Reads tables by vtable offset; every read past the message throws (RangeError). */
class TableReader {
  private readonly v: DataView;

  constructor(private readonly b: Buffer) {
    this.v = new DataView(b.buffer, b.byteOffset, b.length);
  }

  root(): number {
    return this.v.getUint32(0, true);
  }

  private field(table: number, vt: number): number {
    const vtable = table - this.v.getInt32(table, true);
    if (vt + 2 > this.v.getUint16(vtable, true)) return 0;
    const off = this.v.getUint16(vtable + vt, true);
    return off === 0 ? 0 : table + off;
  }

  u8(table: number, vt: number): number {
    const p = this.field(table, vt);
    return p === 0 ? 0 : this.v.getUint8(p);
  }

  u16(table: number, vt: number): number {
    const p = this.field(table, vt);
    return p === 0 ? 0 : this.v.getUint16(p, true);
  }

  i32(table: number, vt: number): number {
    const p = this.field(table, vt);
    return p === 0 ? 0 : this.v.getInt32(p, true);
  }

  /** The table, string or vector a field refers to; 0 when absent. */
  ref(table: number, vt: number): number {
    const p = this.field(table, vt);
    return p === 0 ? 0 : p + this.v.getUint32(p, true);
  }

  /** A string's or byte vector's bytes, viewed in place. */
  bytes(table: number, vt: number): Buffer | null {
    const p = this.ref(table, vt);
    if (p === 0) return null;
    const len = this.v.getUint32(p, true);
    if (p + 4 + len > this.b.length) throw new RangeError('a vector runs past the end of the message');
    return this.b.subarray(p + 4, p + 4 + len);
  }
}

/** One answer (a frame's message, header removed) as the thin entry reads it. */
export function readThinAnswer(message: Uint8Array): ThinAnswer {
  const r = new TableReader(Buffer.from(message.buffer, message.byteOffset, message.byteLength));
  const msg = r.root();
  if (r.u8(msg, V.Message.body_type) !== MessageBody.IpcResponse) return { kind: 'other', requestId: null };
  const resp = r.ref(msg, V.Message.body);
  const requestId = r.bytes(resp, V.IpcResponse.request_id);
  const ok = r.u8(resp, V.IpcResponse.ok) !== 0;
  const result = r.ref(resp, V.IpcResponse.result);
  switch (ok && result !== 0 ? r.u8(resp, V.IpcResponse.result_type) : IpcResult.NONE) {
    case IpcResult.HelloResult:
      return {
        kind: 'hello',
        requestId,
        ok,
        build: r.bytes(result, V.HelloResult.build)?.toString('utf8') ?? '',
        schemaVersion: r.u16(result, V.HelloResult.schema_version),
      };
    case IpcResult.CliRunResult:
      return {
        kind: 'run',
        requestId,
        ok,
        handled: r.u8(result, V.CliRunResult.handled) !== 0,
        stdout: r.bytes(result, V.CliRunResult.stdout),
        stderr: r.bytes(result, V.CliRunResult.stderr),
        exitCode: r.i32(result, V.CliRunResult.exit_code),
      };
    default:
      return { kind: 'other', requestId };
  }
}

/** The daemon's side: a CliRun request's command line and context. */
export function readCliRun(cmd: CliRun): CliRunInput {
  const argv: string[] = [];
  for (let i = 0; i < cmd.argvLength(); i++) argv.push(cmd.argv(i) ?? '');
  const env: Record<string, string> = {};
  for (const entry of (cmd.environ() ?? '').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { argv, cwd: cmd.cwd() ?? '', env, stdoutTty: cmd.stdoutTty() };
}
