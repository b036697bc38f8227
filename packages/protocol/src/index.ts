/**
 * @grite/protocol: the typed FlatBuffers IPC between grite clients and the
 * daemon (DESIGN.md section 6). Everything here is the package's public
 * surface; schema/grite.fbs is the source of truth for the message shapes.
 */

// Generated from schema/grite.fbs: accessors (e.g. IssueSummary), object-API
// classes (IssueSummaryT), enums and unions (IpcCommand, IpcResult, ...).
export * from './generated/grite/ipc.js';
export { unionToIpcCommand, unionListToIpcCommand } from './generated/grite/ipc/ipc-command.js';
export { unionToIpcResult, unionListToIpcResult } from './generated/grite/ipc/ipc-result.js';
export { unionToEventKind, unionListToEventKind } from './generated/grite/ipc/event-kind.js';
export { unionToNotificationKind, unionListToNotificationKind } from './generated/grite/ipc/notification-kind.js';
export { unionToMessageBody, unionListToMessageBody } from './generated/grite/ipc/message-body.js';
export * from './generated/unions.js';

// The FlatBuffers runtime, for building results with the builder API.
export * as flatbuffers from 'flatbuffers';

export * from './errors.js';
export * from './events.js';
export * from './framing.js';
export * from './verifier.js';
export * from './messages.js';
export * from './connection.js';
export * from './server-connection.js';
export * from './builder.js';
export * from './cli-run.js';
