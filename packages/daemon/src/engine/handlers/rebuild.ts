/**
 * Rebuild: replaces the view with the log read from the refs, from the whole
 * WAL or, with `from_snapshot`, from the newest snapshot that fits plus the
 * commits after it (core's rebuildView: the same events, so the same view).
 * `from_snapshot` in the answer says whether a snapshot was used (none
 * fitting: the whole WAL was read). Then, when the repository's policy says
 * a snapshot is due, one is taken.
 *
 * Progress goes to stderr when stderr is a terminal: in the CLI running the
 * engine in-process on a TTY; never in the daemon, whose stdio is detached.
 */
import { autoSnapshot, rebuildView, type LogLoadProgress } from '@grite/core';
import { RebuildResultT, type Rebuild } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';

/** At most this often a progress line is redrawn. */
const PROGRESS_EVERY_MS = 200;

function terminalProgress(): { report: (p: LogLoadProgress) => void; end: () => void } | null {
  if (process.stderr.isTTY !== true) return null;
  let last = 0;
  let shown = false;
  return {
    report(p) {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      shown = true;
      const what = p.phase === 'snapshot' ? 'snapshot read' : 'reading the WAL';
      process.stderr.write(`\rrebuilding the view: ${what}, ${p.commits} commits, ${p.events} events\x1b[K`);
    },
    end() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

export async function rebuild(ctx: EngineContext, cmd: Rebuild): Promise<HandlerResult> {
  const progress = terminalProgress();
  let r;
  try {
    r = await rebuildView(ctx.store, { fromSnapshot: cmd.fromSnapshot(), ...(progress ? { onProgress: progress.report } : {}) });
  } finally {
    progress?.end();
  }
  ctx.synced(r.walHead);
  await autoSnapshot(ctx.store).catch(() => null); // a snapshot is a cache: failing to take one fails nothing
  return new RebuildResultT(r.walHead ?? '', r.eventCount, r.snapshot !== null);
}
