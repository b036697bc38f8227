// GENERATED FILE: never edit by hand.
// Source: schema/grite.fbs. Regenerate with `pnpm codegen`
// (packages/protocol/scripts/codegen.mjs, flatc version 25.12.19).
// CI fails when this file is stale (`pnpm codegen:check`).

/**
 * The shape of every table, struct and union of schema/grite.fbs, read from
 * flatc's binary schema. The verifier (src/verifier.ts) walks buffers with it.
 *
 * A field: `vt` is its vtable offset; `size` the scalar or struct size, or the
 * element size of a vector; `ref` the object index (Table, Struct, vectors of
 * them) or the union index (UnionValue); `aux` the vtable offset of a
 * union's type field (UnionValue) or a struct's alignment.
 */

export enum FieldKind {
  Scalar = 0,
  String = 1,
  Table = 2,
  Struct = 3,
  UnionType = 4,
  UnionValue = 5,
  VectorScalar = 6,
  VectorString = 7,
  VectorTable = 8,
  VectorStruct = 9,
}

export interface FieldLayout {
  readonly name: string;
  readonly vt: number;
  readonly kind: FieldKind;
  readonly size: number;
  readonly ref: number;
  readonly aux: number;
  readonly required: boolean;
}

export interface ObjectLayout {
  readonly name: string;
  /** A struct is verified as `size` inline bytes; a table by its fields. */
  readonly struct: boolean;
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldLayout[];
}

export interface UnionLayout {
  readonly name: string;
  /** [type value, object index] for every member but NONE (0). */
  readonly members: readonly (readonly [number, number])[];
}

export const FILE_IDENTIFIER: string | null = "GRT1";

/** Index in OBJECTS of the root type (Message). */
export const ROOT_OBJECT = 77;

export const OBJECTS: readonly ObjectLayout[] = [
  // 0
  { name: 'Ack', struct: false, size: 0, align: 0, fields: [] },
  // 1
  { name: 'AssigneeAdded', struct: false, size: 0, align: 0, fields: [
    { name: 'user', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 2
  { name: 'AssigneeRemoved', struct: false, size: 0, align: 0, fields: [
    { name: 'user', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 3
  { name: 'Attachment', struct: false, size: 0, align: 0, fields: [
    { name: 'name', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'sha256', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'mime', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'event_id', vt: 10, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'actor', vt: 12, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 14, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
  ] },
  // 4
  { name: 'AttachmentAdded', struct: false, size: 0, align: 0, fields: [
    { name: 'name', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'sha256', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'mime', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 5
  { name: 'Batch', struct: false, size: 0, align: 0, fields: [
    { name: 'requests', vt: 4, kind: FieldKind.VectorTable, size: 4, ref: 36, aux: 0, required: false },
  ] },
  // 6
  { name: 'BatchResult', struct: false, size: 0, align: 0, fields: [
    { name: 'committed', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'wal_head', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'responses', vt: 8, kind: FieldKind.VectorTable, size: 4, ref: 37, aux: 0, required: false },
  ] },
  // 7
  { name: 'ClaimResult', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.Table, size: 0, ref: 58, aux: 0, required: false },
    { name: 'lock', vt: 6, kind: FieldKind.Table, size: 0, ref: 72, aux: 0, required: false },
    { name: 'already_held', vt: 8, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'event_id', vt: 10, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'wal_head', vt: 12, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'assignee', vt: 14, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 8
  { name: 'CliRun', struct: false, size: 0, align: 0, fields: [
    { name: 'argv', vt: 4, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'cwd', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'environ', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'stdout_tty', vt: 10, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 9
  { name: 'CliRunResult', struct: false, size: 0, align: 0, fields: [
    { name: 'handled', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'stdout', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'stderr', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'exit_code', vt: 10, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 10
  { name: 'CodeSymbol', struct: false, size: 0, align: 0, fields: [
    { name: 'name', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'kind', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'line_start', vt: 8, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'line_end', vt: 10, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 11
  { name: 'Comment', struct: false, size: 0, align: 0, fields: [
    { name: 'event_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'actor', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 8, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'body', vt: 10, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 12
  { name: 'CommentAdded', struct: false, size: 0, align: 0, fields: [
    { name: 'body', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 13
  { name: 'ContextUpdated', struct: false, size: 0, align: 0, fields: [
    { name: 'path', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'language', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'symbols', vt: 8, kind: FieldKind.VectorTable, size: 4, ref: 10, aux: 0, required: false },
    { name: 'summary', vt: 10, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'content_hash', vt: 12, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 14
  { name: 'DaemonStatus', struct: false, size: 0, align: 0, fields: [] },
  // 15
  { name: 'DaemonStatusResult', struct: false, size: 0, align: 0, fields: [
    { name: 'running', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'pid', vt: 6, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'socket', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'started_ts', vt: 10, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'build', vt: 12, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'schema_version', vt: 14, kind: FieldKind.Scalar, size: 2, ref: -1, aux: 0, required: false },
    { name: 'requests', vt: 16, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'rss_bytes', vt: 18, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
  ] },
  // 16
  { name: 'DaemonStop', struct: false, size: 0, align: 0, fields: [] },
  // 17
  { name: 'DbStats', struct: false, size: 0, align: 0, fields: [] },
  // 18
  { name: 'DbStatsResult', struct: false, size: 0, align: 0, fields: [
    { name: 'path', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'size_bytes', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'event_count', vt: 8, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'issue_count', vt: 10, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'wal_head', vt: 12, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'events_since_rebuild', vt: 14, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'loose_objects', vt: 16, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 19
  { name: 'DepEdge', struct: false, size: 0, align: 0, fields: [
    { name: 'target', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'dep_type', vt: 6, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 20
  { name: 'DepListResult', struct: false, size: 0, align: 0, fields: [
    { name: 'issue_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'direction', vt: 6, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'deps', vt: 8, kind: FieldKind.VectorTable, size: 4, ref: 21, aux: 0, required: false },
  ] },
  // 21
  { name: 'DepRef', struct: false, size: 0, align: 0, fields: [
    { name: 'issue_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'dep_type', vt: 6, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'title', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'state', vt: 10, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 22
  { name: 'DepTopoResult', struct: false, size: 0, align: 0, fields: [
    { name: 'issues', vt: 4, kind: FieldKind.VectorTable, size: 4, ref: 58, aux: 0, required: false },
    { name: 'order', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 23
  { name: 'DepWriteResult', struct: false, size: 0, align: 0, fields: [
    { name: 'event_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'issue_id', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'target', vt: 8, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'dep_type', vt: 10, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'action', vt: 12, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'wal_head', vt: 14, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 24
  { name: 'DependencyAdded', struct: false, size: 0, align: 0, fields: [
    { name: 'target', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'dep_type', vt: 6, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 25
  { name: 'DependencyRemoved', struct: false, size: 0, align: 0, fields: [
    { name: 'target', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'dep_type', vt: 6, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 26
  { name: 'Doctor', struct: false, size: 0, align: 0, fields: [
    { name: 'fix', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 27
  { name: 'DoctorCheck', struct: false, size: 0, align: 0, fields: [
    { name: 'id', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'status', vt: 6, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'message', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'plan', vt: 10, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 28
  { name: 'DoctorResult', struct: false, size: 0, align: 0, fields: [
    { name: 'checks', vt: 4, kind: FieldKind.VectorTable, size: 4, ref: 27, aux: 0, required: false },
    { name: 'applied', vt: 6, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 29
  { name: 'Event', struct: false, size: 0, align: 0, fields: [
    { name: 'event_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'issue_id', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'actor', vt: 8, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 10, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'parent', vt: 12, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'kind_type', vt: 14, kind: FieldKind.UnionType, size: 1, ref: -1, aux: 0, required: false },
    { name: 'kind', vt: 16, kind: FieldKind.UnionValue, size: 0, ref: 0, aux: 14, required: false },
  ] },
  // 30
  { name: 'EventApplied', struct: false, size: 0, align: 0, fields: [
    { name: 'issue_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'event_id', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 31
  { name: 'Export', struct: false, size: 0, align: 0, fields: [
    { name: 'format', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'since_ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'since_event', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'limit', vt: 10, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'cursor', vt: 12, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 32
  { name: 'ExportResult', struct: false, size: 0, align: 0, fields: [
    { name: 'format', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'text', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'issues', vt: 8, kind: FieldKind.VectorTable, size: 4, ref: 49, aux: 0, required: false },
    { name: 'events', vt: 10, kind: FieldKind.VectorTable, size: 4, ref: 29, aux: 0, required: false },
    { name: 'wal_head', vt: 12, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'next_cursor', vt: 14, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 33
  { name: 'Hello', struct: false, size: 0, align: 0, fields: [
    { name: 'schema_version', vt: 4, kind: FieldKind.Scalar, size: 2, ref: -1, aux: 0, required: false },
    { name: 'build', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'client_kind', vt: 8, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 34
  { name: 'HelloResult', struct: false, size: 0, align: 0, fields: [
    { name: 'schema_version', vt: 4, kind: FieldKind.Scalar, size: 2, ref: -1, aux: 0, required: false },
    { name: 'build', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'pid', vt: 8, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 35
  { name: 'IpcError', struct: false, size: 0, align: 0, fields: [
    { name: 'code', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'message', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'hint', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'details', vt: 10, kind: FieldKind.VectorTable, size: 4, ref: 62, aux: 0, required: false },
  ] },
  // 36
  { name: 'IpcRequest', struct: false, size: 0, align: 0, fields: [
    { name: 'schema_version', vt: 4, kind: FieldKind.Scalar, size: 2, ref: -1, aux: 0, required: false },
    { name: 'request_id', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'repo', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'actor_id', vt: 10, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'command_type', vt: 12, kind: FieldKind.UnionType, size: 1, ref: -1, aux: 0, required: false },
    { name: 'command', vt: 14, kind: FieldKind.UnionValue, size: 0, ref: 1, aux: 12, required: false },
  ] },
  // 37
  { name: 'IpcResponse', struct: false, size: 0, align: 0, fields: [
    { name: 'schema_version', vt: 4, kind: FieldKind.Scalar, size: 2, ref: -1, aux: 0, required: false },
    { name: 'request_id', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'ok', vt: 8, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'error', vt: 10, kind: FieldKind.Table, size: 0, ref: 35, aux: 0, required: false },
    { name: 'result_type', vt: 12, kind: FieldKind.UnionType, size: 1, ref: -1, aux: 0, required: false },
    { name: 'result', vt: 14, kind: FieldKind.UnionValue, size: 0, ref: 2, aux: 12, required: false },
  ] },
  // 38
  { name: 'IssueAssign', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'users', vt: 8, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'action', vt: 10, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 39
  { name: 'IssueAttach', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'name', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'sha256', vt: 10, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'mime', vt: 12, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 40
  { name: 'IssueClaim', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'ttl_ms', vt: 8, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 41
  { name: 'IssueClose', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
  ] },
  // 42
  { name: 'IssueComment', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'body', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 43
  { name: 'IssueCreate', struct: false, size: 0, align: 0, fields: [
    { name: 'issue_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'title', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'body', vt: 10, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'labels', vt: 12, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'assignees', vt: 14, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 44
  { name: 'IssueCreated', struct: false, size: 0, align: 0, fields: [
    { name: 'title', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'body', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'labels', vt: 8, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 45
  { name: 'IssueDepAdd', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'target', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'dep_type', vt: 8, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 10, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
  ] },
  // 46
  { name: 'IssueDepList', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'direction', vt: 6, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 47
  { name: 'IssueDepRemove', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'target', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'dep_type', vt: 8, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 10, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
  ] },
  // 48
  { name: 'IssueDepTopo', struct: false, size: 0, align: 0, fields: [
    { name: 'state', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 49
  { name: 'IssueDetail', struct: false, size: 0, align: 0, fields: [
    { name: 'issue_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'title', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'state', vt: 8, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'labels', vt: 10, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'assignees', vt: 12, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'updated_ts', vt: 14, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'created_ts', vt: 16, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'comment_count', vt: 18, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'body', vt: 20, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'links', vt: 22, kind: FieldKind.VectorTable, size: 4, ref: 65, aux: 0, required: false },
    { name: 'attachments', vt: 24, kind: FieldKind.VectorTable, size: 4, ref: 3, aux: 0, required: false },
    { name: 'dependencies', vt: 26, kind: FieldKind.VectorTable, size: 4, ref: 19, aux: 0, required: false },
    { name: 'comments', vt: 28, kind: FieldKind.VectorTable, size: 4, ref: 11, aux: 0, required: false },
  ] },
  // 50
  { name: 'IssueLabel', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'labels', vt: 8, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'action', vt: 10, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 51
  { name: 'IssueLink', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'url', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'note', vt: 10, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 52
  { name: 'IssueList', struct: false, size: 0, align: 0, fields: [
    { name: 'state', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'labels', vt: 6, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'assignee', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'text', vt: 10, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'sort', vt: 12, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'limit', vt: 14, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'cursor', vt: 16, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 53
  { name: 'IssueListResult', struct: false, size: 0, align: 0, fields: [
    { name: 'issues', vt: 4, kind: FieldKind.VectorTable, size: 4, ref: 58, aux: 0, required: false },
    { name: 'total', vt: 6, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'next_cursor', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 54
  { name: 'IssueReady', struct: false, size: 0, align: 0, fields: [
    { name: 'limit', vt: 4, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'cursor', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 55
  { name: 'IssueReopen', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
  ] },
  // 56
  { name: 'IssueShow', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'event_limit', vt: 6, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'event_cursor', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 57
  { name: 'IssueShowResult', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.Table, size: 0, ref: 49, aux: 0, required: false },
    { name: 'events', vt: 6, kind: FieldKind.VectorTable, size: 4, ref: 29, aux: 0, required: false },
    { name: 'next_event_cursor', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 58
  { name: 'IssueSummary', struct: false, size: 0, align: 0, fields: [
    { name: 'issue_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'title', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'state', vt: 8, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'labels', vt: 10, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'assignees', vt: 12, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'updated_ts', vt: 14, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'created_ts', vt: 16, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'comment_count', vt: 18, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 59
  { name: 'IssueUpdate', struct: false, size: 0, align: 0, fields: [
    { name: 'issue', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'title', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'body', vt: 10, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 60
  { name: 'IssueUpdated', struct: false, size: 0, align: 0, fields: [
    { name: 'title', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'body', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 61
  { name: 'IssueWriteResult', struct: false, size: 0, align: 0, fields: [
    { name: 'issue_id', vt: 4, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'event_id', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'wal_head', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'state', vt: 10, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 62
  { name: 'KeyValue', struct: false, size: 0, align: 0, fields: [
    { name: 'key', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'value', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'values', vt: 8, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 63
  { name: 'LabelAdded', struct: false, size: 0, align: 0, fields: [
    { name: 'label', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 64
  { name: 'LabelRemoved', struct: false, size: 0, align: 0, fields: [
    { name: 'label', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 65
  { name: 'Link', struct: false, size: 0, align: 0, fields: [
    { name: 'url', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'note', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'event_id', vt: 8, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'actor', vt: 10, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'ts', vt: 12, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
  ] },
  // 66
  { name: 'LinkAdded', struct: false, size: 0, align: 0, fields: [
    { name: 'url', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'note', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 67
  { name: 'LockAcquire', struct: false, size: 0, align: 0, fields: [
    { name: 'resource', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ttl_ms', vt: 6, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 68
  { name: 'LockChanged', struct: false, size: 0, align: 0, fields: [
    { name: 'resource', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 69
  { name: 'LockConflict', struct: false, size: 0, align: 0, fields: [
    { name: 'resource', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'held', vt: 6, kind: FieldKind.Table, size: 0, ref: 72, aux: 0, required: false },
  ] },
  // 70
  { name: 'LockGc', struct: false, size: 0, align: 0, fields: [] },
  // 71
  { name: 'LockGcResult', struct: false, size: 0, align: 0, fields: [
    { name: 'expired_pruned', vt: 4, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 72
  { name: 'LockInfo', struct: false, size: 0, align: 0, fields: [
    { name: 'resource', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'owner', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'nonce', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'expires_unix_ms', vt: 10, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
  ] },
  // 73
  { name: 'LockRelease', struct: false, size: 0, align: 0, fields: [
    { name: 'resource', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 74
  { name: 'LockRenew', struct: false, size: 0, align: 0, fields: [
    { name: 'resource', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'ttl_ms', vt: 6, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 75
  { name: 'LockStatus', struct: false, size: 0, align: 0, fields: [
    { name: 'prefix', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 76
  { name: 'LockStatusResult', struct: false, size: 0, align: 0, fields: [
    { name: 'locks', vt: 4, kind: FieldKind.VectorTable, size: 4, ref: 72, aux: 0, required: false },
    { name: 'conflicts', vt: 6, kind: FieldKind.VectorTable, size: 4, ref: 69, aux: 0, required: false },
  ] },
  // 77
  { name: 'Message', struct: false, size: 0, align: 0, fields: [
    { name: 'body_type', vt: 4, kind: FieldKind.UnionType, size: 1, ref: -1, aux: 0, required: false },
    { name: 'body', vt: 6, kind: FieldKind.UnionValue, size: 0, ref: 3, aux: 4, required: false },
  ] },
  // 78
  { name: 'Notification', struct: false, size: 0, align: 0, fields: [
    { name: 'schema_version', vt: 4, kind: FieldKind.Scalar, size: 2, ref: -1, aux: 0, required: false },
    { name: 'request_id', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'kind_type', vt: 8, kind: FieldKind.UnionType, size: 1, ref: -1, aux: 0, required: false },
    { name: 'kind', vt: 10, kind: FieldKind.UnionValue, size: 0, ref: 4, aux: 8, required: false },
  ] },
  // 79
  { name: 'ProjectContextUpdated', struct: false, size: 0, align: 0, fields: [
    { name: 'key', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'value', vt: 6, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 80
  { name: 'Rebuild', struct: false, size: 0, align: 0, fields: [
    { name: 'from_snapshot', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 81
  { name: 'RebuildResult', struct: false, size: 0, align: 0, fields: [
    { name: 'wal_head', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'event_count', vt: 6, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'from_snapshot', vt: 8, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 82
  { name: 'SnapshotCreate', struct: false, size: 0, align: 0, fields: [] },
  // 83
  { name: 'SnapshotCreated', struct: false, size: 0, align: 0, fields: [
    { name: 'ref', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 84
  { name: 'SnapshotGc', struct: false, size: 0, align: 0, fields: [
    { name: 'keep', vt: 4, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 85
  { name: 'SnapshotGcResult', struct: false, size: 0, align: 0, fields: [
    { name: 'deleted', vt: 4, kind: FieldKind.VectorString, size: 4, ref: -1, aux: 0, required: false },
    { name: 'kept', vt: 6, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 86
  { name: 'SnapshotInfo', struct: false, size: 0, align: 0, fields: [
    { name: 'ref', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'created_ts', vt: 6, kind: FieldKind.Scalar, size: 8, ref: -1, aux: 0, required: false },
    { name: 'wal_head', vt: 8, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'event_count', vt: 10, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
  ] },
  // 87
  { name: 'SnapshotList', struct: false, size: 0, align: 0, fields: [] },
  // 88
  { name: 'SnapshotListResult', struct: false, size: 0, align: 0, fields: [
    { name: 'snapshots', vt: 4, kind: FieldKind.VectorTable, size: 4, ref: 86, aux: 0, required: false },
  ] },
  // 89
  { name: 'StateChanged', struct: false, size: 0, align: 0, fields: [
    { name: 'state', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 90
  { name: 'Subscribe', struct: false, size: 0, align: 0, fields: [] },
  // 91
  { name: 'Sync', struct: false, size: 0, align: 0, fields: [
    { name: 'remote', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'pull', vt: 6, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'push', vt: 8, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 92
  { name: 'SyncResult', struct: false, size: 0, align: 0, fields: [
    { name: 'pulled', vt: 4, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'pushed', vt: 6, kind: FieldKind.Scalar, size: 1, ref: -1, aux: 0, required: false },
    { name: 'events_pulled', vt: 8, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'events_pushed', vt: 10, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'wal_head', vt: 12, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'remote_wal_head', vt: 14, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
    { name: 'remote', vt: 16, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
  // 93
  { name: 'UnknownKind', struct: false, size: 0, align: 0, fields: [
    { name: 'tag', vt: 4, kind: FieldKind.Scalar, size: 4, ref: -1, aux: 0, required: false },
    { name: 'payload_cbor', vt: 6, kind: FieldKind.VectorScalar, size: 1, ref: -1, aux: 0, required: false },
  ] },
  // 94
  { name: 'WalSynced', struct: false, size: 0, align: 0, fields: [
    { name: 'wal_head', vt: 4, kind: FieldKind.String, size: 0, ref: -1, aux: 0, required: false },
  ] },
];

export const UNIONS: readonly UnionLayout[] = [
  { name: 'EventKind', members: [[1, 44], [2, 60], [3, 12], [4, 63], [5, 64], [6, 89], [7, 66], [8, 1], [9, 2], [10, 4], [11, 24], [12, 25], [13, 13], [14, 79], [15, 93]] },
  { name: 'IpcCommand', members: [[1, 33], [2, 43], [3, 52], [4, 56], [5, 59], [6, 42], [7, 41], [8, 55], [9, 50], [10, 38], [11, 51], [12, 39], [13, 45], [14, 47], [15, 46], [16, 48], [17, 54], [18, 91], [19, 67], [20, 74], [21, 73], [22, 75], [23, 70], [24, 26], [25, 80], [26, 82], [27, 87], [28, 84], [29, 31], [30, 17], [31, 14], [32, 16], [33, 90], [34, 5], [35, 40], [36, 8]] },
  { name: 'IpcResult', members: [[1, 34], [2, 53], [3, 61], [4, 57], [5, 23], [6, 20], [7, 22], [8, 92], [9, 72], [10, 76], [11, 71], [12, 28], [13, 81], [14, 86], [15, 88], [16, 85], [17, 32], [18, 18], [19, 15], [20, 0], [21, 6], [22, 7], [23, 9]] },
  { name: 'MessageBody', members: [[1, 36], [2, 37], [3, 78]] },
  { name: 'NotificationKind', members: [[1, 30], [2, 94], [3, 68], [4, 83]] },
];
