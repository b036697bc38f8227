/**
 * The order of a session's requests: as if run one by one in input order,
 * with reads overlapped.
 *
 * - A read starts at once, unless a write before it is still running: then
 *   it starts when that write is done (so it sees the write).
 * - A write starts when every request before it is done (so it sees their
 *   effects, and no read before it sees its own).
 * - `now` tasks (ping, answers to malformed lines) start at once, always.
 * Consecutive reads are in flight together on the one connection; their
 * answers come back in whatever order they finish, each with its id.
 */
export type TaskKind = 'read' | 'write' | 'now';

export class Scheduler {
  /** The latest write not yet done; reads after it wait for it. */
  private barrier: Promise<void> | null = null;
  private readonly active = new Set<Promise<void>>();
  private readonly idleWaiters: Array<() => void> = [];
  /** Called after each task is done (the session's reader waits on it for room). */
  onDone: (() => void) | null = null;

  /** Tasks started or waiting to start. */
  get size(): number {
    return this.active.size;
  }

  /** Schedules `task`; its failure is the task's to report (a rejection here is ignored). */
  add(kind: TaskKind, task: () => Promise<void>): void {
    let p: Promise<void>;
    if (kind === 'now' || (kind === 'read' && this.barrier === null)) {
      p = task();
    } else if (kind === 'read') {
      p = this.barrier!.then(task);
    } else {
      const before = [...this.active];
      p = (before.length === 0 ? task() : Promise.allSettled(before).then(task));
      const mine = p.then(
        () => undefined,
        () => undefined,
      );
      this.barrier = mine;
      void mine.then(() => {
        if (this.barrier === mine) this.barrier = null;
      });
    }
    const tracked = p.then(
      () => undefined,
      () => undefined,
    );
    this.active.add(tracked);
    void tracked.then(() => {
      this.active.delete(tracked);
      if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      this.onDone?.();
    });
  }

  /** Resolves when no task is running or waiting. */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
