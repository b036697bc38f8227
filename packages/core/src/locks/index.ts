// Lease locks as refs/grite/locks/<hash> commits, moved by compare-and-swap on
// the remote (or locally without one), and the lock check before writes.
export {
  normalizeResource,
  checkResource,
  parseResource,
  resourceHash,
  lockRefName,
  resourcesConflict,
  LOCK_REF_PREFIX,
  type LockNamespace,
  type IssueResolver,
} from './resource.js';
export { lockJson, parseLockJson, lockState, writeLockCommit, readLocks, LOCK_IDENT, type LockRecord, type LockState } from './lock-file.js';
export {
  acquireLock,
  renewLock,
  releaseLock,
  lockStatus,
  gcLocks,
  checkWriteAllowed,
  type LockInfo,
  type LockResult,
  type LockCallOptions,
  type LockAcquireOptions,
  type LockRenewOptions,
  type LockReleaseOptions,
  type LockStatusOptions,
  type LockStatusResult,
  type LockConflict,
  type LockWriteCheckOptions,
  type LockWriteCheckResult,
} from './locks.js';
