/**
 * A read/write lock for the engine's async work. Readers share; a writer is
 * alone. Waiters are served in arrival order, and a waiting writer holds back
 * the readers that arrive after it, so a stream of reads cannot starve a
 * write (or the catch-up that must run before the next read).
 */
interface Waiter {
  write: boolean;
  grant: () => void;
}

export class RwLock {
  private readers = 0;
  private writing = false;
  private readonly queue: Waiter[] = [];

  /** Runs `fn` alongside other readers, never alongside a writer. */
  async read<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.readers--;
      this.pump();
    }
  }

  /** Runs `fn` alone. */
  async write<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.writing = false;
      this.pump();
    }
  }

  /** True while nothing holds or waits for the lock. */
  get idle(): boolean {
    return !this.writing && this.readers === 0 && this.queue.length === 0;
  }

  private acquire(write: boolean): Promise<void> {
    if (this.queue.length === 0 && this.canEnter(write)) {
      this.enter(write);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ write, grant: resolve }));
  }

  private canEnter(write: boolean): boolean {
    return write ? !this.writing && this.readers === 0 : !this.writing;
  }

  private enter(write: boolean): void {
    if (write) this.writing = true;
    else this.readers++;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.canEnter(this.queue[0]!.write)) {
      const next = this.queue.shift()!;
      this.enter(next.write);
      next.grant();
    }
  }
}
