/**
 * Commands that work on grite's local files only (no event log, no view):
 * init, actors and config. The CLI calls these in-process; they answer plain
 * JSON data for the `--json` envelope.
 */
import { GriteError } from '@grite/core/errors';
import {
  createActor,
  initGrite,
  listActors,
  readActor,
  readRepoConfig,
  resolveActor,
  resolveRepo,
  setDefaultActor,
  updateRepoConfig,
  TomlDateTime,
  type ActorInfo,
  type TomlValue,
} from '@grite/core/repo';
import { writeAgentsSection, type AgentsMdResult } from './agents-md.js';

export { resolveContext, hexToActorBytes, type CliContext, type ContextOptions } from './context.js';
export { AGENTS_SECTION, writeAgentsSection } from './agents-md.js';

type Data = Record<string, unknown>;

function actorJson(a: ActorInfo, defaultActor: string | null): Data {
  return {
    actor_id: a.actorId,
    label: a.label,
    created_ts: a.createdTs,
    data_dir: a.dataDir,
    default: a.actorId === defaultActor,
  };
}

export function initCommand(cwd: string, opts: { label?: string; agentsMd: boolean }): Data {
  const repo = resolveRepo(cwd);
  const result = initGrite(repo.griteDir, opts.label === undefined ? {} : { label: opts.label });
  let agents: AgentsMdResult | null = null;
  if (opts.agentsMd && repo.workTree !== null) agents = writeAgentsSection(repo.workTree);
  return {
    grite_dir: result.griteDir,
    actor_id: result.actor.actorId,
    created: { grite_dir: result.created.griteDir, actor: result.created.actor, config: result.created.config },
    changed: result.changed || (agents !== null && agents.action !== 'unchanged'),
    agents_md: agents ? { path: agents.path, action: agents.action } : null,
  };
}

export function actorInit(cwd: string, opts: { label?: string; makeDefault: boolean }): Data {
  const repo = resolveRepo(cwd);
  const actor = createActor(repo.griteDir, opts.label === undefined ? {} : { label: opts.label });
  const config = readRepoConfig(repo.griteDir);
  if (opts.makeDefault || config.defaultActor === null) setDefaultActor(repo.griteDir, actor.actorId);
  return { actor: actorJson(actor, readRepoConfig(repo.griteDir).defaultActor) };
}

export function actorList(cwd: string): Data {
  const repo = resolveRepo(cwd);
  const def = readRepoConfig(repo.griteDir).defaultActor;
  return { actors: listActors(repo.griteDir).map((a) => actorJson(a, def)) };
}

export function actorShow(cwd: string, ref: string | undefined, opts: { actor?: string; dataDir?: string }): Data {
  const repo = resolveRepo(cwd);
  const def = readRepoConfig(repo.griteDir).defaultActor;
  if (ref !== undefined) return { actor: actorJson(readActor(repo.griteDir, ref), def) };
  return actorCurrent(cwd, opts);
}

export function actorCurrent(cwd: string, opts: { actor?: string; dataDir?: string }): Data {
  const repo = resolveRepo(cwd);
  const def = readRepoConfig(repo.griteDir).defaultActor;
  const r = resolveActor(repo.griteDir, { ...opts, create: false });
  return { actor: actorJson(r.actor, def), source: r.source };
}

export function actorUse(cwd: string, ref: string): Data {
  const repo = resolveRepo(cwd);
  const actor = setDefaultActor(repo.griteDir, ref);
  return { actor: actorJson(actor, actor.actorId) };
}

/** Config keys are dotted paths into config.toml (`lock_policy`, `snapshot.max_events`). */
function keyPath(key: string): string[] {
  const path = key.split('.');
  if (key.trim() === '' || path.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    throw new GriteError('invalid_args', `bad config key: ${JSON.stringify(key)}`, {
      hint: 'keys are dotted names such as lock_policy or snapshot.max_events',
    });
  }
  return path;
}

function lookup(values: unknown, path: string[]): unknown {
  let at: unknown = values;
  for (const p of path) {
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[p];
  }
  return at;
}

const KNOWN_VALUES: Record<string, readonly string[]> = { lock_policy: ['off', 'warn', 'require'], verify_signatures: ['off', 'warn', 'require'] };

export function configGet(cwd: string, key: string | undefined): Data {
  const repo = resolveRepo(cwd);
  const config = readRepoConfig(repo.griteDir);
  const effective: Data = {
    default_actor: config.defaultActor,
    lock_policy: config.lockPolicy,
    verify_signatures: config.verifySignatures,
    snapshot: { max_events: config.snapshot.maxEvents, max_age_days: config.snapshot.maxAgeDays },
  };
  if (key === undefined) return { path: config.file, config: plain({ ...(config.values as Data), ...effective }) as Data };
  const path = keyPath(key);
  let value = lookup(effective, path);
  if (value === undefined) value = lookup(config.values, path);
  if (value === undefined) {
    throw new GriteError('not_found', `config key ${key} is not set`, { hint: 'grite config get lists every key', details: { key } });
  }
  return { key, value: plain(value) };
}

/** TOML values as JSON: integers as numbers, dates as their text. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof TomlDateTime) return String(v);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Values are typed by their text: true/false, integers, else a string. */
function parseValue(raw: string): TomlValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+$/.test(raw) && Number.isSafeInteger(Number(raw))) return BigInt(raw);
  return raw;
}

export function configSet(cwd: string, key: string, raw: string): Data {
  const repo = resolveRepo(cwd);
  const path = keyPath(key);
  const allowed = KNOWN_VALUES[key];
  if (allowed && !allowed.includes(raw)) {
    throw new GriteError('invalid_args', `${key} must be one of ${allowed.join(', ')}`, { details: { key, value: raw } });
  }
  if (key === 'default_actor') readActor(repo.griteDir, raw);
  updateRepoConfig(repo.griteDir, [{ path, value: parseValue(raw) }]);
  return configGet(cwd, key);
}
