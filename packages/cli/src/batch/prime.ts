/**
 * `grite prime`: the briefing an agent reads at the start of its session
 * (and `grite_help` over MCP): what grite is, the handful of commands that
 * matter, the top of the ready queue, and the agent's own claims. Compact on
 * purpose: a few hundred words, far under the 1,500 an agent should spend.
 *
 * "Your claims" are the open issues assigned to the acting actor (a claim
 * always adds the claimant as assignee), each with its lease when the
 * actor's `issue:` lock is still held; "your other locks" the actor's other
 * held leases (`lock status`).
 */
import type { JsonData, OpInput } from '../ops/op.js';
import { Executor } from './executor.js';
import { sessionOps } from './session.js';

interface Row {
  issue_id: string;
  title: string;
  labels: string[];
}

interface LockRow {
  resource: string;
  owner: string;
  expires_unix_ms: number;
}

const COMMANDS = [
  ['grite issue ready [--claim]', 'what to work on next; --claim takes the first unclaimed one'],
  ['grite issue claim <id> [--ttl 1h]', 'claim an issue (lease lock + you as assignee); exit 4 when another agent holds it'],
  ['grite issue show <id>', 'body, comments, dependencies'],
  ['grite issue list [--state open] [--label L] [--search T] [--limit N]', 'find issues'],
  ['grite issue create --title T [--body B] [--label L]', 'file an issue'],
  ['grite issue comment <id> --body B', 'report progress'],
  ['grite issue close <id>', 'done (then `grite lock release -r issue:<id>` ends your claim before its TTL)'],
  ['grite issue dep add <id> --target <id> --type blocks|depends_on', 'order work'],
  ['grite batch', 'many requests over one connection: JSON lines in, JSON lines out'],
] as const;

function line(r: Row): string {
  return `- ${r.issue_id.slice(0, 8)}  ${r.title}${r.labels.length ? `  [${r.labels.join(', ')}]` : ''}`;
}

export interface PrimeOptions {
  /** Ready issues to show. */
  limit: number;
  /** The acting actor's id (hex), when known. */
  actor: string | null;
}

/** The briefing's data and text, through a session's executor. */
export async function primeData(exec: Executor, opts: PrimeOptions): Promise<JsonData> {
  const ops = sessionOps();
  const ready = await exec.run(ops.get('issue ready')!, { limit: opts.limit });
  const mine =
    opts.actor === null ? null : await exec.run(ops.get('issue list')!, { assignee: opts.actor, state: 'open', limit: 20 });
  const status = await exec.run(ops.get('lock status')!, {});
  const readyRows = ready.ok ? ((ready.data.issues as Row[]) ?? []) : [];
  const readyTotal = ready.ok ? Number(ready.data.total ?? readyRows.length) : 0;
  const claimRows = mine?.ok ? ((mine.data.issues as Row[]) ?? []) : [];
  const now = Date.now();
  const held = status.ok ? ((status.data.locks as LockRow[] | undefined) ?? []).filter((l) => l.expires_unix_ms > now) : [];
  const holder = new Map(held.map((l) => [l.resource, l.owner]));
  const myLocks = held.filter((l) => l.owner === opts.actor);
  const leaseOf = new Map(myLocks.map((l) => [l.resource, l.expires_unix_ms]));
  const until = (ms: number | undefined): string => (ms === undefined ? '' : `  (claim until ${new Date(ms).toISOString().slice(11, 16)} UTC)`);

  const out: string[] = [];
  out.push('# grite: the issue tracker of this git repository');
  out.push('Issues live in git refs, not in the work tree: never edit files for them, use the commands.');
  out.push(
    opts.actor === null
      ? 'You have no actor yet: your first write creates one. Give each agent its own (`grite actor init --label <agent>`, then `--actor <id>` or GRITE_HOME).'
      : `You act as actor ${opts.actor}. Each agent needs its own actor (\`grite actor init --label <agent>\`, then \`--actor <id>\`).`,
  );
  out.push('', '## Commands (add --json for one JSON document on stdout)');
  for (const [cmd, what] of COMMANDS) out.push(`- \`${cmd}\`: ${what}`);
  out.push('Ids: any unique prefix of 4+ hex characters. Exit codes: 0 ok, 2 bad arguments, 3 not found, 4 conflict, 5 environment.');
  out.push('', '## Workflow', 'Claim before you start (`grite issue ready --claim`), comment as you go, close when done. A conflict means another agent has it: pick another.');
  out.push('', `## Ready (${readyRows.length} of ${readyTotal})`);
  if (!ready.ok) out.push(`(unavailable: ${ready.error.message})`);
  else if (readyRows.length === 0) out.push('(nothing is ready)');
  else {
    for (const r of readyRows) {
      const by = holder.get(`issue:${r.issue_id}`);
      out.push(`${line(r)}${by === undefined ? '' : by === opts.actor ? '  (claimed by you)' : `  (claimed by ${by.slice(0, 8)})`}`);
    }
  }
  out.push('', '## Your claims (open issues assigned to you)');
  if (claimRows.length === 0) out.push('(none)');
  else out.push(...claimRows.map((r) => `${line(r)}${until(leaseOf.get(`issue:${r.issue_id}`))}`));
  const otherLocks = myLocks.filter((l) => !l.resource.startsWith('issue:'));
  if (otherLocks.length > 0) {
    out.push('', '## Your other locks');
    out.push(...otherLocks.map((l) => `- ${l.resource}  (until ${new Date(l.expires_unix_ms).toISOString().slice(11, 16)} UTC)`));
  }
  return {
    actor: opts.actor,
    ready: readyRows.map((r) => ({ issue_id: r.issue_id, title: r.title, labels: r.labels, claimed_by: holder.get(`issue:${r.issue_id}`) ?? null })),
    ready_total: readyTotal,
    claims: claimRows.map((r) => ({ issue_id: r.issue_id, title: r.title, expires_unix_ms: leaseOf.get(`issue:${r.issue_id}`) ?? null })),
    locks: myLocks.map((l) => ({ resource: l.resource, expires_unix_ms: l.expires_unix_ms })),
    text: `${out.join('\n')}\n`,
  };
}

/** The acting actor's id, or null when none exists yet (reads never create one). */
export async function actingActor(input: OpInput, env: NodeJS.ProcessEnv): Promise<string | null> {
  const { resolveContext } = await import('@grite/daemon/context');
  const cwd = input.cwd;
  try {
    const ctx = resolveContext({
      cwd,
      actor: input.flags.actor as string | undefined,
      dataDir: input.flags['data-dir'] as string | undefined,
      env,
      write: false,
    });
    if (ctx.actor !== null) return ctx.actor.actorId;
    const local = await import('@grite/daemon/local');
    const cur = local.actorCurrent(cwd, {}) as { actor?: { actor_id?: string } };
    return cur.actor?.actor_id ?? null;
  } catch {
    return null;
  }
}

/** `grite prime` on the command line. */
export async function primeCommand(input: OpInput): Promise<JsonData> {
  const env = process.env;
  const exec = Executor.forInput(input, env);
  try {
    return await primeData(exec, { limit: Number(input.flags.limit ?? 5), actor: await actingActor(input, env) });
  } finally {
    await exec.close();
  }
}
