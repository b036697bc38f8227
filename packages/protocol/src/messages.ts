/**
 * Building and reading whole messages. Every frame carries one `Message`
 * (schema/grite.fbs) whose body is an IpcRequest, IpcResponse or
 * Notification, finished with the file identifier "GRT1".
 *
 * Builders take either an object-API value (`new IssueShowT('ab12')`), whose
 * union type is found from its class, or a `Built` member that writes itself
 * with the builder API (faster for large results; see `built`).
 *
 * Decoders are zero-copy accessors over the given bytes and do NOT verify:
 * the daemon verifies every request (verifier.ts) before decoding it, and a
 * response from the same build may be read as is (DESIGN.md section 6).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as flatbuffers from 'flatbuffers';
import { byteBufferOf, FastBuilder } from './builder.js';
import { isErrorCode, ProtocolError, type ErrorCode, type ErrorDetails } from './errors.js';
import { allocateFramed } from './framing.js';
import { IpcError } from './generated/grite/ipc/ipc-error.js';
import { IpcRequest } from './generated/grite/ipc/ipc-request.js';
import { IpcResponse } from './generated/grite/ipc/ipc-response.js';
import { IpcCommand } from './generated/grite/ipc/ipc-command.js';
import { IpcResult } from './generated/grite/ipc/ipc-result.js';
import { KeyValue } from './generated/grite/ipc/key-value.js';
import { Message } from './generated/grite/ipc/message.js';
import { MessageBody } from './generated/grite/ipc/message-body.js';
import { Notification } from './generated/grite/ipc/notification.js';
import { NotificationKind } from './generated/grite/ipc/notification-kind.js';
import { OBJECTS } from './generated/schema-layout.js';
import {
  IPC_COMMAND_MEMBERS,
  IPC_RESULT_MEMBERS,
  NOTIFICATION_KIND_MEMBERS,
  type IpcCommandObject,
  type IpcResultObject,
  type NotificationKindObject,
  type UnionMember,
} from './generated/unions.js';

/** The schema version this build speaks; sent in every envelope and in Hello. */
export const SCHEMA_VERSION = 1;

/** Length of a request_id. */
export const REQUEST_ID_BYTES = 16;

/** A union member that writes itself with the builder API. */
export interface Built<E extends number> {
  readonly type: E;
  build(builder: flatbuffers.Builder): flatbuffers.Offset;
}

/** Wraps a builder-API writer as a union member for the encoders. */
export function built<E extends number>(type: E, build: (builder: flatbuffers.Builder) => flatbuffers.Offset): Built<E> {
  return { type, build };
}

function typeTable<E extends number, O>(members: readonly UnionMember<E, O>[]): Map<unknown, E> {
  return new Map(members.map((m) => [m.objectClass, m.type]));
}

const COMMAND_TYPES = typeTable(IPC_COMMAND_MEMBERS);
const RESULT_TYPES = typeTable(IPC_RESULT_MEMBERS);
const NOTIFICATION_TYPES = typeTable(NOTIFICATION_KIND_MEMBERS);

function isBuilt<E extends number>(x: unknown): x is Built<E> {
  return typeof x === 'object' && x !== null && typeof (x as Built<E>).build === 'function';
}

/** Writes a union member; returns [type, offset]. */
function writeMember<E extends number>(
  b: flatbuffers.Builder,
  member: flatbuffers.IGeneratedObject | Built<E>,
  types: Map<unknown, E>,
  union: string,
): [E, flatbuffers.Offset] {
  if (isBuilt<E>(member)) return [member.type, member.build(b)];
  const type = types.get((member as object).constructor);
  if (type === undefined) {
    throw new ProtocolError('internal_error', `not a member of the ${union} union: ${String((member as object).constructor?.name)}`);
  }
  return [type, member.pack(b)];
}

// Encoders are synchronous, so one builder serves them all: taken, cleared,
// used, and the message copied out (one memcpy; building a fresh builder
// costs more) into a buffer with room for its frame header, so sending it
// copies nothing more (framing.ts allocateFramed). A nested encode (from inside a `Built`) gets its own. A
// builder grown past KEEP_BELOW is dropped rather than kept.
let spare: FastBuilder | null = null;
const KEEP_BELOW = 1 << 20;

function takeBuilder(sizeHint: number): FastBuilder {
  const b = spare;
  if (b === null) return new FastBuilder(Math.max(sizeHint, 1024));
  spare = null;
  b.clear();
  return b;
}

function finishMessage(b: FastBuilder, bodyType: MessageBody, body: flatbuffers.Offset): Uint8Array {
  Message.startMessage(b);
  Message.addBodyType(b, bodyType);
  Message.addBody(b, body);
  Message.finishMessageBuffer(b, Message.endMessage(b));
  const view = b.asUint8Array();
  const out = allocateFramed(view.length);
  out.set(view);
  if (b.dataBuffer().capacity() < KEEP_BELOW) spare = b;
  return out;
}

// Request ids come from a pool: one refill costs as much as a small round
// trip's encoding. It starts at 16 ids (a CLI call uses two or three, and
// reading 16 KiB of random bytes for them cost ~50 µs) and grows to 1024 for
// long-lived clients. The pool is read from the kernel's random source
// directly; node:crypto (with its internals ~2 ms to load, on every CLI
// call) is loaded only where /dev/urandom cannot be read.
const ID_POOL_MAX = REQUEST_ID_BYTES * 1024;
let idPool = new Uint8Array(REQUEST_ID_BYTES * 16);
let idPoolPos = idPool.length;
let idPoolFills = 0;

function fillRandom(buf: Uint8Array): void {
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      for (let at = 0; at < buf.length; ) {
        const n = readSync(fd, buf, at, buf.length - at, null);
        if (n <= 0) throw new Error('short read from /dev/urandom');
        at += n;
      }
      return;
    } finally {
      closeSync(fd);
    }
  } catch {
    const { randomFillSync } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    randomFillSync(buf);
  }
}

/** 16 random bytes. */
export function newRequestId(): Uint8Array {
  if (idPoolPos + REQUEST_ID_BYTES > idPool.length) {
    if (idPoolFills++ > 0 && idPool.length < ID_POOL_MAX) idPool = new Uint8Array(Math.min(idPool.length * 8, ID_POOL_MAX));
    fillRandom(idPool);
    idPoolPos = 0;
  }
  const id = idPool.slice(idPoolPos, idPoolPos + REQUEST_ID_BYTES);
  idPoolPos += REQUEST_ID_BYTES;
  return id;
}

export interface RequestInit {
  /** realpath of the repository's common git dir. */
  repo: string;
  command: IpcCommandObject | Built<IpcCommand>;
  /** 16 bytes; omitted when the command needs no actor. */
  actorId?: Uint8Array | null | undefined;
  /** Defaults to a fresh newRequestId(). */
  requestId?: Uint8Array | undefined;
  schemaVersion?: number | undefined;
  /** Initial builder size in bytes (it grows as needed). */
  sizeHint?: number | undefined;
}

/** Encodes a Message holding an IpcRequest. Read its id with requestIdOf(). */
export function encodeRequest(init: RequestInit): Uint8Array {
  const b = takeBuilder(init.sizeHint ?? 256);
  const [type, command] = writeMember(b, init.command, COMMAND_TYPES, 'IpcCommand');
  const rid = b.createByteVector(init.requestId ?? newRequestId());
  const repo = b.createString(init.repo);
  const actor = init.actorId ? b.createByteVector(init.actorId) : 0;
  IpcRequest.startIpcRequest(b);
  IpcRequest.addSchemaVersion(b, init.schemaVersion ?? SCHEMA_VERSION);
  IpcRequest.addRequestId(b, rid);
  IpcRequest.addRepo(b, repo);
  if (actor !== 0) IpcRequest.addActorId(b, actor);
  IpcRequest.addCommandType(b, type);
  IpcRequest.addCommand(b, command);
  return finishMessage(b, MessageBody.IpcRequest, IpcRequest.endIpcRequest(b));
}

/** Encodes a successful response carrying `result`. */
export function encodeResponse(
  requestId: Uint8Array,
  result: IpcResultObject | Built<IpcResult>,
  opts: { schemaVersion?: number; sizeHint?: number } = {},
): Uint8Array {
  const b = takeBuilder(opts.sizeHint ?? 1024);
  const [type, res] = writeMember(b, result, RESULT_TYPES, 'IpcResult');
  const rid = b.createByteVector(requestId);
  IpcResponse.startIpcResponse(b);
  IpcResponse.addSchemaVersion(b, opts.schemaVersion ?? SCHEMA_VERSION);
  IpcResponse.addRequestId(b, rid);
  IpcResponse.addOk(b, true);
  IpcResponse.addResultType(b, type);
  IpcResponse.addResult(b, res);
  return finishMessage(b, MessageBody.IpcResponse, IpcResponse.endIpcResponse(b));
}

/**
 * A successful response encoded once and re-sent to any number of requests:
 * each send copies the bytes and writes that request's id into them. For
 * answers that do not change between requests (the same issue at the same
 * WAL head), this skips building the result every time.
 */
export class CachedResponse {
  private readonly bytes: Uint8Array;
  private readonly idAt: number;

  constructor(result: IpcResultObject | Built<IpcResult>, opts: { schemaVersion?: number; sizeHint?: number } = {}) {
    this.bytes = encodeResponse(new Uint8Array(REQUEST_ID_BYTES), result, opts);
    const id = decodeResponse(this.bytes).requestIdArray();
    if (id === null || id.length !== REQUEST_ID_BYTES) throw new ProtocolError('internal_error', 'cached response lacks its request_id');
    this.idAt = id.byteOffset - this.bytes.byteOffset;
  }

  /** Size of each encoded response. */
  get length(): number {
    return this.bytes.length;
  }

  /** The response for the request `requestId` (16 bytes). */
  encode(requestId: Uint8Array): Uint8Array {
    if (requestId.length !== REQUEST_ID_BYTES) {
      throw new ProtocolError('invalid_args', `a cached response needs a ${REQUEST_ID_BYTES}-byte request_id`);
    }
    const out = allocateFramed(this.bytes.length);
    out.set(this.bytes);
    out.set(requestId, this.idAt);
    return out;
  }
}

/**
 * Encodes an error response. A null `requestId` makes a connection-level
 * error (the peer cannot match it to a request; it is sent just before the
 * connection is closed).
 */
export function encodeErrorResponse(
  requestId: Uint8Array | null,
  code: ErrorCode,
  message: string,
  hint?: string,
  details?: ErrorDetails,
): Uint8Array {
  const b = takeBuilder(256);
  const kvs: flatbuffers.Offset[] = [];
  for (const [key, value] of Object.entries(details ?? {})) {
    const k = b.createString(key);
    let v = 0;
    let vs = 0;
    if (typeof value === 'string') {
      v = b.createString(value);
    } else {
      vs = KeyValue.createValuesVector(b, value.map((s) => b.createString(s)));
    }
    kvs.push(KeyValue.createKeyValue(b, k, v, vs));
  }
  const detailsVec = kvs.length > 0 ? IpcError.createDetailsVector(b, kvs) : 0;
  const err = IpcError.createIpcError(
    b,
    b.createString(code),
    b.createString(message),
    hint === undefined ? 0 : b.createString(hint),
    detailsVec,
  );
  const rid = requestId === null ? 0 : b.createByteVector(requestId);
  IpcResponse.startIpcResponse(b);
  IpcResponse.addSchemaVersion(b, SCHEMA_VERSION);
  if (rid !== 0) IpcResponse.addRequestId(b, rid);
  IpcResponse.addOk(b, false);
  IpcResponse.addError(b, err);
  return finishMessage(b, MessageBody.IpcResponse, IpcResponse.endIpcResponse(b));
}

/**
 * Turns a details record of any values into typed ErrorDetails: strings stay,
 * arrays become lists of strings, anything else its String() form (numbers,
 * booleans, bigints) or is dropped (undefined, null).
 */
export function toErrorDetails(details: Readonly<Record<string, unknown>> | undefined): ErrorDetails {
  const out: Record<string, string | readonly string[]> = {};
  for (const [k, v] of Object.entries(details ?? {})) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'string' ? x : String(x)));
    else if (v instanceof Uint8Array) out[k] = bytesToHex(v);
    else out[k] = String(v);
  }
  return out;
}

/**
 * Encodes an error response from anything thrown: an error with a
 * registered `code` (ProtocolError, or core's GriteError with `hint` and
 * `details`) keeps them; anything else becomes `internal_error`.
 */
export function encodeErrorResponseFrom(requestId: Uint8Array | null, error: unknown): Uint8Array {
  if (error instanceof ProtocolError) {
    return encodeErrorResponse(requestId, error.code, error.message, error.hint, error.details);
  }
  const e = error as { code?: unknown; message?: unknown; hint?: unknown; details?: unknown } | null;
  if (e !== null && typeof e === 'object' && isErrorCode(e.code)) {
    return encodeErrorResponse(
      requestId,
      e.code,
      typeof e.message === 'string' ? e.message : String(e.code),
      typeof e.hint === 'string' ? e.hint : undefined,
      typeof e.details === 'object' && e.details !== null ? toErrorDetails(e.details as Record<string, unknown>) : undefined,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return encodeErrorResponse(requestId, 'internal_error', `internal error: ${message}`);
}

/** Encodes a Notification for the stream started by the Subscribe request `requestId`. */
export function encodeNotification(
  requestId: Uint8Array,
  kind: NotificationKindObject | Built<NotificationKind>,
): Uint8Array {
  const b = takeBuilder(128);
  const [type, k] = writeMember(b, kind, NOTIFICATION_TYPES, 'NotificationKind');
  const rid = b.createByteVector(requestId);
  Notification.startNotification(b);
  Notification.addSchemaVersion(b, SCHEMA_VERSION);
  Notification.addRequestId(b, rid);
  Notification.addKindType(b, type);
  Notification.addKind(b, k);
  return finishMessage(b, MessageBody.Notification, Notification.endNotification(b));
}

// ---------------------------------------------------------------- reading

/** The root accessor of a message (no verification). */
export function decodeMessage(bytes: Uint8Array): Message {
  return Message.getRootAsMessage(byteBufferOf(bytes));
}

/** What a message's body is, without decoding further. */
export function messageKind(bytes: Uint8Array): MessageBody {
  return decodeMessage(bytes).bodyType();
}

function body<T>(bytes: Uint8Array, kind: MessageBody, make: () => T, what: string): T {
  const msg = decodeMessage(bytes);
  const got = msg.bodyType();
  const out = got === kind ? (msg.body(make()) as T | null) : null;
  if (out === null) {
    throw new ProtocolError('ipc_error', `expected ${what}, got ${MessageBody[got] ?? `body type ${got}`}`);
  }
  return out;
}

/** The IpcRequest of a (verified) message. */
export function decodeRequest(bytes: Uint8Array): IpcRequest {
  return body(bytes, MessageBody.IpcRequest, () => new IpcRequest(), 'a request');
}

/** The IpcResponse of a message; zero-copy, not verified (same build). */
export function decodeResponse(bytes: Uint8Array): IpcResponse {
  return body(bytes, MessageBody.IpcResponse, () => new IpcResponse(), 'a response');
}

export function decodeNotification(bytes: Uint8Array): Notification {
  return body(bytes, MessageBody.Notification, () => new Notification(), 'a notification');
}

/** The request_id of an encoded request (empty when absent). */
export function requestIdOf(requestBytes: Uint8Array): Uint8Array {
  return decodeRequest(requestBytes).requestIdArray() ?? new Uint8Array(0);
}

/** The details of an IpcError as ErrorDetails (see KeyValue in the schema). */
export function readErrorDetails(err: IpcError): ErrorDetails {
  const out: Record<string, string | readonly string[]> = {};
  const kv = new KeyValue();
  for (let i = 0, n = err.detailsLength(); i < n; i++) {
    const d = err.details(i, kv);
    const key = d?.key();
    if (d === null || key === null || key === undefined) continue;
    const value = d.value();
    if (value !== null) {
      out[key] = value;
    } else {
      const list: string[] = [];
      for (let j = 0, m = d.valuesLength(); j < m; j++) list.push(d.values(j));
      out[key] = list;
    }
  }
  return out;
}

/**
 * The error of a response as a ProtocolError, or null when it is ok. A code
 * this build does not know (a newer peer) becomes `internal_error`, keeping
 * the peer's code in details.remote_code.
 */
export function responseError(resp: IpcResponse): ProtocolError | null {
  if (resp.ok()) return null;
  const err = resp.error();
  if (err === null) return new ProtocolError('ipc_error', 'error response without an error');
  const code = err.code() ?? '';
  const details = readErrorDetails(err);
  const hint = err.hint() ?? undefined;
  const message = err.message() ?? code;
  if (isErrorCode(code)) return new ProtocolError(code, message, { hint, details });
  return new ProtocolError('internal_error', message, { hint, details: { ...details, remote_code: code } });
}

// ---------------------------------------------------------------- ids

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array | null | undefined): string {
  if (!bytes) return '';
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/**
 * A compact Map key for a request id: 16-byte ids (the norm) pack two bytes
 * per UTF-16 unit; other lengths use hex behind a marker, so keys of the two
 * forms never collide.
 */
export function requestIdKey(id: Uint8Array | null | undefined): string {
  if (!id || id.length === 0) return '';
  if (id.length !== REQUEST_ID_BYTES) return `h${bytesToHex(id)}`;
  return packKey(id, 0);
}

function packKey(b: Uint8Array, p: number): string {
  return String.fromCharCode(
    b[p]! | (b[p + 1]! << 8), b[p + 2]! | (b[p + 3]! << 8), b[p + 4]! | (b[p + 5]! << 8), b[p + 6]! | (b[p + 7]! << 8),
    b[p + 8]! | (b[p + 9]! << 8), b[p + 10]! | (b[p + 11]! << 8), b[p + 12]! | (b[p + 13]! << 8), b[p + 14]! | (b[p + 15]! << 8),
  );
}

function vtOf(table: string, field: string): number {
  const f = OBJECTS.find((o) => o.name === table)?.fields.find((x) => x.name === field);
  if (f === undefined) throw new Error(`schema layout lacks ${table}.${field}`);
  return f.vt;
}
const REQUEST_ID_VT = vtOf('IpcRequest', 'request_id');
const RESPONSE_ID_VT = vtOf('IpcResponse', 'request_id');

/** requestIdKey of the id vector at vtable slot `vt` of a table, read in place. */
function idKeyIn(bb: flatbuffers.ByteBuffer, table: number, vt: number): string {
  const o = bb.__offset(table, vt);
  if (o === 0) return '';
  const start = bb.__vector(table + o);
  const n = bb.__vector_len(table + o);
  const bytes = bb.bytes();
  return n === REQUEST_ID_BYTES ? packKey(bytes, start) : requestIdKey(bytes.subarray(start, start + n));
}

/** requestIdKey(requestIdOf(message)), without making a view of the id. */
export function requestKeyOf(requestBytes: Uint8Array): string {
  const req = decodeRequest(requestBytes);
  return idKeyIn(req.bb!, req.bb_pos, REQUEST_ID_VT);
}

/** requestIdKey of a response's request_id, without making a view of it. */
export function responseKeyOf(resp: IpcResponse): string {
  return idKeyIn(resp.bb!, resp.bb_pos, RESPONSE_ID_VT);
}

/** Bytes of an even-length hex string; throws invalid_args on other input. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new ProtocolError('invalid_args', `not a hex string: ${JSON.stringify(hex)}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
