/**
 * Keeping the object store packed. Every WAL commit adds a handful of loose
 * objects; once they pile up, `git repack -d -q` moves the loose objects
 * reachable from refs into one new pack and deletes the loose copies that
 * are now packed (prune-packed). It never deletes an object that is not in a
 * pack, so objects a concurrent writer has just written (not yet reachable,
 * still loose) survive, and nothing reachable is ever pruned. It does not
 * merge existing packs: consolidation is left to git's own gc.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GriteError } from '../errors.js';
import { runGit } from './run-git.js';

const FANOUT = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The number of loose objects in the repository (all 256 fan-out directories). */
export async function countLooseObjects(commonGitDir: string): Promise<number> {
  const objects = join(commonGitDir, 'objects');
  const counts = await Promise.all(
    FANOUT.map(async (d) => {
      try {
        const names = await readdir(join(objects, d));
        let n = 0;
        for (const name of names) if (/^[0-9a-f]{38}(?:[0-9a-f]{24})?$/.test(name)) n++;
        return n;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw new GriteError('io_error', `cannot list ${join(objects, d)}: ${(e as Error).message}`, { cause: e });
      }
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

export interface PackResult {
  /** Loose objects counted before deciding. */
  loose: number;
  /** Whether git repack ran. */
  packed: boolean;
}

const running = new Map<string, Promise<PackResult>>();

/**
 * Run `git repack -d -q` when at least `threshold` (default 1000) loose
 * objects are present. One repack at a time per repository in this process;
 * a call made while one runs waits for it.
 */
export function packIfNeeded(commonGitDir: string, opts: { threshold?: number } = {}): Promise<PackResult> {
  const busy = running.get(commonGitDir);
  if (busy) return busy;
  const threshold = opts.threshold ?? 1000;
  const p = (async (): Promise<PackResult> => {
    const loose = await countLooseObjects(commonGitDir);
    if (loose < threshold) return { loose, packed: false };
    await runGit(commonGitDir, ['repack', '-d', '-q']);
    return { loose, packed: true };
  })().finally(() => running.delete(commonGitDir));
  running.set(commonGitDir, p);
  return p;
}
