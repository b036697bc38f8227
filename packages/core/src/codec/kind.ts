/**
 * Event kind payloads (grite WAL v1, DESIGN.md section 2). Each kind is a tag
 * and a canonical CBOR array:
 *
 * | tag   | kind                    | payload                                          |
 * |-------|-------------------------|--------------------------------------------------|
 * | 1     | IssueCreated            | [title, body, labels]                            |
 * | 2     | IssueUpdated            | [title or null, body or null]                    |
 * | 3     | CommentAdded            | [body]                                           |
 * | 4 / 5 | LabelAdded / Removed    | [label]                                          |
 * | 6     | StateChanged            | ["open" or "closed"]                             |
 * | 7     | LinkAdded               | [url, note or null]                              |
 * | 8 / 9 | AssigneeAdded / Removed | [user]                                           |
 * | 10    | AttachmentAdded         | [name, sha256 bstr32, mime]                      |
 * | 11/12 | DependencyAdded/Removed | [target issue_id bstr16, "blocks" / "depends_on" / "related_to"] |
 * | 13    | ContextUpdated          | [path, language, symbols, summary, content_hash bstr32], symbol = [name, kind, line_start, line_end] |
 * | 14    | ProjectContextUpdated   | [key, value]                                     |
 *
 * Labels are sorted by their UTF-8 bytes (duplicates kept) and symbols by
 * (name bytes, kind bytes): payloads are hashed and stored that way, and
 * `normalizeKind` returns the kind in that order. Any other tag is `Unknown`:
 * its payload is kept as its canonical CBOR bytes and written back intact.
 */
import { GriteError } from '../errors.js';
import { KIND_TAGS, type ContextSymbol, type DepType, type EventKind } from '../event.js';
import { CborRaw, CborReader, CborWriter, encodeCbor, type CborValue } from './cbor.js';
import { compareBytes } from './hex.js';

const textEncoder = new TextEncoder();

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Compare two strings by their UTF-8 bytes (not UTF-16 code units). */
export function compareUtf8(a: string, b: string): number {
  // ASCII strings compare the same way as JS strings; others differ past the BMP.
  if (isAscii(a) && isAscii(b)) return a < b ? -1 : a > b ? 1 : 0;
  return compareBytes(textEncoder.encode(a), textEncoder.encode(b));
}

function labelsSorted(labels: readonly string[]): boolean {
  for (let i = 1; i < labels.length; i++) if (compareUtf8(labels[i - 1]!, labels[i]!) > 0) return false;
  return true;
}

function compareSymbols(a: ContextSymbol, b: ContextSymbol): number {
  return compareUtf8(a.name, b.name) || compareUtf8(a.kind, b.kind);
}

function symbolsSorted(symbols: readonly ContextSymbol[]): boolean {
  for (let i = 1; i < symbols.length; i++) if (compareSymbols(symbols[i - 1]!, symbols[i]!) > 0) return false;
  return true;
}

/** The kind with its labels / symbols in canonical order (the same object when already so). */
export function normalizeKind(kind: EventKind): EventKind {
  if (kind.type === 'IssueCreated' && !labelsSorted(kind.labels)) {
    return { ...kind, labels: [...kind.labels].sort(compareUtf8) };
  }
  if (kind.type === 'ContextUpdated' && !symbolsSorted(kind.symbols)) {
    // Array.prototype.sort is stable: equal (name, kind) keep their order.
    return { ...kind, symbols: [...kind.symbols].sort(compareSymbols) };
  }
  return kind;
}

function checkLength(what: string, b: Uint8Array, n: number): void {
  if (!(b instanceof Uint8Array) || b.length !== n) {
    throw new GriteError('invalid_args', `${what} must be ${n} bytes`);
  }
}

function checkLine(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new GriteError('invalid_args', `symbol line must be an unsigned integer, got ${n}`);
}

/**
 * Append the kind's payload (sorted) to `w`. Validates what the format fixes
 * (byte lengths, state and dependency names) and throws GriteError('invalid_args').
 */
export function writeKindPayload(w: CborWriter, kind: EventKind): void {
  switch (kind.type) {
    case 'IssueCreated': {
      const labels = labelsSorted(kind.labels) ? kind.labels : [...kind.labels].sort(compareUtf8);
      w.array(3).text(kind.title).text(kind.body).array(labels.length);
      for (const l of labels) w.text(l);
      return;
    }
    case 'IssueUpdated':
      w.array(2);
      if (kind.title === null) w.null();
      else w.text(kind.title);
      if (kind.body === null) w.null();
      else w.text(kind.body);
      return;
    case 'CommentAdded':
      w.array(1).text(kind.body);
      return;
    case 'LabelAdded':
    case 'LabelRemoved':
      w.array(1).text(kind.label);
      return;
    case 'StateChanged':
      if (kind.state !== 'open' && kind.state !== 'closed') {
        throw new GriteError('invalid_args', `state must be "open" or "closed", got ${JSON.stringify(kind.state)}`);
      }
      w.array(1).text(kind.state);
      return;
    case 'LinkAdded':
      w.array(2).text(kind.url);
      if (kind.note === null) w.null();
      else w.text(kind.note);
      return;
    case 'AssigneeAdded':
    case 'AssigneeRemoved':
      w.array(1).text(kind.user);
      return;
    case 'AttachmentAdded':
      checkLength('attachment sha256', kind.sha256, 32);
      w.array(3).text(kind.name).bstr(kind.sha256).text(kind.mime);
      return;
    case 'DependencyAdded':
    case 'DependencyRemoved':
      checkLength('dependency target', kind.target, 16);
      if (!DEP_TYPES.has(kind.depType)) {
        throw new GriteError('invalid_args', `dependency type must be blocks, depends_on or related_to, got ${JSON.stringify(kind.depType)}`);
      }
      w.array(2).bstr(kind.target).text(kind.depType);
      return;
    case 'ContextUpdated': {
      checkLength('context content_hash', kind.contentHash, 32);
      const symbols = symbolsSorted(kind.symbols) ? kind.symbols : [...kind.symbols].sort(compareSymbols);
      w.array(5).text(kind.path).text(kind.language).array(symbols.length);
      for (const s of symbols) {
        checkLine(s.lineStart);
        checkLine(s.lineEnd);
        w.array(4).text(s.name).text(s.kind).uint(s.lineStart).uint(s.lineEnd);
      }
      w.text(kind.summary).bstr(kind.contentHash);
      return;
    }
    case 'ProjectContextUpdated':
      w.array(2).text(kind.key).text(kind.value);
      return;
    case 'Unknown':
      if (!Number.isSafeInteger(kind.tag) || kind.tag < 0 || KNOWN_TAGS.has(kind.tag)) {
        throw new GriteError('invalid_args', `an Unknown kind cannot carry tag ${kind.tag}`);
      }
      w.bytes(kind.payloadCbor);
      return;
  }
}

const DEP_TYPES: ReadonlySet<string> = new Set<DepType>(['blocks', 'depends_on', 'related_to']);
const KNOWN_TAGS: ReadonlySet<number> = new Set(Object.values(KIND_TAGS));

/** Canonical CBOR bytes of the kind's payload (labels and symbols sorted). */
export function encodeKindPayload(kind: EventKind): Uint8Array {
  const w = new CborWriter(64);
  writeKindPayload(w, kind);
  return w.finish();
}

function bad(tag: number, message: string): never {
  throw new GriteError('wal_error', `bad payload for kind tag ${tag}: ${message}`, { details: { tag } });
}

/**
 * Read a payload of `tag` at the reader's position (the reader moves past it).
 * Payloads of unknown tags are read as any canonical CBOR item and kept raw.
 * Throws GriteError('wal_error') when the payload does not have its kind's shape.
 */
export function readKind(r: CborReader, tag: number): EventKind {
  const start = r.pos;
  if (!KNOWN_TAGS.has(tag)) {
    const raw = r.readRaw();
    return { type: 'Unknown', tag, payloadCbor: raw.slice() };
  }
  const n = r.readArray();
  const want = (k: number): void => {
    if (n !== k) bad(tag, `expected an array of ${k} items, got ${n} (offset ${start})`);
  };
  switch (tag) {
    case 1: {
      want(3);
      const title = r.readText();
      const body = r.readText();
      const count = r.readArray();
      const labels: string[] = [];
      for (let i = 0; i < count; i++) labels.push(r.readText());
      if (!labelsSorted(labels)) labels.sort(compareUtf8);
      return { type: 'IssueCreated', title, body, labels };
    }
    case 2: {
      want(2);
      const title = r.readTextOrNull();
      const body = r.readTextOrNull();
      return { type: 'IssueUpdated', title, body };
    }
    case 3:
      want(1);
      return { type: 'CommentAdded', body: r.readText() };
    case 4:
      want(1);
      return { type: 'LabelAdded', label: r.readText() };
    case 5:
      want(1);
      return { type: 'LabelRemoved', label: r.readText() };
    case 6: {
      want(1);
      const state = r.readText();
      if (state !== 'open' && state !== 'closed') bad(tag, `unknown state ${JSON.stringify(state)}`);
      return { type: 'StateChanged', state };
    }
    case 7: {
      want(2);
      const url = r.readText();
      return { type: 'LinkAdded', url, note: r.readTextOrNull() };
    }
    case 8:
      want(1);
      return { type: 'AssigneeAdded', user: r.readText() };
    case 9:
      want(1);
      return { type: 'AssigneeRemoved', user: r.readText() };
    case 10: {
      want(3);
      const name = r.readText();
      const sha256 = r.readBytes();
      if (sha256.length !== 32) bad(tag, `sha256 must be 32 bytes, got ${sha256.length}`);
      return { type: 'AttachmentAdded', name, sha256, mime: r.readText() };
    }
    case 11:
    case 12: {
      want(2);
      const target = r.readBytes();
      if (target.length !== 16) bad(tag, `target must be 16 bytes, got ${target.length}`);
      const depType = r.readText();
      if (!DEP_TYPES.has(depType)) bad(tag, `unknown dependency type ${JSON.stringify(depType)}`);
      return { type: tag === 11 ? 'DependencyAdded' : 'DependencyRemoved', target, depType: depType as DepType };
    }
    case 13: {
      want(5);
      const path = r.readText();
      const language = r.readText();
      const count = r.readArray();
      const symbols: ContextSymbol[] = [];
      for (let i = 0; i < count; i++) {
        if (r.readArray() !== 4) bad(tag, 'a symbol must be [name, kind, line_start, line_end]');
        const name = r.readText();
        const kind = r.readText();
        const lineStart = r.readUint();
        const lineEnd = r.readUint();
        symbols.push({ name, kind, lineStart, lineEnd });
      }
      if (!symbolsSorted(symbols)) symbols.sort(compareSymbols);
      const summary = r.readText();
      const contentHash = r.readBytes();
      if (contentHash.length !== 32) bad(tag, `content_hash must be 32 bytes, got ${contentHash.length}`);
      return { type: 'ContextUpdated', path, language, symbols, summary, contentHash };
    }
    default: {
      // 14
      want(2);
      const key = r.readText();
      return { type: 'ProjectContextUpdated', key, value: r.readText() };
    }
  }
}

/**
 * Decode a kind from its tag and payload, given either as canonical CBOR bytes
 * (exactly one item; a Uint8Array is always taken as encoded bytes, never as a
 * decoded byte string) or as an already-decoded value (an array, a CborRaw).
 * Throws GriteError('wal_error').
 */
export function decodeKind(tag: number, payload: Uint8Array | CborValue): EventKind {
  if (!Number.isSafeInteger(tag) || tag < 0) {
    throw new GriteError('wal_error', `bad kind tag ${String(tag)}`, { details: { tag } });
  }
  const bytes = payload instanceof Uint8Array ? payload : payload instanceof CborRaw ? payload.bytes : encodeCborStrict(payload);
  const r = new CborReader(bytes);
  const kind = readKind(r, tag);
  if (!r.done) bad(tag, 'trailing bytes after the payload');
  return kind;
}

function encodeCborStrict(v: CborValue): Uint8Array {
  try {
    return encodeCbor(v);
  } catch (e) {
    throw new GriteError('wal_error', `payload is not canonical CBOR: ${(e as Error).message}`, { cause: e });
  }
}

/** The payload as a CBOR item (raw bytes) for embedding in a larger array. */
export function kindPayloadItem(kind: EventKind): CborRaw {
  return new CborRaw(encodeKindPayload(kind));
}
