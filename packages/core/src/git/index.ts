// Git access for the WAL: objects written in process, refs moved by
// compare-and-swap, reads through one long-lived cat-file, and the WAL itself.
export { Wal, WAL_REF, WAL_IDENT, type WalCommit, type WalWalkEntry, type WalReadResult, type WalOptions, type AppendOptions } from './wal.js';
export { CatFile, type GitObject } from './cat-file.js';
export {
  hashObject,
  writeLooseObject,
  writePreparedObject,
  writePreparedObjects,
  buildTree,
  parseTree,
  buildCommit,
  parseCommit,
  type GitObjectType,
  type PreparedObject,
  type TreeEntry,
  type TreeMode,
  type GitIdent,
  type CommitFields,
  type ParsedCommit,
  type WriteOptions,
} from './objects.js';
export { readRef, casRef, checkRefName, refLockPath, type CasOptions } from './refs.js';
export { countLooseObjects, packIfNeeded, type PackResult } from './pack.js';
export { repoFormat, parseGitConfig, isOid, oidHexLength, type RepoFormat, type ObjectFormat, type RefStorage } from './repo-format.js';
export { runGit, gitEnv, type GitResult } from './run-git.js';
