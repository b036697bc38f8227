/**
 * Sample messages for the round-trip, verifier and fuzz tests, made from the
 * schema layout: every field of every table gets a non-default value, so a
 * round trip checks every field, and a field added to the schema is covered
 * without editing this file.
 */
import { FieldKind, OBJECTS, UNIONS, type ObjectLayout } from '../src/generated/schema-layout.js';
import {
  encodeNotification,
  encodeRequest,
  encodeResponse,
  IPC_COMMAND_MEMBERS,
  IPC_RESULT_MEMBERS,
  NOTIFICATION_KIND_MEMBERS,
  TABLE_CLASSES,
  type IpcCommandObject,
  type IpcResultObject,
  type NotificationKindObject,
} from '../src/index.js';

function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Deterministic bytes so runs compare equal. */
function bytes(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

export interface FillOptions {
  /** For union fields: which member (type value) to use, by union name. */
  pick?: (unionName: string, depth: number) => number;
  /** Elements per vector of tables. */
  vectorLength?: number;
}

let seedCounter = 1;

/** An object-API value of table `name` with every field set. */
export function fill(name: string, opts: FillOptions = {}, depth = 0): object {
  const cls = TABLE_CLASSES[name];
  const layout = OBJECTS.find((o) => o.name === name);
  if (!cls || !layout) throw new Error(`no table ${name}`);
  const obj = new cls.objectClass() as unknown as Record<string, unknown>;
  fillInto(obj, layout, opts, depth);
  return obj;
}

function fillInto(obj: Record<string, unknown>, layout: ObjectLayout, opts: FillOptions, depth: number): void {
  const n = opts.vectorLength ?? 2;
  for (const f of layout.fields) {
    const prop = camel(f.name);
    if (!(prop in obj)) throw new Error(`${layout.name}: object API lacks ${prop} for field ${f.name}`);
    const seed = seedCounter++;
    switch (f.kind) {
      case FieldKind.Scalar: {
        const cur = obj[prop];
        if (typeof cur === 'boolean') obj[prop] = !cur;
        else if (f.size === 8) obj[prop] = 1_700_000_000_000n + BigInt(seed);
        else obj[prop] = 1; // valid for every enum, bool-free scalar and size
        break;
      }
      case FieldKind.UnionType:
        break; // set with its value
      case FieldKind.String:
        obj[prop] = `${f.name}-${seed}-é✓`;
        break;
      case FieldKind.VectorScalar:
        if (f.size !== 1) throw new Error('samples only know byte vectors');
        obj[prop] = bytes(f.name.includes('event') || f.name.includes('sha') || f.name.includes('hash') ? 32 : 16, seed);
        break;
      case FieldKind.VectorString:
        obj[prop] = Array.from({ length: n }, (_, i) => `${f.name}-${seed}-${i}`);
        break;
      case FieldKind.Table:
        obj[prop] = fill(OBJECTS[f.ref]!.name, opts, depth + 1);
        break;
      case FieldKind.VectorTable:
        obj[prop] = Array.from({ length: n }, () => fill(OBJECTS[f.ref]!.name, opts, depth + 1));
        break;
      case FieldKind.UnionValue: {
        const u = UNIONS[f.ref]!;
        const type = opts.pick?.(u.name, depth) ?? u.members[seed % u.members.length]![0];
        const member = u.members.find(([t]) => t === type);
        if (!member) throw new Error(`${u.name} has no member ${type}`);
        obj[`${prop}Type`] = type;
        obj[prop] = fill(OBJECTS[member[1]]!.name, opts, depth + 1);
        break;
      }
      default:
        throw new Error(`samples do not handle field kind ${f.kind}`);
    }
  }
}

export const REPO = '/home/dev/project/.git';
export const ACTOR = new Uint8Array(bytes(16, 99));

export interface Sample {
  name: string;
  bytes: Uint8Array;
  /** The object the message was built from (for round-trip comparison). */
  object: object;
  kind: 'request' | 'response' | 'notification';
}

/** One request per IpcCommand member. */
export function commandSamples(): Sample[] {
  return IPC_COMMAND_MEMBERS.map((m, i) => {
    const command = fill(m.name) as IpcCommandObject;
    const requestId = new Uint8Array(bytes(16, 1000 + i));
    return { name: m.name, kind: 'request', object: command, bytes: encodeRequest({ repo: REPO, actorId: ACTOR, requestId, command }) };
  });
}

/** One response per IpcResult member. */
export function resultSamples(): Sample[] {
  return IPC_RESULT_MEMBERS.map((m, i) => {
    const result = fill(m.name) as IpcResultObject;
    return { name: m.name, kind: 'response', object: result, bytes: encodeResponse(new Uint8Array(bytes(16, 2000 + i)), result) };
  });
}

/** One notification per NotificationKind member. */
export function notificationSamples(): Sample[] {
  return NOTIFICATION_KIND_MEMBERS.map((m, i) => {
    const kind = fill(m.name) as NotificationKindObject;
    return { name: m.name, kind: 'notification', object: kind, bytes: encodeNotification(new Uint8Array(bytes(16, 3000 + i)), kind) };
  });
}

export function allSamples(): Sample[] {
  return [...commandSamples(), ...resultSamples(), ...notificationSamples()];
}
