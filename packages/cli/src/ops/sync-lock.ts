/**
 * Sync with a git remote and lease locks (DESIGN.md sections 8 and 9):
 * `sync`, `lock acquire|renew|release|status|gc`.
 *
 * Locks are taken by compare-and-swap on the default remote (origin, else the
 * only remote) when the repository has one, else on the local refs; their
 * owner is the acting actor, so acquire, renew and release are writes (they
 * need an actor). `lock status` reports conflicts for the actor named with
 * --actor/--data-dir/GRITE_HOME, else the repository's default actor.
 */
import * as Flags from '@oclif/core/flags';
import { LockAcquireT, LockGcT, LockReleaseT, LockRenewT, LockStatusT, SyncT } from '@grite/protocol';
import { globalFlags } from '../flags.js';
import { dim, shortId, table } from '../render/human.js';
import { parseTtl } from '../ttl.js';
import { usageError } from '../usage-error.js';
import type { JsonData, OpInput, StoreOp } from './op.js';

/** ttl_ms is a uint32 on the wire: about 49 days. */
const MAX_TTL_MS = 0xffff_ffff;
const DEFAULT_TTL = '15m';

const resourceFlag = Flags.string({
  char: 'r',
  description: 'What to lock: repo:<name> (everything), path:<path> (a file or directory), issue:<id> (an id prefix is resolved).',
  required: true,
});

const ttlFlag = Flags.string({ description: 'Lease length: 90s, 15m, 2h, or plain seconds.', default: DEFAULT_TTL });

/** --ttl in milliseconds; a bad value is invalid_args (exit 2), before anything is sent. */
function ttlMs(input: OpInput): number {
  const text = String(input.flags.ttl ?? DEFAULT_TTL);
  let ms: number;
  try {
    ms = parseTtl(text);
  } catch (e) {
    throw usageError(`--ttl: ${(e as Error).message}`, 'give --ttl like 90s, 15m, 2h or plain seconds');
  }
  if (ms > MAX_TTL_MS) throw usageError(`--ttl ${text} is too long: at most ${Math.floor(MAX_TTL_MS / 86_400_000)} days`);
  return ms;
}

function resource(input: OpInput): string {
  const r = String(input.flags.resource ?? '');
  if (r.trim() === '') throw usageError('--resource must not be empty', 'e.g. --resource repo:global, path:src/, issue:1a2b');
  return r;
}

function when(ms: unknown): string {
  return typeof ms === 'number' && ms > 0 ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '';
}

function lockState(expires: unknown, now: number): string {
  if (typeof expires !== 'number' || expires === 0) return 'released';
  return expires > now ? 'held' : 'expired';
}

function plural(n: unknown, what: string): string {
  return `${String(n)} ${what}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------- sync

export const sync: StoreOp = {
  kind: 'store',
  id: 'sync',
  summary: 'Pull and push the issue log with a git remote (default: pull, then push).',
  description:
    'Fetches the remote refs/grite/* into refs/grite-remotes/<remote>/ (local refs are never overwritten), merges the logs without rewriting the remote one, then pushes refs/grite/wal (never forced; a refused push is merged and retried). Lock refs move only through `grite lock`.',
  examples: ['<%= config.bin %> sync', '<%= config.bin %> sync --pull --remote upstream'],
  flags: {
    ...globalFlags,
    pull: Flags.boolean({ description: 'Pull only (with --push: both).', default: false }),
    push: Flags.boolean({ description: 'Push only (with --pull: both).', default: false }),
    remote: Flags.string({ description: 'The git remote (default: origin, else the only remote).' }),
  },
  args: {},
  // Merging never needs the acting actor: local-only events keep their own.
  write: false,
  build: (input) => {
    const pull = Boolean(input.flags.pull);
    const push = Boolean(input.flags.push);
    const remote = input.flags.remote as string | undefined;
    if (remote !== undefined && remote.trim() === '') throw usageError('--remote must not be empty');
    const both = !pull && !push;
    return new SyncT(remote ?? null, both || pull, both || push);
  },
  human: (d) => {
    const parts: string[] = [];
    if (d.pulled) parts.push(`pulled ${plural(d.events_pulled, 'event')}`);
    if (d.pushed) parts.push(`pushed ${plural(d.events_pushed, 'event')}`);
    const head = typeof d.wal_head === 'string' ? ` ${dim(`(wal ${d.wal_head.slice(0, 12)})`)}` : '';
    return `${parts.length > 0 ? parts.join(', ') : 'already in sync'}${head}\n`;
  },
};

// ---------------------------------------------------------------- locks

function lockLine(verb: string, d: JsonData): string {
  const until = d.expires_unix_ms === 0 ? '' : ` until ${when(d.expires_unix_ms)}`;
  return `${verb} ${String(d.resource)}${until} ${dim(`(owner ${shortId(d.owner)}, nonce ${String(d.nonce).slice(0, 8)})`)}\n`;
}

export const lockAcquire: StoreOp = {
  kind: 'store',
  id: 'lock acquire',
  summary: 'Take a lease lock (or extend your own); refused with exit 4 while another actor holds it or a conflicting resource.',
  examples: ['<%= config.bin %> lock acquire --resource repo:global --ttl 15m', '<%= config.bin %> lock acquire -r issue:1a2b --ttl 2h'],
  flags: { ...globalFlags, resource: resourceFlag, ttl: ttlFlag },
  args: {},
  write: true,
  build: (input) => new LockAcquireT(resource(input), ttlMs(input)),
  human: (d) => lockLine('locked', d),
};

export const lockRenew: StoreOp = {
  kind: 'store',
  id: 'lock renew',
  summary: 'Extend your lease on a resource to now + TTL.',
  examples: ['<%= config.bin %> lock renew --resource repo:global --ttl 15m'],
  flags: { ...globalFlags, resource: resourceFlag, ttl: ttlFlag },
  args: {},
  write: true,
  build: (input) => new LockRenewT(resource(input), ttlMs(input)),
  human: (d) => lockLine('renewed', d),
};

export const lockRelease: StoreOp = {
  kind: 'store',
  id: 'lock release',
  summary: 'Release your lease on a resource (a lock that is already free is left as it is).',
  examples: ['<%= config.bin %> lock release --resource repo:global'],
  flags: { ...globalFlags, resource: resourceFlag },
  args: {},
  write: true,
  build: (input) => new LockReleaseT(resource(input)),
  human: (d) => `released ${String(d.resource)}\n`,
};

interface LockJson {
  resource: string;
  owner: string;
  nonce: string;
  expires_unix_ms: number;
}

export const lockStatus: StoreOp = {
  kind: 'store',
  id: 'lock status',
  summary: 'List the locks (from the remote when there is one) and the ones that conflict with yours.',
  examples: ['<%= config.bin %> lock status', '<%= config.bin %> lock status --prefix issue:'],
  flags: { ...globalFlags, prefix: Flags.string({ description: 'Only locks whose resource starts with this.' }) },
  args: {},
  write: false,
  build: (input) => new LockStatusT((input.flags.prefix as string | undefined) ?? null),
  human: (d, input) => {
    const locks = (d.locks as LockJson[]) ?? [];
    const conflicts = (d.conflicts as { resource: string; held: LockJson }[]) ?? [];
    if (locks.length === 0) return 'no locks\n';
    let out = table(
      ['RESOURCE', 'OWNER', 'STATE', 'EXPIRES'],
      locks.map((l) => [l.resource, shortId(l.owner), lockState(l.expires_unix_ms, input.now), when(l.expires_unix_ms)]),
    );
    for (const c of conflicts) out += `conflict: your ${c.resource} with ${c.held.resource} held by ${shortId(c.held.owner)} until ${when(c.held.expires_unix_ms)}\n`;
    return out;
  },
};

export const lockGc: StoreOp = {
  kind: 'store',
  id: 'lock gc',
  summary: 'Delete the local lock refs whose lease expired or was released (the remote is not touched).',
  flags: { ...globalFlags },
  args: {},
  write: false,
  build: () => new LockGcT(),
  human: (d) => `pruned ${plural(d.expired_pruned, 'lock')}\n`,
};
