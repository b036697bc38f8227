// Snapshots of the log (refs/grite/snapshots/<unix_ms>) and rebuilding the
// view from the refs, whole or from a snapshot.
export {
  SNAPSHOT_REF_PREFIX,
  SNAPSHOT_SCHEMA_VERSION,
  SNAPSHOT_CHUNK_EVENTS,
  SNAPSHOT_IDENT,
  snapshotRefName,
  snapshotRefTime,
  snapshotChunkPath,
  snapshotMessage,
  snapshotJson,
  parseSnapshotJson,
  type SnapshotMeta,
  type SnapshotChunk,
} from './format.js';
export {
  listSnapshots,
  readSnapshotEvents,
  writeSnapshot,
  gcSnapshots,
  snapshotDue,
  type SnapshotInfo,
  type CreateSnapshotOptions,
  type SnapshotGcResult,
  type SnapshotDue,
} from './snapshot.js';
export { createSnapshot, autoSnapshot, type CreateSnapshotResult, type AutoSnapshotOptions } from './create.js';
export { loadLog, isAncestor, revList, type LogLoad, type LogLoadOptions, type LogLoadProgress, type LogLoadPhase } from './log.js';
export { rebuildView, markRebuilt, eventsSinceRebuild, type RebuildViewOptions, type RebuildViewResult } from './rebuild.js';
