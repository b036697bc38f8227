/**
 * Sync: pull and/or push `refs/grite/*` with a git remote through core's
 * sync (DESIGN.md section 9), over this engine's store, so the view catches
 * up from the merge base as the merge lands. Runs as a serial write (it moves
 * the WAL): other writes wait for it. When the view moved (anything pulled),
 * WalSynced is announced.
 *
 * Git never prompts (core sets the environment and detaches the child).
 * Progress: when stderr is a terminal - only an in-process run has one, a
 * daemon's stdio is ignored - a sync that takes longer than a moment shows
 * its phase on one line of stderr, cleared when it ends. The answer is the
 * same either way.
 */
import { sync as coreSync, type SyncProgress } from '@grite/core';
import { SyncResultT, type Sync } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { invalidArgs } from '../errors.js';

/**
 * Refused pushes are retried (fetch, merge, push again) for this long. Kept
 * under the protocol's 30 s request timeout, so a daemon answers before its
 * client gives up on it.
 */
export const SYNC_DEADLINE_MS = 20_000;

/** Nothing is shown for a sync shorter than this. */
const PROGRESS_AFTER_MS = 500;

const PHASES: Record<SyncProgress['phase'], string> = {
  fetch: 'fetching from',
  merge: 'merging with',
  'catch-up': 'applying events from',
  push: 'pushing to',
};

/** One overwritten stderr line per phase, once the sync has run a while; null when stderr is no terminal. */
function terminalProgress(): { onProgress: (p: SyncProgress) => void; done: () => void } | null {
  const err = process.stderr;
  if (err.isTTY !== true) return null;
  const start = Date.now();
  let last: SyncProgress | null = null;
  let shown = false;
  const show = (): void => {
    if (last === null) return;
    const attempt = last.phase === 'push' && (last.attempt ?? 1) > 1 ? ` (attempt ${String(last.attempt)})` : '';
    err.write(`\r\x1b[Ksync: ${PHASES[last.phase]} ${last.remote}${attempt}...`);
    shown = true;
  };
  const timer = setTimeout(show, PROGRESS_AFTER_MS);
  timer.unref();
  return {
    onProgress: (p) => {
      last = p;
      if (Date.now() - start >= PROGRESS_AFTER_MS) show();
    },
    done: () => {
      clearTimeout(timer);
      if (shown) err.write('\r\x1b[K');
    },
  };
}

export async function sync(ctx: EngineContext, cmd: Sync): Promise<HandlerResult> {
  const pull = cmd.pull();
  const push = cmd.push();
  if (!pull && !push) {
    throw invalidArgs('a sync must pull, push or both', { hint: 'give --pull, --push, or neither for both' });
  }
  const remote = cmd.remote();
  const progress = terminalProgress();
  let r;
  try {
    r = await coreSync(ctx.store, {
      remote: remote === null || remote === '' ? null : remote,
      pull,
      push,
      deadlineMs: SYNC_DEADLINE_MS,
      ...(progress ? { onProgress: progress.onProgress } : {}),
    });
  } finally {
    progress?.done();
  }
  if (r.pulled) ctx.synced(r.walHead);
  return new SyncResultT(r.pulled, r.pushed, r.eventsPulled, r.eventsPushed, r.walHead, r.remoteWalHead, r.remote);
}
