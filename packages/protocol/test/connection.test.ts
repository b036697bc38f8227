/**
 * Client and server connections over a real Unix socket in a temp dir.
 * No timing assertions: ordering is forced with deferreds the test resolves,
 * and timeouts are only checked for their outcome.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AckT,
  bytesToHex,
  ClientConnection,
  decodeResponse,
  encodeFrame,
  encodeNotification,
  encodeRequest,
  encodeResponse,
  FrameDecoder,
  frameHeader,
  HelloResult,
  HelloResultT,
  IpcCommand,
  IssueShow,
  IssueShowT,
  NotificationKind,
  ProtocolError,
  responseError,
  ServerConnection,
  SubscribeT,
  WalSynced,
  WalSyncedT,
  type IpcRequest,
  type IpcResponse,
  type RequestHandler,
} from '../src/index.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let dir: string;
let socketPath: string;
let server: Server;
const serverConns: ServerConnection[] = [];
const serverErrors: ProtocolError[] = [];
let handler: RequestHandler;
const clients: ClientConnection[] = [];
const rawSockets: Socket[] = [];

/** The issue ref of an IssueShow request (the tests' way of naming requests). */
function refOf(req: IpcRequest): string {
  if (req.commandType() !== IpcCommand.IssueShow) return '';
  return (req.command(new IssueShow()) as IssueShow).issue() ?? '';
}

/** A response that echoes the request's issue ref in HelloResult.build. */
function echo(req: IpcRequest): Uint8Array {
  return encodeResponse(req.requestIdArray()!, new HelloResultT(1, `echo:${refOf(req)}`, 0));
}

function show(ref: string): Uint8Array {
  return encodeRequest({ repo: '/r/.git', command: new IssueShowT(ref) });
}

async function startServer(opts: { maxFrameBytes?: number } = {}): Promise<void> {
  server = createServer((sock) => {
    const conn = new ServerConnection(sock, (req, raw) => handler(req, raw), opts);
    conn.onError((e) => serverErrors.push(e));
    serverConns.push(conn);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
}

async function client(opts = {}): Promise<ClientConnection> {
  const c = await ClientConnection.connect(socketPath, opts);
  clients.push(c);
  return c;
}

/** A raw socket plus the frames it receives, for feeding hand-made bytes. */
async function raw(): Promise<{ sock: Socket; frames: Uint8Array[]; closed: Promise<void> }> {
  const sock = connect(socketPath);
  rawSockets.push(sock);
  await new Promise<void>((resolve) => sock.once('connect', resolve));
  const frames: Uint8Array[] = [];
  const dec = new FrameDecoder({ onFrame: (f) => frames.push(f.slice()), onError: () => {} });
  sock.on('data', (c) => dec.push(c));
  sock.on('error', () => {});
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  return { sock, frames, closed };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grite-proto-'));
  socketPath = join(dir, 'd.sock');
  handler = async (req) => echo(req);
  serverErrors.length = 0;
  await startServer();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  for (const s of rawSockets.splice(0)) s.destroy();
  for (const c of serverConns.splice(0)) c.dispose();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('ClientConnection + ServerConnection', () => {
  it('answers a request', async () => {
    const c = await client();
    expect(c.state).toBe('open');
    const resp = await c.request(show('ab12'));
    expect(resp.ok()).toBe(true);
    expect(decodeBuild(resp)).toBe('echo:ab12');
  });

  it('matches responses that come back out of order', async () => {
    const gates = new Map<string, Deferred<void>>([['a', deferred()], ['b', deferred()], ['c', deferred()]]);
    handler = async (req) => {
      await gates.get(refOf(req))!.promise;
      return echo(req);
    };
    const c = await client();
    const order: string[] = [];
    const all = ['a', 'b', 'c'].map((ref) =>
      c.request(show(ref)).then((resp) => {
        order.push(ref);
        expect(decodeBuild(resp)).toBe(`echo:${ref}`);
      }),
    );
    await until(() => serverConns[0]?.inFlight === 3);
    expect(c.pendingCount).toBe(3);
    gates.get('c')!.resolve();
    await until(() => order.length === 1);
    gates.get('a')!.resolve();
    await until(() => order.length === 2);
    gates.get('b')!.resolve();
    await Promise.all(all);
    expect(order).toEqual(['c', 'a', 'b']);
    expect(c.pendingCount).toBe(0);
  });

  it('carries many requests in flight on one connection', async () => {
    handler = async (req) => {
      const n = Number(refOf(req));
      for (let i = 0; i < n % 7; i++) await new Promise((r) => setImmediate(r));
      return echo(req);
    };
    const c = await client();
    const refs = Array.from({ length: 64 }, (_, i) => String(i));
    const builds = await Promise.all(refs.map(async (r) => decodeBuild(await c.request(show(r)))));
    expect(builds).toEqual(refs.map((r) => `echo:${r}`));
  });

  it('times out a request with ipc_error, and the connection stays usable', async () => {
    const gate = deferred<void>();
    handler = async (req) => {
      if (refOf(req) === 'hang') await gate.promise;
      return echo(req);
    };
    const c = await client();
    const err = await c.request(show('hang'), { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('ipc_error');
    expect((err as ProtocolError).message).toMatch(/timed out after 20 ms/);
    expect(c.pendingCount).toBe(0);
    gate.resolve(); // its late answer is ignored
    expect(decodeBuild(await c.request(show('next')))).toBe('echo:next');
    expect(c.state).toBe('open');
  });

  it('close() rejects every pending request with "connection closed"', async () => {
    handler = () => new Promise(() => {});
    const c = await client();
    let closes = 0;
    c.onClose(() => closes++);
    const pending = [c.request(show('x')), c.request(show('y'))].map((p) => p.catch((e: unknown) => e));
    await until(() => serverConns[0]?.inFlight === 2);
    c.close();
    const errs = (await Promise.all(pending)) as ProtocolError[];
    for (const e of errs) {
      expect(e).toBeInstanceOf(ProtocolError);
      expect(e.code).toBe('ipc_error');
      expect(e.message).toBe('connection closed');
    }
    expect(c.state).toBe('closed');
    expect(closes).toBe(1);
    await expect(c.request(show('z'))).rejects.toMatchObject({ code: 'ipc_error', message: 'connection closed' });
    c.close(); // idempotent
    expect(closes).toBe(1);
  });

  it('dispose() rejects pending requests and later calls', async () => {
    handler = () => new Promise(() => {});
    const c = await client();
    const p = c.request(show('x')).catch((e: unknown) => e);
    c.dispose();
    expect(await p).toMatchObject({ code: 'ipc_error', message: 'connection closed' });
    expect(c.state).toBe('disposed');
    await expect(c.request(show('y'))).rejects.toMatchObject({ code: 'ipc_error', message: 'connection disposed' });
    c.dispose();
  });

  it('the server going away rejects pending requests and fires onClose', async () => {
    handler = () => new Promise(() => {});
    const c = await client();
    const closed = deferred<void>();
    c.onClose(() => closed.resolve());
    const p = c.request(show('x')).catch((e: unknown) => e);
    await until(() => serverConns[0]?.inFlight === 1);
    serverConns[0]!.close();
    expect(await p).toMatchObject({ code: 'ipc_error', message: 'connection closed' });
    await closed.promise;
    expect(c.state).toBe('closed');
  });

  it('delivers notifications to onNotification', async () => {
    handler = async (req) => {
      const id = req.requestIdArray()!;
      const conn = serverConns[0]!;
      setImmediate(() => {
        conn.notify(encodeNotification(id, new WalSyncedT('abc123')));
        conn.notify(encodeNotification(id, new WalSyncedT('def456')));
      });
      return encodeResponse(id, new AckT());
    };
    const c = await client();
    const heads: string[] = [];
    const got = deferred<void>();
    c.onNotification((n) => {
      expect(n.kindType()).toBe(NotificationKind.WalSynced);
      heads.push((n.kind(new WalSynced()) as WalSynced).walHead()!);
      if (heads.length === 2) got.resolve();
    });
    const sub = encodeRequest({ repo: '/r/.git', command: new SubscribeT() });
    const resp = await c.request(sub);
    expect(resp.ok()).toBe(true);
    await got.promise;
    expect(heads).toEqual(['abc123', 'def456']);
  });

  it('answers handler errors with their code, or internal_error', async () => {
    handler = async (req) => {
      if (refOf(req) === 'missing') throw new ProtocolError('not_found', 'no issue missing', { hint: 'check the id' });
      throw new TypeError('bug');
    };
    const c = await client();
    const e1 = responseError(await c.request(show('missing')))!;
    expect(e1.toJSON()).toEqual({ code: 'not_found', message: 'no issue missing', hint: 'check the id', details: {} });
    const e2 = responseError(await c.request(show('other')))!;
    expect(e2.code).toBe('internal_error');
  });

  it('accepts a handler that answers synchronously, and one that throws synchronously', async () => {
    handler = (req) => {
      if (refOf(req) === 'bad') throw new ProtocolError('invalid_args', 'bad ref');
      return echo(req);
    };
    const c = await client();
    expect(decodeBuild(await c.request(show('sync')))).toBe('echo:sync');
    expect(responseError(await c.request(show('bad')))!.code).toBe('invalid_args');
    expect(serverConns[0]!.inFlight).toBe(0);
  });

  it('rejects a duplicate request_id in flight and a request on a closed connection', async () => {
    handler = () => new Promise(() => {});
    const c = await client();
    const bytes = show('a');
    const first = c.request(bytes).catch((e: unknown) => e);
    await expect(c.request(bytes)).rejects.toMatchObject({ code: 'invalid_args' });
    c.close();
    await first;
  });

  it('connect() to a missing socket rejects with ipc_error', async () => {
    await expect(ClientConnection.connect(join(dir, 'nope.sock'))).rejects.toMatchObject({ code: 'ipc_error' });
  });
});

/** The echoed ref in a HelloResult response. */
function decodeBuild(resp: IpcResponse): string {
  return (resp.result(new HelloResult()) as HelloResult).build() ?? '';
}

describe('ServerConnection on bad input', () => {
  it('answers a request that fails verification with ipc_error for its id, and stays open', async () => {
    const { sock, frames } = await raw();
    const rid = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const bad = encodeRequest({ repo: '/r/.git', requestId: rid, command: new IssueShowT('x') }).slice();
    // Corrupt the IssueShow table's vtable size (odd): unverifiable, id intact.
    new DataView(bad.buffer, bad.byteOffset).setUint16(commandVtable(bad), 5, true);
    sock.write(encodeFrame(bad));
    await until(() => frames.length === 1);
    const resp = decodeResponse(frames[0]!);
    expect(resp.ok()).toBe(false);
    expect(bytesToHex(resp.requestIdArray())).toBe(bytesToHex(rid));
    expect(responseError(resp)!.code).toBe('ipc_error');
    expect(serverErrors).toHaveLength(1);
    // Still open: a valid request gets its answer.
    sock.write(encodeFrame(show('ok')));
    await until(() => frames.length === 2);
    expect(decodeBuild(decodeResponse(frames[1]!))).toBe('echo:ok');
  });

  it('answers a zero-length frame at connection level and closes; the server keeps serving', async () => {
    const { sock, frames, closed } = await raw();
    sock.write(frameHeader(1).fill(0));
    await closed;
    expect(frames).toHaveLength(1);
    const resp = decodeResponse(frames[0]!);
    expect(resp.requestIdArray()).toBeNull();
    expect(responseError(resp)!.details.reason).toBe('zero_length');
    const c = await client();
    expect(decodeBuild(await c.request(show('after')))).toBe('echo:after');
  });

  it('answers an over-limit frame at connection level and closes', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await startServer({ maxFrameBytes: 1024 });
    const { sock, frames, closed } = await raw();
    sock.write(frameHeader(4096));
    await closed;
    expect(responseError(decodeResponse(frames[0]!))!.details.reason).toBe('too_large');
  });

  it('closes on garbage whose request_id cannot be read', async () => {
    const { sock, frames, closed } = await raw();
    sock.write(encodeFrame(new Uint8Array(64).fill(0xee)));
    await closed;
    expect(frames).toHaveLength(1);
    expect(responseError(decodeResponse(frames[0]!))!.code).toBe('ipc_error');
    expect(serverErrors.length).toBeGreaterThan(0);
  });

  it('closes on a valid message that is not a request', async () => {
    const { sock, frames, closed } = await raw();
    sock.write(encodeFrame(encodeResponse(new Uint8Array(16), new AckT())));
    await closed;
    expect(responseError(decodeResponse(frames[0]!))!.message).toMatch(/expected a request/);
  });

  it('reports a stream truncated mid-frame', async () => {
    const { sock } = await raw();
    sock.end(encodeFrame(show('x')).subarray(0, 10));
    await until(() => serverErrors.length > 0);
    expect(serverErrors[0]!.details.reason).toBe('truncated');
  });
});

describe('ClientConnection on bad input', () => {
  it('with verifyResponses, a malformed response is an error event and closes the connection', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer((sock) => {
      sock.on('data', () => sock.write(encodeFrame(new Uint8Array(40).fill(0x33))));
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const c = await client({ verifyResponses: true });
    const errors: ProtocolError[] = [];
    c.onError((e) => errors.push(e));
    await expect(c.request(show('x'))).rejects.toMatchObject({ code: 'ipc_error', message: 'connection closed' });
    expect(errors[0]!.message).toMatch(/invalid message/);
    expect(c.state).toBe('closed');
  });
});

/** Position of the IssueShow table's vtable inside an encoded request. */
function commandVtable(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const root = view.getUint32(0, true);
  const rootVt = root - view.getInt32(root, true);
  const bodyField = root + view.getUint16(rootVt + 6, true);
  const req = bodyField + view.getUint32(bodyField, true);
  const reqVt = req - view.getInt32(req, true);
  const cmdField = req + view.getUint16(reqVt + 14, true);
  const cmd = cmdField + view.getUint32(cmdField, true);
  return cmd - view.getInt32(cmd, true);
}
