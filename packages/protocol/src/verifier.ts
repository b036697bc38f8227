/**
 * A FlatBuffers verifier for grite's `Message`, driven by the schema layout
 * that codegen reads from flatc's binary schema (generated/schema-layout.ts),
 * so it follows schema/grite.fbs and cannot drift from it. The TypeScript
 * FlatBuffers runtime has none; the daemon runs this on every request before
 * any accessor touches the bytes.
 *
 * The format it checks (all integers little-endian, offsets relative to the
 * start of `bytes`):
 *   buffer  := uoffset32 root, [4-byte file identifier], ...
 *   table   := soffset32 (table - vtable) at the table start, then fields;
 *   vtable  := u16 vtable size, u16 table size, u16 field offsets (0 = absent)
 *   offset fields (string, vector, table, union value) hold a uoffset32
 *             relative to the field's own position, pointing forward;
 *   string  := u32 length, bytes, NUL;  vector := u32 count, elements;
 *   union   := a u8 type field (0 = NONE) plus an offset field to a table.
 * Checked: the size limit; the root offset in bounds and aligned; the file
 * identifier; every table's vtable in bounds, aligned and well formed; every
 * present field inside its table and the buffer, aligned to its size; every
 * string's length and NUL terminator in bounds; every vector's count times
 * element size in bounds, with each string or table element checked in turn;
 * nested tables; union type values known and their table checked; required
 * fields present; a nesting depth limit and a limit on objects visited
 * (which also bounds the work for buffers whose offsets share one target).
 * Not checked: UTF-8 validity of strings (accessors decode leniently), enum
 * values out of range (readers treat them as unknown), padding contents.
 */
import { ProtocolError } from './errors.js';
import {
  FieldKind,
  FILE_IDENTIFIER,
  OBJECTS,
  ROOT_OBJECT,
  UNIONS,
  type FieldLayout,
  type ObjectLayout,
} from './generated/schema-layout.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_OBJECTS = 1_000_000;

export interface VerifyOptions {
  /** Largest buffer accepted (default 16 MiB; never above 2^31 - 1). */
  maxBytes?: number;
  /** Deepest table nesting accepted, the root being depth 1 (default 64). */
  maxDepth?: number;
  /** Most tables, vectors and strings visited (default 1,000,000). */
  maxObjects?: number;
}

export type VerifyResult = { ok: true } | { ok: false; error: ProtocolError };

/** Thrown inside the walk; turned into a ProtocolError at the entry point. */
class Fail {
  readonly path: string[] = [];
  constructor(
    readonly what: string,
    readonly at: number,
  ) {}
}

const FLATBUFFERS_MAX_SIZE = 0x7fffffff;

/** Union index -> (type value -> object index). */
const UNION_MEMBERS: readonly ReadonlyMap<number, number>[] = UNIONS.map((u) => new Map(u.members));

class Walk {
  private objects = 0;
  private readonly len: number;

  constructor(
    private readonly b: Uint8Array,
    private readonly maxDepth: number,
    private readonly maxObjects: number,
  ) {
    this.len = b.length;
  }

  u16(p: number): number {
    return this.b[p]! | (this.b[p + 1]! << 8);
  }

  u32(p: number): number {
    const b = this.b;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  i32(p: number): number {
    const b = this.b;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  count(at: number): void {
    if (++this.objects > this.maxObjects) throw new Fail(`more than ${this.maxObjects} objects`, at);
  }

  /** Follows the uoffset stored at `p` (already bounds-checked, aligned). */
  deref(p: number): number {
    const o = this.u32(p);
    if (o === 0 || o >= FLATBUFFERS_MAX_SIZE) throw new Fail('offset is zero or too large', p);
    const target = p + o;
    if (target >= this.len) throw new Fail('offset points outside the buffer', p);
    return target;
  }

  // Results of header(), read right after each call (no array allocation).
  hVt = 0;
  hVtSize = 0;
  hTSize = 0;

  /**
   * Checks a table's header and vtable; leaves vtable position, vtable size
   * and table size in hVt, hVtSize, hTSize. Shared by the full walk and
   * `salvageRequestId`.
   */
  header(pos: number): void {
    if ((pos & 3) !== 0) throw new Fail('table is not 4-byte aligned', pos);
    if (pos + 4 > this.len) throw new Fail('table lies outside the buffer', pos);
    const vt = pos - this.i32(pos);
    if (vt < 0 || vt + 4 > this.len) throw new Fail('vtable lies outside the buffer', pos);
    if ((vt & 1) !== 0) throw new Fail('vtable is not 2-byte aligned', vt);
    const vtSize = this.u16(vt);
    if (vtSize < 4 || (vtSize & 1) !== 0) throw new Fail(`bad vtable size ${vtSize}`, vt);
    if (vt + vtSize > this.len) throw new Fail('vtable runs past the end of the buffer', vt);
    const tSize = this.u16(vt + 2);
    if (tSize < 4) throw new Fail(`bad table size ${tSize}`, vt);
    if (pos + tSize > this.len) throw new Fail('table runs past the end of the buffer', pos);
    this.hVt = vt;
    this.hVtSize = vtSize;
    this.hTSize = tSize;
  }

  /** Position of a present field of `inline` bytes, or -1 when absent. */
  field(pos: number, vt: number, vtSize: number, tSize: number, f: FieldLayout, inline: number, align: number): number {
    if (f.vt + 2 > vtSize) return -1;
    const fo = this.u16(vt + f.vt);
    if (fo === 0) return -1;
    if (fo < 4 || fo + inline > tSize) throw new Fail(`field ${f.name} lies outside its table`, pos);
    const p = pos + fo;
    if (align > 1 && p % align !== 0) throw new Fail(`field ${f.name} is not ${align}-byte aligned`, p);
    return p;
  }

  table(pos: number, obj: ObjectLayout, depth: number): void {
    if (depth > this.maxDepth) throw new Fail(`nesting deeper than ${this.maxDepth}`, pos);
    this.count(pos);
    this.header(pos);
    const vt = this.hVt;
    const vtSize = this.hVtSize;
    const tSize = this.hTSize;
    const fields = obj.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      try {
        this.one(pos, vt, vtSize, tSize, f, depth);
      } catch (e) {
        if (e instanceof Fail) e.path.unshift(f.name);
        throw e;
      }
    }
  }

  private one(pos: number, vt: number, vtSize: number, tSize: number, f: FieldLayout, depth: number): void {
    let p: number;
    switch (f.kind) {
      case FieldKind.Scalar:
      case FieldKind.UnionType:
        p = this.field(pos, vt, vtSize, tSize, f, f.size, f.size);
        break;
      case FieldKind.Struct:
        p = this.field(pos, vt, vtSize, tSize, f, f.size, f.aux);
        break;
      case FieldKind.String:
        p = this.field(pos, vt, vtSize, tSize, f, 4, 4);
        if (p >= 0) this.string(this.deref(p));
        break;
      case FieldKind.Table:
        p = this.field(pos, vt, vtSize, tSize, f, 4, 4);
        if (p >= 0) this.table(this.deref(p), OBJECTS[f.ref]!, depth + 1);
        break;
      case FieldKind.UnionValue:
        p = this.field(pos, vt, vtSize, tSize, f, 4, 4);
        this.union(pos, vt, vtSize, tSize, f, p, depth);
        break;
      case FieldKind.VectorScalar:
      case FieldKind.VectorStruct:
        p = this.field(pos, vt, vtSize, tSize, f, 4, 4);
        if (p >= 0) this.vector(this.deref(p), f.size);
        break;
      case FieldKind.VectorString:
      case FieldKind.VectorTable: {
        p = this.field(pos, vt, vtSize, tSize, f, 4, 4);
        if (p < 0) break;
        const v = this.deref(p);
        const n = this.vector(v, 4);
        const elem = f.kind === FieldKind.VectorTable ? OBJECTS[f.ref]! : null;
        for (let i = 0; i < n; i++) {
          const at = v + 4 + 4 * i;
          try {
            if (elem === null) this.string(this.deref(at));
            else this.table(this.deref(at), elem, depth + 1);
          } catch (e) {
            if (e instanceof Fail) e.path.unshift(`[${i}]`);
            throw e;
          }
        }
        break;
      }
      default:
        throw new Fail(`unknown field kind ${String(f.kind)}`, pos);
    }
    if (p < 0 && f.required) throw new Fail(`required field ${f.name} is missing`, pos);
  }

  private union(pos: number, vt: number, vtSize: number, tSize: number, f: FieldLayout, p: number, depth: number): void {
    // The type field was (or will be) checked as a UnionType scalar; read it
    // here with the same bounds checks.
    let type = 0;
    if (f.aux + 2 <= vtSize) {
      const fo = this.u16(vt + f.aux);
      if (fo !== 0) {
        if (fo < 4 || fo + 1 > tSize) throw new Fail(`union type of ${f.name} lies outside its table`, pos);
        type = this.b[pos + fo]!;
      }
    }
    if (type === 0) return;
    const member = UNION_MEMBERS[f.ref]!.get(type);
    if (member === undefined) {
      throw new Fail(`unknown ${UNIONS[f.ref]!.name} type ${type}`, pos);
    }
    if (p < 0) return;
    const obj = OBJECTS[member]!;
    try {
      this.table(this.deref(p), obj, depth + 1);
    } catch (e) {
      if (e instanceof Fail) e.path.unshift(`<${obj.name}>`);
      throw e;
    }
  }

  string(p: number): void {
    this.count(p);
    if ((p & 3) !== 0) throw new Fail('string is not 4-byte aligned', p);
    if (p + 4 > this.len) throw new Fail('string length lies outside the buffer', p);
    const n = this.u32(p);
    const end = p + 4 + n;
    if (end + 1 > this.len) throw new Fail(`string of ${n} bytes runs past the end of the buffer`, p);
    if (this.b[end] !== 0) throw new Fail('string lacks its NUL terminator', end);
  }

  /** Checks a vector's bounds; returns its element count. */
  vector(p: number, elemSize: number): number {
    this.count(p);
    if ((p & 3) !== 0) throw new Fail('vector is not 4-byte aligned', p);
    if (p + 4 > this.len) throw new Fail('vector length lies outside the buffer', p);
    const n = this.u32(p);
    if (p + 4 + n * elemSize > this.len) throw new Fail(`vector of ${n} elements runs past the end of the buffer`, p);
    return n;
  }
}

function failure(e: Fail): ProtocolError {
  const path = [OBJECTS[ROOT_OBJECT]!.name, ...e.path].join('.').replace(/\.(\[|<)/g, '$1');
  return new ProtocolError('ipc_error', `invalid message: ${path}: ${e.what} (byte ${e.at})`, {
    hint: 'the peer sent a malformed or incompatible message; check that client and daemon are the same build',
    details: { path, offset: String(e.at), reason: e.what },
  });
}

function simple(what: string, at = 0): ProtocolError {
  return failure(new Fail(what, at));
}

/**
 * Verifies that `bytes` is a well-formed `Message` of this schema. Never
 * throws: every problem, including ones this walk did not foresee, comes back
 * as a ProtocolError with code `ipc_error`.
 */
export function verifyMessage(bytes: Uint8Array, opts: VerifyOptions = {}): VerifyResult {
  const maxBytes = Math.min(opts.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES, FLATBUFFERS_MAX_SIZE);
  if (!(bytes instanceof Uint8Array)) return { ok: false, error: simple('not a byte buffer') };
  if (bytes.length > maxBytes) {
    return { ok: false, error: simple(`message of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit`) };
  }
  const minLen = FILE_IDENTIFIER === null ? 4 : 8;
  if (bytes.length < minLen) {
    return { ok: false, error: simple(`message of ${bytes.length} bytes is too short`) };
  }
  if (FILE_IDENTIFIER !== null) {
    for (let i = 0; i < 4; i++) {
      if (bytes[4 + i] !== FILE_IDENTIFIER.charCodeAt(i)) {
        return { ok: false, error: simple(`file identifier is not ${FILE_IDENTIFIER}`, 4) };
      }
    }
  }
  const walk = new Walk(bytes, opts.maxDepth ?? DEFAULT_MAX_DEPTH, opts.maxObjects ?? DEFAULT_MAX_OBJECTS);
  try {
    const root = walk.u32(0);
    if (root >= bytes.length) throw new Fail('root offset points outside the buffer', 0);
    walk.table(root, OBJECTS[ROOT_OBJECT]!, 1);
    return { ok: true };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: failure(e) };
    // A defect in this walk must still not escape as a crash of the caller.
    return {
      ok: false,
      error: new ProtocolError('ipc_error', `invalid message: verifier failed: ${String(e)}`, { cause: e }),
    };
  }
}

/** Like verifyMessage, but throws the ProtocolError. */
export function assertValidMessage(bytes: Uint8Array, opts: VerifyOptions = {}): void {
  const r = verifyMessage(bytes, opts);
  if (!r.ok) throw r.error;
}

function fieldLayout(obj: string, name: string): FieldLayout {
  const o = OBJECTS.find((x) => x.name === obj);
  const f = o?.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`schema layout lacks ${obj}.${name}`);
  return f;
}

const MESSAGE_BODY = fieldLayout('Message', 'body');
const REQUEST_ID = fieldLayout('IpcRequest', 'request_id');
const REQUEST_MEMBER = (() => {
  const requestIndex = OBJECTS.findIndex((o) => o.name === 'IpcRequest');
  const entry = UNIONS[MESSAGE_BODY.ref]!.members.find(([, o]) => o === requestIndex);
  if (entry === undefined) throw new Error('schema layout: MessageBody lacks IpcRequest');
  return entry[0];
})();

/**
 * Reads the request_id of a message that may have failed verification, so
 * the server can still answer it with an error. Checks the bounds of exactly
 * what it reads (root, body type, request table, request_id vector) and
 * returns null when any of it is malformed or the body is not a request.
 */
export function salvageRequestId(bytes: Uint8Array): Uint8Array | null {
  if (!(bytes instanceof Uint8Array) || bytes.length < 8 || bytes.length > FLATBUFFERS_MAX_SIZE) return null;
  const walk = new Walk(bytes, 2, 16);
  try {
    const root = walk.u32(0);
    if (root >= bytes.length) return null;
    walk.header(root);
    const vt = walk.hVt;
    const vtSize = walk.hVtSize;
    const tSize = walk.hTSize;
    // Union type, then its value.
    const typeField = { ...MESSAGE_BODY, name: 'body_type', vt: MESSAGE_BODY.aux };
    const tp = walk.field(root, vt, vtSize, tSize, typeField, 1, 1);
    if (tp < 0 || bytes[tp] !== REQUEST_MEMBER) return null;
    const bp = walk.field(root, vt, vtSize, tSize, MESSAGE_BODY, 4, 4);
    if (bp < 0) return null;
    const req = walk.deref(bp);
    walk.header(req);
    const rvt = walk.hVt;
    const rvtSize = walk.hVtSize;
    const rtSize = walk.hTSize;
    const ip = walk.field(req, rvt, rvtSize, rtSize, REQUEST_ID, 4, 4);
    if (ip < 0) return null;
    const v = walk.deref(ip);
    const n = walk.vector(v, 1);
    return bytes.slice(v + 4, v + 4 + n);
  } catch {
    return null;
  }
}
