/**
 * The grite event model (grite WAL v1, DESIGN.md section 2).
 *
 * Ids are raw bytes: `issueId` and `actor` 16 bytes, `eventId` 32 bytes
 * (BLAKE2b-256 of the canonical CBOR preimage
 * `[1, issue_id, actor, ts_unix_ms, parent, kind_tag, kind_payload]`).
 * `ts` is unix milliseconds (a safe integer). `sig` is never hashed.
 *
 * | tag | kind                  | payload                                         |
 * |-----|-----------------------|-------------------------------------------------|
 * | 1   | IssueCreated          | [title, body, labels] (labels sorted by bytes)  |
 * | 2   | IssueUpdated          | [title or null, body or null]                   |
 * | 3   | CommentAdded          | [body]                                          |
 * | 4/5 | LabelAdded/Removed    | [label]                                         |
 * | 6   | StateChanged          | ["open" or "closed"]                            |
 * | 7   | LinkAdded             | [url, note or null]                             |
 * | 8/9 | AssigneeAdded/Removed | [user]                                          |
 * | 10  | AttachmentAdded       | [name, sha256 bstr32, mime]                     |
 * | 11/12 | DependencyAdded/Removed | [target bstr16, dep_type]                   |
 * | 13  | ContextUpdated        | [path, language, symbols, summary, hash bstr32] |
 * | 14  | ProjectContextUpdated | [key, value]                                    |
 *
 * Records of tags we do not know are kept as `Unknown` with their payload's
 * canonical CBOR bytes, carried and re-written intact, never applied.
 */

export type IssueState = 'open' | 'closed';
export type DepType = 'blocks' | 'depends_on' | 'related_to';

export interface ContextSymbol {
  name: string;
  kind: string;
  lineStart: number;
  lineEnd: number;
}

export type EventKind =
  | { type: 'IssueCreated'; title: string; body: string; labels: string[] }
  | { type: 'IssueUpdated'; title: string | null; body: string | null }
  | { type: 'CommentAdded'; body: string }
  | { type: 'LabelAdded'; label: string }
  | { type: 'LabelRemoved'; label: string }
  | { type: 'StateChanged'; state: IssueState }
  | { type: 'LinkAdded'; url: string; note: string | null }
  | { type: 'AssigneeAdded'; user: string }
  | { type: 'AssigneeRemoved'; user: string }
  | { type: 'AttachmentAdded'; name: string; sha256: Uint8Array; mime: string }
  | { type: 'DependencyAdded'; target: Uint8Array; depType: DepType }
  | { type: 'DependencyRemoved'; target: Uint8Array; depType: DepType }
  | {
      type: 'ContextUpdated';
      path: string;
      language: string;
      symbols: ContextSymbol[];
      summary: string;
      contentHash: Uint8Array;
    }
  | { type: 'ProjectContextUpdated'; key: string; value: string }
  | { type: 'Unknown'; tag: number; payloadCbor: Uint8Array };

export type EventKindName = EventKind['type'];

export interface Event {
  eventId: Uint8Array;
  issueId: Uint8Array;
  actor: Uint8Array;
  ts: number;
  parent: Uint8Array | null;
  kind: EventKind;
  sig: Uint8Array | null;
}

export const KIND_TAGS: Readonly<Record<Exclude<EventKindName, 'Unknown'>, number>> = {
  IssueCreated: 1,
  IssueUpdated: 2,
  CommentAdded: 3,
  LabelAdded: 4,
  LabelRemoved: 5,
  StateChanged: 6,
  LinkAdded: 7,
  AssigneeAdded: 8,
  AssigneeRemoved: 9,
  AttachmentAdded: 10,
  DependencyAdded: 11,
  DependencyRemoved: 12,
  ContextUpdated: 13,
  ProjectContextUpdated: 14,
};

export function kindTag(kind: EventKind): number {
  return kind.type === 'Unknown' ? kind.tag : KIND_TAGS[kind.type];
}
