/**
 * Event ids (grite WAL v1, DESIGN.md section 2):
 *
 *   event_id = BLAKE2b-256( canonical CBOR of
 *                [1, issue_id bstr16, actor bstr16, ts_unix_ms uint, parent bstr32 or null,
 *                 kind_tag uint, kind_payload] )
 *
 * The leading 1 is the preimage version. The payload is hashed with labels
 * and symbols sorted; the signature is never part of the preimage.
 */
import { GriteError } from '../errors.js';
import { kindTag, type Event, type EventKind } from '../event.js';
import { blake2b256 } from './blake2b.js';
import { CborWriter } from './cbor.js';
import { bytesEqual, toHex } from './hex.js';
import { normalizeKind, writeKindPayload } from './kind.js';

export const PREIMAGE_VERSION = 1;

function checkIds(issueId: Uint8Array, actor: Uint8Array, ts: number, parent: Uint8Array | null): void {
  if (!(issueId instanceof Uint8Array) || issueId.length !== 16) {
    throw new GriteError('invalid_args', 'issue_id must be 16 bytes');
  }
  if (!(actor instanceof Uint8Array) || actor.length !== 16) {
    throw new GriteError('invalid_args', 'actor must be 16 bytes');
  }
  if (!Number.isSafeInteger(ts) || ts < 0) {
    throw new GriteError('invalid_args', `ts must be unix milliseconds (an unsigned safe integer), got ${ts}`);
  }
  if (parent !== null && (!(parent instanceof Uint8Array) || parent.length !== 32)) {
    throw new GriteError('invalid_args', 'parent must be 32 bytes or null');
  }
}

const preimageWriter = new CborWriter(256);

/** Append the preimage's head and fields up to (not including) the payload. */
function writePreimageHead(w: CborWriter, issueId: Uint8Array, actor: Uint8Array, ts: number, parent: Uint8Array | null, tag: number): void {
  w.array(7).uint(PREIMAGE_VERSION).bstr(issueId).bstr(actor).uint(ts);
  if (parent === null) w.null();
  else w.bstr(parent);
  w.uint(tag);
}

/** The canonical CBOR preimage of an event id. */
export function eventIdPreimage(
  issueId: Uint8Array,
  actor: Uint8Array,
  ts: number,
  parent: Uint8Array | null,
  kind: EventKind,
): Uint8Array {
  checkIds(issueId, actor, ts, parent);
  const w = preimageWriter;
  writePreimageHead(w, issueId, actor, ts, parent, kindTag(kind));
  try {
    writeKindPayload(w, kind);
  } catch (e) {
    w.finish();
    throw e;
  }
  return w.finish();
}

/** BLAKE2b-256 of the event's canonical preimage. Throws GriteError('invalid_args') on malformed fields. */
export function computeEventId(
  issueId: Uint8Array,
  actor: Uint8Array,
  ts: number,
  parent: Uint8Array | null,
  kind: EventKind,
): Uint8Array {
  return blake2b256(eventIdPreimage(issueId, actor, ts, parent, kind));
}

export interface NewEvent {
  issueId: Uint8Array;
  actor: Uint8Array;
  ts: number;
  parent?: Uint8Array | null;
  kind: EventKind;
  sig?: Uint8Array | null;
}

/** A new event with its id computed and its payload in canonical order. */
export function createEvent(e: NewEvent): Event {
  const kind = normalizeKind(e.kind);
  const parent = e.parent ?? null;
  return {
    eventId: computeEventId(e.issueId, e.actor, e.ts, parent, kind),
    issueId: e.issueId,
    actor: e.actor,
    ts: e.ts,
    parent,
    kind,
    sig: e.sig ?? null,
  };
}

/** True when `event.eventId` is the id of its content. Malformed events are false, never a throw. */
export function verifyEventId(event: Event): boolean {
  try {
    return bytesEqual(event.eventId, computeEventId(event.issueId, event.actor, event.ts, event.parent, event.kind));
  } catch (e) {
    if (e instanceof GriteError) return false;
    throw e;
  }
}

/** Throws GriteError('invalid_args') naming the event unless its id matches its content. */
export function assertEventId(event: Event): void {
  if (!(event.eventId instanceof Uint8Array) || event.eventId.length !== 32) {
    throw new GriteError('invalid_args', 'event_id must be 32 bytes');
  }
  const id = computeEventId(event.issueId, event.actor, event.ts, event.parent, event.kind);
  if (!bytesEqual(id, event.eventId)) {
    throw new GriteError('invalid_args', `event ${toHex(event.eventId)} does not match its content (computed ${toHex(id)})`, {
      details: { event_id: toHex(event.eventId), computed: toHex(id) },
    });
  }
}
