/**
 * Locks for the engine's async work.
 *
 * RwLock: readers share; a writer is alone. Waiters are served in arrival
 * order, and a waiting writer holds back the readers that arrive after it,
 * so a stream of reads cannot starve a write (or the catch-up that must run
 * before the next read).
 *
 * Mutex: one holder at a time, in arrival order.
 *
 * `acquire*` returns a release function that may be called early (a write
 * releases validation as soon as its events are queued) and more than once.
 */
export type Release = () => void;

interface Waiter {
  write: boolean;
  grant: () => void;
}

export class RwLock {
  private readers = 0;
  private writing = false;
  private readonly queue: Waiter[] = [];

  acquireRead(): Promise<Release> {
    return this.acquire(false);
  }

  acquireWrite(): Promise<Release> {
    return this.acquire(true);
  }

  /** Runs `fn` alongside other readers, never alongside a writer. */
  async read<T>(fn: () => Promise<T> | T): Promise<T> {
    const release = await this.acquire(false);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Runs `fn` alone. */
  async write<T>(fn: () => Promise<T> | T): Promise<T> {
    const release = await this.acquire(true);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private acquire(write: boolean): Promise<Release> {
    if (this.queue.length === 0 && this.canEnter(write)) return Promise.resolve(this.enter(write));
    return new Promise((resolve) => this.queue.push({ write, grant: () => resolve(this.enter(write)) }));
  }

  private canEnter(write: boolean): boolean {
    return write ? !this.writing && this.readers === 0 : !this.writing;
  }

  private enter(write: boolean): Release {
    if (write) this.writing = true;
    else this.readers++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (write) this.writing = false;
      else this.readers--;
      this.pump();
    };
  }

  private pump(): void {
    while (this.queue.length > 0 && this.canEnter(this.queue[0]!.write)) this.queue.shift()!.grant();
  }
}

export class Mutex {
  private readonly lock = new RwLock();

  acquire(): Promise<Release> {
    return this.lock.acquireWrite();
  }
}
