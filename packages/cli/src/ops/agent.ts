/**
 * The agent operations: `grite batch` and `grite mcp` (sessions that keep one
 * daemon connection for many requests), `grite prime` (a briefing) and
 * `grite issue claim` (a lease lock on an issue plus the claimant as
 * assignee). Also the JSON of the ClaimResult table, for `issue claim` and
 * `issue ready --claim`.
 *
 * Sessions own stdin and stdout until their input ends, so they are not
 * plain ops: `session` does the whole run and answers the exit code
 * (run-op.ts hands over to it). Their code is imported lazily: the MCP SDK
 * never loads for other commands (it is not even in the fast entry's bundle,
 * see `lazyImport`).
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { bytesToHex, ClaimResult, IpcResult, IssueClaimT, LockInfo, type IpcResponse } from '@grite/protocol';
import { globalFlags } from '../flags.js';
import type { Outcome } from '../output.js';
import { summaryJson, type Json } from '../render/json.js';
import { shortId } from '../render/human.js';
import { parseTtl } from '../ttl.js';
import { usageError } from '../usage-error.js';
import type { JsonData, LocalOp, Op, OpInput, StoreOp, Values } from './op.js';

/** A claim lasts this long unless `--ttl` says otherwise. */
export const DEFAULT_CLAIM_TTL = '30m';

/** ClaimResult -> the JSON `data` of `issue claim` and `issue ready --claim`. */
export function claimJson(r: ClaimResult): { [key: string]: Json } {
  const issue = r.issue();
  const lock = r.lock(new LockInfo());
  const event = r.eventIdArray();
  return {
    issue: issue === null ? null : summaryJson(issue),
    lock:
      lock === null
        ? null
        : {
            resource: lock.resource() ?? '',
            owner: bytesToHex(lock.ownerArray()),
            nonce: lock.nonce() ?? '',
            expires_unix_ms: Number(lock.expiresUnixMs()),
          },
    already_held: r.alreadyHeld(),
    event_id: event !== null && event.length > 0 ? bytesToHex(event) : null,
    wal_head: r.walHead(),
    assignee: r.assignee(),
  };
}

/**
 * The `data` of results the shared renderer (render/json.ts) does not know,
 * or undefined for the others.
 */
export function agentResultJson(resp: IpcResponse): Json | undefined {
  if (resp.resultType() === IpcResult.ClaimResult) return claimJson(resp.result(new ClaimResult()) as ClaimResult);
  return undefined;
}

/** Human output of a claim. */
export function renderClaim(d: JsonData): string {
  const issue = d.issue as { issue_id: string; title: string } | null;
  if (issue === null) return 'nothing ready to claim\n';
  const lock = d.lock as { expires_unix_ms: number } | null;
  const until = lock ? new Date(lock.expires_unix_ms).toISOString().replace('T', ' ').slice(0, 16) : '';
  const verb = d.already_held ? 'already claimed' : 'claimed';
  return `${verb} ${shortId(issue.issue_id)}  ${issue.title}${until ? `  (until ${until} UTC)` : ''}\n`;
}

/** `--ttl` of a claim, in ms (default 30 minutes). */
export function claimTtlMs(flags: Values): number {
  const text = (flags.ttl as string | undefined) ?? DEFAULT_CLAIM_TTL;
  let ms: number;
  try {
    ms = parseTtl(text);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  if (ms > 0xffffffff) throw usageError(`--ttl ${text} is too long: at most 49 days`);
  return ms;
}

/**
 * Whether a store op writes with these flags: its own `write`, or a `claim`
 * flag that is set (`issue ready --claim` claims, so it needs an actor).
 */
export function opWrites(op: StoreOp, flags: Values): boolean {
  return op.write || ('claim' in op.flags && flags.claim === true);
}

export const claimTtlFlag = Flags.string({
  description: 'How long the claim lasts: 90s, 15m, 2h or plain seconds (default 30m).',
});

export const issueClaim: StoreOp = {
  kind: 'store',
  id: 'issue claim',
  summary: 'Claim an issue: an issue:<id> lease lock plus you as assignee (conflict when another actor holds it).',
  examples: ['<%= config.bin %> issue claim 1a2b --ttl 1h'],
  flags: { ...globalFlags, ttl: claimTtlFlag },
  args: { id: Args.string({ description: 'Issue id: any unique prefix of 4+ hex characters.', required: true }) },
  write: true,
  build: (input) => new IssueClaimT(input.args.id as string, BigInt(input.now), claimTtlMs(input.flags)),
  human: (d) => renderClaim(d),
};

// ---------------------------------------------------------------- sessions

/** An op that runs a whole session over stdin/stdout and answers its exit code. */
export interface SessionOp extends LocalOp {
  session: (input: OpInput, env: NodeJS.ProcessEnv) => Promise<Outcome>;
}

export function isSessionOp(op: Op): op is SessionOp {
  return op.kind === 'local' && typeof (op as Partial<SessionOp>).session === 'function';
}

/**
 * Imports a module of this package by a path computed at run time: the fast
 * entry's bundler leaves such imports alone, so what they load (the MCP SDK,
 * zod) stays out of the bundle every command loads.
 */
function lazyImport<T>(relative: string): Promise<T> {
  return import(new URL(relative, import.meta.url).href) as Promise<T>;
}

function notASession(id: string): never {
  throw usageError(`${id} runs as a session of its own; it cannot be run inside another`);
}

const sessionFlags = {
  daemon: globalFlags.daemon,
  actor: globalFlags.actor,
  'data-dir': globalFlags['data-dir'],
};

export const batch: SessionOp = {
  kind: 'local',
  id: 'batch',
  summary: 'Answer newline-delimited JSON requests on stdin, one JSON line each on stdout, over one daemon connection.',
  description:
    'Each input line is {"id", "op", "args", "fields"?}, e.g. {"id":1,"op":"issue show","args":{"id":"ab12"}}; ' +
    'each gets one output line: the --json envelope plus its id. The first output line is a hello listing the ops. ' +
    'Exit 0 when every request succeeded, 1 when any failed, 5 when the store could not be reached.',
  examples: [`printf '%s\\n' '{"id":1,"op":"issue list","args":{"limit":5}}' | <%= config.bin %> batch`],
  flags: {
    ...sessionFlags,
    atomic: Flags.boolean({ description: 'All writes of the input in one WAL commit, or none (sent when the input ends).', default: false }),
    'stop-on-error': Flags.boolean({ description: 'Stop at the first failed request.', default: false }),
  },
  args: {},
  run: () => notASession('batch'),
  session: async (input, env) => (await import('../batch/session.js')).runBatchSession(input, env),
};

export const mcp: SessionOp = {
  kind: 'local',
  id: 'mcp',
  summary: 'Serve grite to AI agents as an MCP server over stdio.',
  description: 'Register it with an agent client, e.g. `claude mcp add --transport stdio grite -- grite mcp`. Logs go to stderr.',
  flags: { ...sessionFlags },
  args: {},
  run: () => notASession('mcp'),
  session: async (input, env) => (await lazyImport<typeof import('../mcp/server.js')>('../mcp/server.js')).runMcpSession(input, env),
};

export const prime: LocalOp = {
  kind: 'local',
  id: 'prime',
  summary: "A short briefing for an agent's session: what grite is, the commands that matter, the ready queue, your claims.",
  flags: { ...globalFlags, limit: Flags.integer({ char: 'n', description: 'Ready issues to show.', default: 5, min: 1, max: 50 }) },
  args: {},
  run: async (input) => (await import('../batch/prime.js')).primeCommand(input),
  human: (d) => String(d.text ?? ''),
};

/** Every agent op, for the registry (ops/index.ts) and the sessions. */
export const AGENT_OPS: readonly Op[] = [batch, mcp, prime, issueClaim];
