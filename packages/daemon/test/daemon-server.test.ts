/**
 * The daemon's socket server, in this process, in front of a small fake
 * engine (the real engine has its own tests; the process-level tests run the
 * real one): the server's own commands, refusals, notifications, bad input
 * of every kind while other clients keep being served, clean and idle stops.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AckT,
  built,
  ClientConnection,
  DaemonStatusResult,
  DaemonStatusT,
  DaemonStopT,
  DbStats,
  decodeMessage,
  encodeThinRequests,
  encodeFrame,
  encodeRequest,
  encodeResponse,
  EventApplied,
  HelloResult,
  HelloT,
  IpcCommand,
  IpcResponse,
  IpcResult,
  IssueShow,
  IssueShowT,
  MessageBody,
  NotificationKind,
  readThinAnswer,
  responseError,
  SCHEMA_VERSION,
  SubscribeT,
  WalSynced,
  type IpcRequest,
} from '@grite/protocol';
import { DaemonServer, type CliRunner, type EngineLike, type EngineNotification } from '../src/index.js';

/** A fake engine: answers Ack; requests for issue "hold" wait until released. */
class FakeEngine implements EngineLike {
  readonly events = new EventEmitter();
  handled = 0;
  closed = false;
  private held: (() => void)[] = [];

  async handle(request: IpcRequest): Promise<Uint8Array> {
    const id = request.requestIdArray()!.slice();
    if (request.commandType() === IpcCommand.IssueShow) {
      const cmd = request.command(new IssueShow()) as IssueShow;
      if (cmd.issue() === 'hold') await new Promise<void>((resolve) => this.held.push(resolve));
    }
    this.handled++;
    return encodeResponse(id, new AckT());
  }

  /** IssueShow stands for the reads here; everything else for writes. */
  isPureRead(type: number): boolean {
    return type === IpcCommand.IssueShow;
  }

  get waiting(): number {
    return this.held.length;
  }

  releaseAll(): void {
    const h = this.held;
    this.held = [];
    for (const r of h) r();
  }

  close(): void {
    this.closed = true;
  }
}

let dir: string;
let commonDir: string;
let socketPath: string;
let engine: FakeEngine;
let server: DaemonServer;
const clients: (ClientConnection | Socket)[] = [];

async function startServer(opts: { idleTimeoutMs?: number; cliRunner?: CliRunner } = {}): Promise<void> {
  engine = new FakeEngine();
  const runner = opts.cliRunner;
  server = new DaemonServer({
    commonDir,
    socketPath,
    build: 'build-a',
    engine,
    idleTimeoutMs: opts.idleTimeoutMs ?? 0,
    ...(runner ? { cliRunner: () => Promise.resolve(runner) } : {}),
  });
  await server.listen();
}

async function client(): Promise<ClientConnection> {
  const c = await ClientConnection.connect(socketPath, { requestTimeoutMs: 10_000 });
  clients.push(c);
  return c;
}

function rawSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    clients.push(s);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything a raw socket receives until the server closes it. */
function readUntilClosed(s: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => undefined);
    s.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** The frames in `bytes` (big-endian u32 length + message). */
function frames(bytes: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos + 4 <= bytes.length) {
    const n = bytes.readUInt32BE(pos);
    out.push(new Uint8Array(bytes.subarray(pos + 4, pos + 4 + n)));
    pos += 4 + n;
  }
  return out;
}

function errorOf(bytes: Uint8Array): { code: string; requestId: string } {
  const msg = decodeMessage(bytes);
  expect(msg.bodyType()).toBe(MessageBody.IpcResponse);
  const resp = msg.body(new IpcResponse()) as IpcResponse;
  expect(resp.ok()).toBe(false);
  return { code: resp.error()!.code()!, requestId: Buffer.from(resp.requestIdArray() ?? []).toString('hex') };
}

async function helloWorks(): Promise<void> {
  const c = await client();
  const resp = await c.request(encodeRequest({ repo: commonDir, command: new HelloT(SCHEMA_VERSION, 'x') }));
  expect(resp.ok()).toBe(true);
  const r = resp.result(new HelloResult()) as HelloResult;
  expect(r.build()).toBe('build-a');
  c.dispose();
}

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-daemon-server-')));
  commonDir = join(dir, 'repo.git');
  socketPath = join(dir, 's.sock');
});

afterEach(async () => {
  for (const c of clients.splice(0)) {
    if (c instanceof ClientConnection) c.dispose();
    else c.destroy();
  }
  engine?.releaseAll();
  await server?.stop('api');
  rmSync(dir, { recursive: true, force: true });
});

describe('the server answers its own commands', () => {
  it('answers Hello with schema, build and pid, and creates the socket with mode 0600', async () => {
    await startServer();
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    const c = await client();
    const resp = await c.request(encodeRequest({ repo: commonDir, command: new HelloT(SCHEMA_VERSION, 'other') }));
    expect(resp.resultType()).toBe(IpcResult.HelloResult);
    const r = resp.result(new HelloResult()) as HelloResult;
    expect([r.schemaVersion(), r.build(), r.pid()]).toEqual([SCHEMA_VERSION, 'build-a', process.pid]);
  });

  it('answers Hello from a client of another schema version, and refuses its other requests', async () => {
    await startServer();
    const c = await client();
    const hello = await c.request(encodeRequest({ repo: commonDir, schemaVersion: 99, command: new HelloT(99, 'future') }));
    expect(hello.ok()).toBe(true);
    const show = await c.request(encodeRequest({ repo: commonDir, schemaVersion: 99, command: new IssueShowT('abcd') }));
    expect(responseError(show)?.code).toBe('ipc_error');
    expect(responseError(show)?.details['schema_version']).toBe('99');
    expect(engine.handled).toBe(0);
  });

  it('reports status: pid, socket, build, schema version, requests served, rss', async () => {
    await startServer();
    const c = await client();
    await c.request(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    const resp = await c.request(encodeRequest({ repo: commonDir, command: new DaemonStatusT() }));
    const s = (resp.result(new DaemonStatusResult()) as DaemonStatusResult).unpack();
    expect(s.running).toBe(true);
    expect(s.pid).toBe(process.pid);
    expect(s.socket).toBe(socketPath);
    expect(s.build).toBe('build-a');
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    expect(s.requests).toBe(2n);
    expect(s.rssBytes > 0n).toBe(true);
    expect(Number(s.startedTs)).toBe(server.startedTs);
  });

  it('refuses a request for another repository without reaching the engine', async () => {
    await startServer();
    const c = await client();
    const resp = await c.request(encodeRequest({ repo: join(dir, 'elsewhere.git'), command: new IssueShowT('abcd') }));
    const err = responseError(resp);
    expect(err?.code).toBe('invalid_args');
    expect(err?.details['served']).toBe(commonDir);
    expect(engine.handled).toBe(0);
  });

  it('accepts the repository by another spelling of its path (a symlink)', async () => {
    mkdirSync(commonDir);
    symlinkSync(commonDir, join(dir, 'link.git'));
    await startServer();
    const c = await client();
    const resp = await c.request(encodeRequest({ repo: join(dir, 'link.git'), command: new IssueShowT('abcd') }));
    expect(resp.ok()).toBe(true);
    expect(engine.handled).toBe(1);
  });

  it('refuses a request without a command', async () => {
    await startServer();
    const c = await client();
    const resp = await c.request(encodeRequest({ repo: commonDir, command: built(IpcCommand.NONE, () => 0) }));
    expect(responseError(resp)?.code).toBe('invalid_args');
  });

  it('passes every other command to the engine', async () => {
    await startServer();
    const c = await client();
    const resp = await c.request(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    expect(resp.ok()).toBe(true);
    expect(resp.resultType()).toBe(IpcResult.Ack);
    expect(engine.handled).toBe(1);
  });
});

describe('CliRun (the thin entry)', () => {
  const input = { argv: ['issue', 'list', '--json', 'ünï "q"'], cwd: '/some/dir', env: { GRITE_HOME: '/h', EMPTY: '' }, stdoutTty: true };

  /** Sends the thin entry's Hello + CliRun and reads both answers. */
  async function thinExchange(): Promise<ReturnType<typeof readThinAnswer>[]> {
    const s = await rawSocket();
    const req = encodeThinRequests({ repo: commonDir, build: 'build-a', schemaVersion: SCHEMA_VERSION, input });
    const got: Buffer[] = [];
    const answers = new Promise<Uint8Array[]>((resolve) =>
      s.on('data', (c: Buffer) => {
        got.push(c);
        const f = frames(Buffer.concat(got));
        if (f.length === 2) resolve(f);
      }),
    );
    s.write(req.frames);
    const out = (await answers).map((m) => readThinAnswer(m));
    expect(out.map((a) => Buffer.from(a.requestId ?? []).toString('hex'))).toEqual([req.helloId, req.runId].map((i) => Buffer.from(i).toString('hex')));
    return out;
  }

  it('runs the command line through the runner, which reaches the engine, and answers its output', async () => {
    const seen: unknown[] = [];
    await startServer({
      cliRunner: async (inp, call) => {
        seen.push(inp);
        const resp = await call(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
        return { stdout: `result ${IpcResult[resp.resultType()]}\n`, stderr: 'ß', exitCode: 3 };
      },
    });
    const [hello, run] = await thinExchange();
    expect(hello).toMatchObject({ kind: 'hello', ok: true, build: 'build-a', schemaVersion: SCHEMA_VERSION });
    expect(run).toMatchObject({ kind: 'run', ok: true, handled: true, exitCode: 3 });
    if (run!.kind !== 'run') throw new Error('not a run answer');
    expect(Buffer.from(run!.stdout!).toString('utf8')).toBe('result Ack\n');
    expect(Buffer.from(run!.stderr!).toString('utf8')).toBe('ß');
    expect(seen).toEqual([input]);
    expect(engine.handled).toBe(1);
  });

  it('declines without a runner, when the runner declines or fails; refuses the runner another repository and anything but a read', async () => {
    await startServer();
    expect((await thinExchange())[1]).toMatchObject({ kind: 'run', ok: true, handled: false });
    await server.stop('api');

    const outcomes: string[] = [];
    let runs = 0;
    await startServer({
      cliRunner: async (inp, call) => {
        runs++;
        if (runs === 1) return outcomes.push('declined'), null;
        if (runs === 2) throw new Error(`cannot run ${inp.argv.join(' ')}`);
        try {
          await call(encodeRequest({ repo: join(dir, 'other.git'), command: new IssueShowT('abcd') }));
          outcomes.push('called');
        } catch {
          outcomes.push('refused');
        }
        try {
          await call(encodeRequest({ repo: commonDir, command: new DaemonStopT() }));
          outcomes.push('called');
        } catch {
          outcomes.push('refused');
        }
        return null;
      },
    });
    for (let i = 0; i < 3; i++) {
      expect((await thinExchange())[1], `run ${i}`).toMatchObject({ kind: 'run', ok: true, handled: false });
    }
    expect(runs).toBe(3);
    expect(outcomes).toEqual(['declined', 'refused', 'refused']);
    expect(engine.handled).toBe(0);
    await helloWorks();
  });
});

describe('Subscribe', () => {
  it('streams engine notifications on the connection while it keeps carrying requests', async () => {
    await startServer();
    const watcher = await client();
    const other = await client();
    const got: { kind: NotificationKind; requestId: string; detail: string }[] = [];
    watcher.onNotification((n) => {
      const kind = n.kindType();
      let detail = '';
      if (kind === NotificationKind.EventApplied) {
        const e = n.kind(new EventApplied()) as EventApplied;
        detail = Buffer.from(e.eventIdArray()!).toString('hex');
      } else if (kind === NotificationKind.WalSynced) {
        detail = (n.kind(new WalSynced()) as WalSynced).walHead()!;
      }
      got.push({ kind, requestId: Buffer.from(n.requestIdArray()!).toString('hex'), detail });
    });
    const subId = randomBytes(16);
    const ack = await watcher.request(encodeRequest({ repo: commonDir, requestId: subId, command: new SubscribeT() }));
    expect(ack.resultType()).toBe(IpcResult.Ack);

    const eventId = randomBytes(32);
    const notes: EngineNotification[] = [
      { kind: 'EventApplied', issueId: randomBytes(16), eventId },
      { kind: 'WalSynced', walHead: 'a'.repeat(40) },
    ];
    for (const n of notes) engine.events.emit('notification', n);
    // The subscribed connection still answers requests, after the notifications.
    const resp = await watcher.request(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    expect(resp.ok()).toBe(true);
    expect(got).toEqual([
      { kind: NotificationKind.EventApplied, requestId: subId.toString('hex'), detail: eventId.toString('hex') },
      { kind: NotificationKind.WalSynced, requestId: subId.toString('hex'), detail: 'a'.repeat(40) },
    ]);
    // A connection that did not subscribe gets none.
    let otherGot = 0;
    other.onNotification(() => otherGot++);
    await other.request(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    expect(otherGot).toBe(0);
  });
});

describe('bad input gets an answer or a closed connection, and the daemon keeps serving', () => {
  beforeEach(async () => {
    await startServer();
  });

  it('random bytes inside a frame', async () => {
    const s = await rawSocket();
    const closed = readUntilClosed(s);
    s.write(encodeFrame(new Uint8Array(randomBytes(200))));
    const got = frames(await closed);
    expect(got.length).toBe(1);
    expect(errorOf(got[0]!).code).toBe('ipc_error');
    await helloWorks();
  });

  it('random bytes without framing (an absurd length)', async () => {
    const s = await rawSocket();
    const closed = readUntilClosed(s);
    s.write(Buffer.concat([Buffer.from([0x7f, 0xff, 0xff, 0xff]), randomBytes(64)]));
    const got = frames(await closed);
    expect(got.map((f) => errorOf(f).code)).toEqual(['ipc_error']);
    await helloWorks();
  });

  it('a zero length', async () => {
    const s = await rawSocket();
    const closed = readUntilClosed(s);
    s.write(Buffer.from([0, 0, 0, 0]));
    expect(frames(await closed).map((f) => errorOf(f).code)).toEqual(['ipc_error']);
    await helloWorks();
  });

  it('a length over the 16 MiB limit', async () => {
    const s = await rawSocket();
    const closed = readUntilClosed(s);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(16 * 1024 * 1024 + 1);
    s.write(header);
    expect(frames(await closed).map((f) => errorOf(f).code)).toEqual(['ipc_error']);
    await helloWorks();
  });

  it('a frame truncated by the client closing its side', async () => {
    const s = await rawSocket();
    const closed = readUntilClosed(s);
    const frame = encodeFrame(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    s.end(frame.subarray(0, frame.length - 7));
    await closed;
    expect(engine.handled).toBe(0);
    await helloWorks();
  });

  it('a header split byte by byte, then the frame completed: answered normally', async () => {
    const s = await rawSocket();
    const frame = encodeFrame(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    const answer = new Promise<Buffer>((resolve) => s.once('data', resolve));
    for (let i = 0; i < frame.length; i++) s.write(frame.subarray(i, i + 1));
    const resp = decodeMessage(new Uint8Array((await answer).subarray(4)));
    expect((resp.body(new IpcResponse()) as IpcResponse).ok()).toBe(true);
  });

  it('an unknown command union type: an ipc_error answer for that request, connection kept', async () => {
    const c = await client();
    const id = randomBytes(16);
    const bad = encodeRequest({
      repo: commonDir,
      requestId: id,
      command: built(200 as IpcCommand, (b) => {
        DbStats.startDbStats(b);
        return DbStats.endDbStats(b);
      }),
    });
    const resp = await c.request(bad);
    expect(responseError(resp)?.code).toBe('ipc_error');
    expect(Buffer.from(resp.requestIdArray()!).equals(id)).toBe(true);
    const again = await c.request(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    expect(again.ok()).toBe(true);
  });

  it('a message that is not a request', async () => {
    const s = await rawSocket();
    const closed = readUntilClosed(s);
    s.write(encodeFrame(encodeResponse(randomBytes(16), new AckT())));
    expect(frames(await closed).map((f) => errorOf(f).code)).toEqual(['ipc_error']);
    await helloWorks();
  });

  it('a client that disconnects while its request is in flight', async () => {
    const s = await rawSocket();
    s.write(encodeFrame(encodeRequest({ repo: commonDir, command: new IssueShowT('hold') })));
    await until(() => engine.waiting === 1);
    s.destroy();
    await until(() => server.connections === 0);
    engine.releaseAll();
    await until(() => engine.handled === 1);
    await helloWorks();
  });
});

describe('stopping', () => {
  it('DaemonStop: in-flight requests are answered first, then the socket goes and the engine is closed', async () => {
    await startServer();
    const writer = await client();
    const stopper = await client();
    const pending = writer.request(encodeRequest({ repo: commonDir, command: new IssueShowT('hold') }));
    await until(() => engine.waiting === 1);
    const ack = await stopper.request(encodeRequest({ repo: commonDir, command: new DaemonStopT() }));
    expect(ack.resultType()).toBe(IpcResult.Ack);
    // Stopping: new requests are refused, the held one is still in flight.
    await until(() => server.stopping !== null);
    const refused = await writer.request(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    expect(responseError(refused)?.code).toBe('ipc_error');
    expect(engine.closed).toBe(false);
    engine.releaseAll();
    expect((await pending).ok()).toBe(true);
    expect(await server.stopped).toBe('request');
    expect(engine.closed).toBe(true);
    expect(existsSync(socketPath)).toBe(false);
  });

  it('stops by itself after the idle timeout, removing the socket', async () => {
    await startServer({ idleTimeoutMs: 300 });
    const c = await client();
    await c.request(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    expect(await server.stopped).toBe('idle');
    expect(existsSync(socketPath)).toBe(false);
    expect(engine.closed).toBe(true);
  });

  it('does not idle out while a request is in flight or a connection is subscribed', async () => {
    await startServer({ idleTimeoutMs: 200 });
    const c = await client();
    const pending = c.request(encodeRequest({ repo: commonDir, command: new IssueShowT('hold') }));
    await until(() => engine.waiting === 1);
    await sleep(600);
    expect(server.isListening).toBe(true);
    engine.releaseAll();
    await pending;
    await c.request(encodeRequest({ repo: commonDir, command: new SubscribeT() }));
    await sleep(600);
    expect(server.isListening).toBe(true);
    c.dispose();
    expect(await server.stopped).toBe('idle');
  });

  it('answers requests that wait for an engine still opening, and stops when the engine fails to open', async () => {
    let fail!: (e: Error) => void;
    const opening = new Promise<EngineLike>((_resolve, reject) => (fail = reject));
    server = new DaemonServer({ commonDir, socketPath, build: 'build-a', engine: opening, idleTimeoutMs: 0 });
    await server.listen();
    const c = await client();
    const hello = await c.request(encodeRequest({ repo: commonDir, command: new HelloT(SCHEMA_VERSION, 'x') }));
    expect(hello.ok()).toBe(true);
    const waiting = c.request(encodeRequest({ repo: commonDir, command: new IssueShowT('abcd') }));
    await until(() => server.requests === 2n);
    fail(Object.assign(new Error('no such repository'), { code: 'not_a_repo' }));
    expect(responseError(await waiting)?.code).toBe('not_a_repo');
    expect(await server.stopped).toBe('error');
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}
