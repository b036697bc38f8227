// Repository resolution and grite's local files (DESIGN.md section 2, "Local files").
export { resolveCommonDir, resolveRepo, type RepoPaths } from './resolve-repo.js';
export {
  TomlDocument,
  TomlDateTime,
  parseToml,
  formatTomlKey,
  formatTomlValue,
  isTomlTable,
  type TomlTable,
  type TomlValue,
} from './toml.js';
export { writeFileAtomic } from './atomic-write.js';
export {
  readRepoConfig,
  writeRepoConfig,
  updateRepoConfig,
  readTomlFile,
  repoConfigPath,
  DEFAULT_LOCK_POLICY,
  DEFAULT_VERIFY_SIGNATURES,
  DEFAULT_SNAPSHOT_POLICY,
  type Policy,
  type LockPolicy,
  type SnapshotPolicy,
  type RepoConfig,
  type RepoConfigPatch,
  type ConfigEdit,
} from './config.js';
export {
  createActor,
  listActors,
  readActor,
  readActorConfig,
  findActor,
  setDefaultActor,
  resolveActor,
  actorsDir,
  actorDir,
  type ActorInfo,
  type ActorSource,
  type ResolvedActor,
  type ResolveActorOptions,
} from './actors.js';
export { initGrite, type InitOptions, type InitResult } from './init.js';
