// Sync of the grite refs with git remotes: fetch into refs/grite-remotes/,
// merge without rewriting the remote's log, push never forced.
export { sync, syncPull, syncPush, type SyncOptions, type SyncResult, type SyncProgress, type SyncPhase, type SyncTarget } from './sync.js';
export { mergeRemoteHead, mergeBase, type MergeOutcome, type MergeKind } from './merge.js';
export {
  resolveRemote,
  listRemotes,
  runRemoteGit,
  remoteGitEnv,
  classifyRemoteFailure,
  redactUrl,
  trackingRef,
  TRACKING_PREFIX,
  type RemoteInfo,
  type RemoteFailureReason,
  type RemoteGitOptions,
  type RemoteGitResult,
} from './remote-git.js';
