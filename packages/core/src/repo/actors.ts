/**
 * Actors: who wrote an event. Each has a directory
 * `<grite dir>/actors/<actor hex>/` holding `config.toml`, shared with the
 * Rust tool:
 *
 *   actor_id = "<32 lowercase hex>"   16 random bytes
 *   label = "<text>"                  optional
 *   created_ts = <unix ms>            optional
 *
 * Other keys in that file (the Rust tool's `public_key`, `key_scheme`) are
 * left alone: this module writes the file only when it creates the actor.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GriteError, isGriteError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { readRepoConfig, readTomlFile, writeRepoConfig } from './config.js';
import { TomlDocument } from './toml.js';

export interface ActorInfo {
  /** 32 lowercase hex characters. */
  actorId: string;
  label: string | null;
  /** Unix milliseconds; null when the file does not say. */
  createdTs: number | null;
  /** The actor's directory (holds its config.toml). */
  dataDir: string;
}

export type ActorSource = 'data_dir' | 'flag' | 'default' | 'first' | 'new';

export interface ResolvedActor {
  actor: ActorInfo;
  /** True when this call created the actor. */
  created: boolean;
  source: ActorSource;
}

export interface ResolveActorOptions {
  /** --data-dir: an actor's directory holding config.toml. Wins over GRITE_HOME. */
  dataDir?: string;
  /** --actor: an actor id, full or a unique prefix of at least 4 hex characters. */
  actor?: string;
  /** Where GRITE_HOME is read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Create an actor (and make it the default) when the repository has none. */
  create?: boolean;
  /** Label of an actor created by this call. */
  label?: string;
}

const ACTOR_HEX = /^[0-9a-f]{32}$/;
const MIN_PREFIX = 4;

export function actorsDir(griteDir: string): string {
  return join(griteDir, 'actors');
}

export function actorDir(griteDir: string, actorId: string): string {
  return join(actorsDir(griteDir), actorId);
}

/**
 * Reads `<dataDir>/config.toml`. Missing file: GriteError('not_found');
 * invalid TOML or fields of the wrong type: GriteError('config_error').
 */
export function readActorConfig(dataDir: string): ActorInfo {
  const dir = resolve(dataDir);
  const file = join(dir, 'config.toml');
  const doc = readTomlFile(file);
  if (doc === undefined) {
    throw new GriteError('not_found', `no actor config at ${file}`, { details: { file } });
  }
  const bad = (key: string, why: string): never => {
    throw new GriteError('config_error', `${file}: ${key} ${why}`, { hint: `fix ${key} in ${file}`, details: { file, key } });
  };
  const { actor_id: id, label, created_ts: ts } = doc.data;
  if (typeof id !== 'string' || !/^[0-9a-fA-F]{32}$/.test(id)) bad('actor_id', 'must be 32 hex characters');
  if (label !== undefined && typeof label !== 'string') bad('label', 'must be a string');
  if (ts !== undefined && !(typeof ts === 'number' && Number.isInteger(ts) && ts >= 0)) bad('created_ts', 'must be a non-negative integer');
  return {
    actorId: (id as string).toLowerCase(),
    label: (label as string | undefined) ?? null,
    createdTs: (ts as number | undefined) ?? null,
    dataDir: dir,
  };
}

/** Creates a new actor with a random id under `<griteDir>/actors/`. */
export function createActor(griteDir: string, opts: { label?: string; now?: number } = {}): ActorInfo {
  const actorId = randomBytes(16).toString('hex');
  const dir = actorDir(griteDir, actorId);
  const createdTs = opts.now ?? Date.now();
  const file = join(dir, 'config.toml');
  const doc = TomlDocument.parse('', file);
  doc.set(['actor_id'], actorId);
  if (opts.label !== undefined) doc.set(['label'], opts.label);
  doc.set(['created_ts'], createdTs);
  try {
    mkdirSync(actorsDir(griteDir), { recursive: true });
    mkdirSync(dir);
  } catch (e) {
    throw new GriteError('io_error', `cannot create ${dir}`, { cause: e, details: { path: dir } });
  }
  writeFileAtomic(file, doc.toString());
  return { actorId, label: opts.label ?? null, createdTs, dataDir: resolve(dir) };
}

/**
 * Every actor of the repository, sorted by id. Directories that are not
 * actors (no config.toml, an invalid one, or an actor_id that differs from
 * the directory name) are skipped, as the Rust tool does.
 */
export function listActors(griteDir: string): ActorInfo[] {
  let names: string[];
  try {
    names = readdirSync(actorsDir(griteDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new GriteError('io_error', `cannot read ${actorsDir(griteDir)}`, { cause: e });
  }
  const out: ActorInfo[] = [];
  for (const name of names) {
    if (!ACTOR_HEX.test(name)) continue;
    try {
      const info = readActorConfig(actorDir(griteDir, name));
      if (info.actorId === name) out.push(info);
    } catch (e) {
      if (!isGriteError(e) || (e.code !== 'not_found' && e.code !== 'config_error')) throw e;
    }
  }
  return out.sort((a, b) => (a.actorId < b.actorId ? -1 : a.actorId > b.actorId ? 1 : 0));
}

/**
 * The actor with this exact id, or undefined when its directory or config.toml
 * is missing. A config.toml that cannot be read is an error, not a miss.
 */
export function findActor(griteDir: string, actorId: string): ActorInfo | undefined {
  if (!ACTOR_HEX.test(actorId)) return undefined;
  try {
    const info = readActorConfig(actorDir(griteDir, actorId));
    return info.actorId === actorId ? info : undefined;
  } catch (e) {
    if (isGriteError(e) && e.code === 'not_found') return undefined;
    throw e;
  }
}

/**
 * The actor named by `ref`: a full id, or a unique prefix of at least 4 hex
 * characters. Unknown: GriteError('not_found'); ambiguous or malformed:
 * GriteError('invalid_args') (an ambiguous prefix lists the candidates).
 */
export function readActor(griteDir: string, ref: string): ActorInfo {
  const id = ref.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(id) || id.length > 32) {
    throw new GriteError('invalid_args', `invalid actor id: ${ref}`, { hint: 'give an actor id in hex, or a prefix of one' });
  }
  if (id.length < MIN_PREFIX) {
    throw new GriteError('invalid_args', `actor prefix too short: ${ref}`, {
      hint: `give at least ${MIN_PREFIX} hex characters of the actor id`,
    });
  }
  const notFound = (): GriteError =>
    new GriteError('not_found', `no actor ${ref} in this repository`, {
      hint: 'grite actor list shows the actors',
      details: { actor: ref },
    });
  if (id.length === 32) {
    const info = findActor(griteDir, id);
    if (!info) throw notFound();
    return info;
  }
  const matches = listActors(griteDir).filter((a) => a.actorId.startsWith(id));
  if (matches.length === 0) throw notFound();
  if (matches.length > 1) {
    throw new GriteError('invalid_args', `ambiguous actor prefix ${ref}: ${matches.length} actors match`, {
      hint: 'give more characters of the actor id',
      details: { candidates: matches.map((a) => a.actorId) },
    });
  }
  return matches[0]!;
}

/** Makes the actor named by `ref` (see readActor) the repository default. */
export function setDefaultActor(griteDir: string, ref: string): ActorInfo {
  const actor = readActor(griteDir, ref);
  writeRepoConfig(griteDir, { defaultActor: actor.actorId });
  return actor;
}

/**
 * The actor a command runs as, in this order:
 * 1. `dataDir`, else GRITE_HOME: the actor in that directory;
 * 2. `actor`: that actor (it must exist);
 * 3. config.toml's default_actor, when that actor exists;
 * 4. the first actor by id;
 * 5. with `create`, a new actor, which becomes the default.
 * No actor and no `create`: GriteError('config_error').
 *
 * Step 5 is not locked: two processes creating the first actor at the same
 * moment each make one and the later becomes the default. `initGrite` up
 * front avoids it.
 */
export function resolveActor(griteDir: string, opts: ResolveActorOptions = {}): ResolvedActor {
  const env = opts.env ?? process.env;
  const dataDir = opts.dataDir ?? (env.GRITE_HOME !== undefined && env.GRITE_HOME !== '' ? env.GRITE_HOME : undefined);
  if (dataDir !== undefined) {
    try {
      return { actor: readActorConfig(dataDir), created: false, source: 'data_dir' };
    } catch (e) {
      if (isGriteError(e) && e.code === 'not_found') {
        throw new GriteError('config_error', `${resolve(dataDir)} holds no actor (config.toml is missing)`, {
          hint: opts.dataDir !== undefined ? 'point --data-dir at an actor directory' : 'point GRITE_HOME at an actor directory, or unset it',
          details: { dataDir: resolve(dataDir) },
          cause: e,
        });
      }
      throw e;
    }
  }
  if (opts.actor !== undefined) return { actor: readActor(griteDir, opts.actor), created: false, source: 'flag' };
  const config = readRepoConfig(griteDir);
  if (config.defaultActor !== null) {
    const actor = findActor(griteDir, config.defaultActor.toLowerCase());
    if (actor) return { actor, created: false, source: 'default' };
  }
  const first = listActors(griteDir)[0];
  if (first) return { actor: first, created: false, source: 'first' };
  if (!opts.create) {
    throw new GriteError('config_error', 'this repository has no grite actor', {
      hint: 'run grite init (or grite actor init) first',
      details: { griteDir },
    });
  }
  const actor = createActor(griteDir, opts.label === undefined ? {} : { label: opts.label });
  writeRepoConfig(griteDir, { defaultActor: actor.actorId });
  return { actor, created: true, source: 'new' };
}
