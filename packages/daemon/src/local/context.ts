/**
 * What a CLI call needs before it can build a request: the repository (its
 * common git dir) and, for writes, the actor. In-process and spawn-free: this
 * runs on every call.
 *
 * Reads never create anything: in a repository where grite was never
 * initialised they go out without an actor and show nothing. The first write
 * creates the actor (and the grite dir and config), as `grite init` would.
 */
import { resolveActor, resolveRepo, type ActorInfo, type RepoPaths } from '@grite/core/repo';

export { resolveRepo };

export interface CliContext {
  repo: RepoPaths;
  actor: ActorInfo | null;
  /** The actor as 16 bytes, or null when a read found none. */
  actorId: Uint8Array | null;
}

export interface ContextOptions {
  cwd: string;
  actor?: string | undefined;
  dataDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** A write: create the actor when the repository has none. */
  write: boolean;
}

export function hexToActorBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/**
 * Whether resolveContext resolves an actor: for a write, or when one is named
 * (--actor, --data-dir, GRITE_HOME). Otherwise the context is the repository
 * alone, with no actor.
 */
export function actorNeeded(opts: Omit<ContextOptions, 'cwd'>): boolean {
  const env = opts.env ?? process.env;
  return opts.write === true || opts.actor !== undefined || opts.dataDir !== undefined || (env.GRITE_HOME ?? '') !== '';
}

export function resolveContext(opts: ContextOptions): CliContext {
  const env = opts.env ?? process.env;
  const repo = resolveRepo(opts.cwd, env);
  let actor: ActorInfo | null = null;
  if (actorNeeded(opts)) {
    actor = resolveActor(repo.griteDir, {
      ...(opts.actor !== undefined ? { actor: opts.actor } : {}),
      ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
      env,
      create: opts.write,
    }).actor;
  }
  return { repo, actor, actorId: actor ? hexToActorBytes(actor.actorId) : null };
}
