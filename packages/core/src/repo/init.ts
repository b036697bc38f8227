/**
 * `grite init` on the local side: the grite dir, a first actor, and a
 * config.toml whose default_actor names an existing actor. Idempotent: what
 * already exists is kept, and a second call changes nothing and says so.
 * Git refs are not touched (the WAL starts with the first event).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { GriteError } from '../errors.js';
import { createActor, findActor, listActors, type ActorInfo } from './actors.js';
import { readRepoConfig, writeRepoConfig } from './config.js';

export interface InitOptions {
  /** Label of the actor, when this call creates one. */
  label?: string;
}

export interface InitResult {
  griteDir: string;
  /** The default actor after the call. */
  actor: ActorInfo;
  /** What this call made or changed. */
  created: { griteDir: boolean; actor: boolean; config: boolean };
  /** False when the repository was already initialised: nothing was written. */
  changed: boolean;
}

export function initGrite(griteDir: string, opts: InitOptions = {}): InitResult {
  const madeDir = !existsSync(griteDir);
  try {
    mkdirSync(griteDir, { recursive: true });
  } catch (e) {
    throw new GriteError('io_error', `cannot create ${griteDir}`, { cause: e, details: { path: griteDir } });
  }
  // Reading first: an invalid config.toml stops init before anything is made.
  const config = readRepoConfig(griteDir);
  let actor = config.defaultActor === null ? undefined : findActor(griteDir, config.defaultActor.toLowerCase());
  let madeActor = false;
  if (!actor) {
    actor = listActors(griteDir)[0];
    if (!actor) {
      actor = createActor(griteDir, opts.label === undefined ? {} : { label: opts.label });
      madeActor = true;
    }
  }
  const writeConfig = !config.exists || config.defaultActor?.toLowerCase() !== actor.actorId;
  if (writeConfig) writeRepoConfig(griteDir, { defaultActor: actor.actorId });
  return {
    griteDir,
    actor,
    created: { griteDir: madeDir, actor: madeActor, config: writeConfig },
    changed: madeDir || madeActor || writeConfig,
  };
}
