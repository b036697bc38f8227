/**
 * CliRun, the CLI's thin entry (packages/cli/src/thin.ts): a hot read sent
 * to the daemon as its command line, answered with the bytes to print.
 *
 * The client side (encodeThinRequests, readThinAnswer) imports only the
 * generated code of the tables it touches, never the unions' tables of
 * messages.ts, so the thin entry's bundle stays a few kilobytes: loading and
 * evaluating the whole schema's code is most of what the thin entry saves.
 * Answers are read without verification, like decodeResponse's: they come
 * from a daemon of this very build (the pipelined Hello says so).
 */
import * as flatbuffers from 'flatbuffers';
import { FRAME_HEADER_BYTES } from './framing.js';
import { CliRunResult } from './generated/lean/grite/ipc/cli-run-result.js';
import { CliRun } from './generated/lean/grite/ipc/cli-run.js';
import { ClientKind } from './generated/lean/grite/ipc/client-kind.js';
import { HelloResult } from './generated/lean/grite/ipc/hello-result.js';
import { Hello } from './generated/lean/grite/ipc/hello.js';
import { IpcCommand } from './generated/lean/grite/ipc/ipc-command.js';
import { IpcRequest } from './generated/lean/grite/ipc/ipc-request.js';
import { IpcResponse } from './generated/lean/grite/ipc/ipc-response.js';
import { IpcResult } from './generated/lean/grite/ipc/ipc-result.js';
import { MessageBody } from './generated/lean/grite/ipc/message-body.js';
import { Message } from './generated/lean/grite/ipc/message.js';

/** What the daemon needs to run a command line as the client would. */
export interface CliRunInput {
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdoutTty: boolean;
}

export interface ThinRequests {
  /** Both frames, Hello first, ready to write. */
  frames: Uint8Array;
  helloId: Uint8Array;
  runId: Uint8Array;
}

/** A Hello and a CliRun request, framed back to back for one write. */
export function encodeThinRequests(opts: { repo: string; build: string; schemaVersion: number; input: CliRunInput }): ThinRequests {
  const helloId = randomId();
  const runId = randomId();
  const hello = encodeRequestMessage(opts, helloId, IpcCommand.Hello, (b) =>
    Hello.createHello(b, opts.schemaVersion, b.createString(opts.build), ClientKind.cli),
  );
  const run = encodeRequestMessage(opts, runId, IpcCommand.CliRun, (b) => writeCliRun(b, opts.input));
  const frames = new Uint8Array(2 * FRAME_HEADER_BYTES + hello.length + run.length);
  let at = 0;
  for (const m of [hello, run]) {
    new DataView(frames.buffer).setUint32(at, m.length);
    frames.set(m, at + FRAME_HEADER_BYTES);
    at += FRAME_HEADER_BYTES + m.length;
  }
  return { frames, helloId, runId };
}

function encodeRequestMessage(
  opts: { repo: string; schemaVersion: number },
  id: Uint8Array,
  type: IpcCommand,
  command: (b: flatbuffers.Builder) => flatbuffers.Offset,
): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const cmd = command(b);
  const rid = IpcRequest.createRequestIdVector(b, id);
  const repo = b.createString(opts.repo);
  IpcRequest.startIpcRequest(b);
  IpcRequest.addSchemaVersion(b, opts.schemaVersion);
  IpcRequest.addRequestId(b, rid);
  IpcRequest.addRepo(b, repo);
  IpcRequest.addCommandType(b, type);
  IpcRequest.addCommand(b, cmd);
  const req = IpcRequest.endIpcRequest(b);
  Message.finishMessageBuffer(b, Message.createMessage(b, MessageBody.IpcRequest, req));
  return b.asUint8Array();
}

function writeCliRun(b: flatbuffers.Builder, input: CliRunInput): flatbuffers.Offset {
  const argv = CliRun.createArgvVector(
    b,
    input.argv.map((a) => b.createString(a)),
  );
  const cwd = b.createString(input.cwd);
  let environ = '';
  for (const key of Object.keys(input.env)) {
    const value = input.env[key];
    if (value !== undefined && !key.includes('\0') && !value.includes('\0')) environ += `${key}=${value}\0`;
  }
  return CliRun.createCliRun(b, argv, cwd, b.createString(environ), input.stdoutTty);
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

/** One answer (a frame's message, header removed) as the thin entry reads it. */
export function readThinAnswer(message: Uint8Array): ThinAnswer {
  const msg = Message.getRootAsMessage(new flatbuffers.ByteBuffer(message));
  if (msg.bodyType() !== MessageBody.IpcResponse) return { kind: 'other', requestId: null };
  const resp = msg.body(new IpcResponse()) as IpcResponse;
  const requestId = resp.requestIdArray();
  const ok = resp.ok();
  switch (ok ? resp.resultType() : IpcResult.NONE) {
    case IpcResult.HelloResult: {
      const r = resp.result(new HelloResult()) as HelloResult;
      return { kind: 'hello', requestId, ok, build: r.build() ?? '', schemaVersion: r.schemaVersion() };
    }
    case IpcResult.CliRunResult: {
      const r = resp.result(new CliRunResult()) as CliRunResult;
      return {
        kind: 'run',
        requestId,
        ok,
        handled: r.handled(),
        stdout: r.stdout(flatbuffers.Encoding.UTF8_BYTES) as Uint8Array | null,
        stderr: r.stderr(flatbuffers.Encoding.UTF8_BYTES) as Uint8Array | null,
        exitCode: r.exitCode(),
      };
    }
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
