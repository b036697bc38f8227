/**
 * Bringing a remote's WAL head into the local WAL (DESIGN.md section 9),
 * without ever rewriting the remote's history:
 *
 *   local absent                   -> local := remote
 *   remote is an ancestor of local -> nothing (local is ahead or equal)
 *   local is an ancestor of remote -> fast-forward: local := remote
 *   diverged (merge base B, or none) ->
 *       local := remote + one new commit per actor holding the events of the
 *       local commits after B (same event ids, same order within an actor,
 *       actors in order of first appearance), minus events the remote's
 *       commits after B already hold. For the remote this is a fast-forward.
 *
 * The local ref moves by compare-and-swap on the head the decision was made
 * on; when another local writer moved it meanwhile, everything is decided
 * again, until the deadline. Nothing is written before every local-only
 * commit has been read: an unreadable local commit stops the merge with
 * GriteError('wal_error') and the ref stays where it was, so no local event
 * can be lost.
 */
import { GriteError } from '../errors.js';
import type { Event } from '../event.js';
import { toHex } from '../codec/hex.js';
import { casRef, readRef } from '../git/refs.js';
import { runGit } from '../git/run-git.js';
import type { Wal } from '../git/wal.js';

export type MergeKind = 'no-remote' | 'up-to-date' | 'initial' | 'fast-forward' | 'merged';

export interface MergeOutcome {
  kind: MergeKind;
  /** The local head the decision was made on. */
  localBefore: string | null;
  /** The local head afterwards. */
  localAfter: string | null;
  remoteHead: string | null;
  /** Local-only events written again on top of the remote head (diverged only). */
  eventsRewritten: number;
  /** Commits written (diverged only). */
  commitsWritten: number;
}

/** The best common ancestor of two commits, or null when they share no history. */
export async function mergeBase(commonGitDir: string, a: string, b: string): Promise<string | null> {
  const r = await runGit(commonGitDir, ['merge-base', a, b], { allowFailure: true });
  if (r.code === 0) return r.stdout.toString('utf8').trim() || null;
  if (r.code === 1 && r.stderr === '') return null;
  throw new GriteError('git_error', `git merge-base ${a} ${b} failed: ${r.stderr}`, { details: { stderr: r.stderr } });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The events of the local-only commits (oldest first), refusing when one cannot be read. */
async function localOnlyEvents(wal: Wal, head: string, base: string | null): Promise<Event[]> {
  const commits: Event[][] = [];
  for await (const step of wal.walk(head, { stopAt: (oid) => oid === base })) {
    if (step.error) {
      throw new GriteError('wal_error', `cannot merge with the remote: local WAL commit ${step.oid} cannot be read (${step.error.message})`, {
        hint: 'Run `grite doctor`; nothing was changed, the local WAL is as it was.',
        details: { commit: step.oid },
        cause: step.error,
      });
    }
    commits.push(step.commit!.events);
  }
  commits.reverse();
  return commits.flat();
}

/** Ids of the events in the remote's commits after `base` (unreadable commits are skipped: they stay in its history anyway). */
async function remoteEventIds(wal: Wal, head: string, base: string | null): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const step of wal.walk(head, { stopAt: (oid) => oid === base })) {
    for (const e of step.commit?.events ?? []) ids.add(toHex(e.eventId));
  }
  return ids;
}

/**
 * Merge `remoteHead` into the local WAL (`wal.ref`) as described above.
 * Retries lost races on the local ref until `deadline` (unix ms), then
 * GriteError('conflict').
 */
export async function mergeRemoteHead(wal: Wal, remoteHead: string | null, deadline: number): Promise<MergeOutcome> {
  const dir = wal.commonGitDir;
  const ref = wal.ref;
  for (let attempt = 0; ; attempt++) {
    const local = await readRef(dir, ref);
    const out: MergeOutcome = {
      kind: 'up-to-date',
      localBefore: local,
      localAfter: local,
      remoteHead,
      eventsRewritten: 0,
      commitsWritten: 0,
    };
    if (remoteHead === null) return { ...out, kind: 'no-remote' };
    if (local === remoteHead) return out;
    let target: string;
    if (local === null) {
      out.kind = 'initial';
      target = remoteHead;
    } else {
      const base = await mergeBase(dir, local, remoteHead);
      if (base === remoteHead) return out;
      if (base === local) {
        out.kind = 'fast-forward';
        target = remoteHead;
      } else {
        out.kind = 'merged';
        const [mine, theirs] = await Promise.all([localOnlyEvents(wal, local, base), remoteEventIds(wal, remoteHead, base)]);
        const seen = new Set<string>();
        const todo = mine.filter((e) => {
          const k = toHex(e.eventId);
          if (theirs.has(k) || seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        if (todo.length === 0) {
          target = remoteHead;
        } else {
          target = await wal.writeCommits(todo, remoteHead);
          out.eventsRewritten = todo.length;
          out.commitsWritten = new Set(todo.map((e) => toHex(e.actor))).size;
        }
      }
    }
    if (await casRef(dir, ref, target, local)) return { ...out, localAfter: target };
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new GriteError('conflict', `could not move ${ref} to merge the remote's log: it kept changing`, {
        hint: 'Other local writers are busy; retry the sync.',
        details: { ref, attempts: attempt + 1 },
      });
    }
    await sleep(Math.min(left, Math.random() * Math.min(100, 5 * 2 ** Math.min(attempt, 5))));
  }
}
