/**
 * Group commit (DESIGN.md section 5: "the daemon groups writes that arrive
 * together into one commit per actor"). An append costs a git commit, a ref
 * update and fsyncs whatever it holds, so the engine appends the events of
 * every write that finished validating while the previous append was on disk
 * in one `store.append` (which makes one commit per actor).
 *
 * - `enqueue(events)` adds a write's events to the open batch and resolves
 *   once the batch holding them is in the log and the view (never earlier:
 *   nothing is acknowledged before the ref moved).
 * - One append at a time. A batch opens with the first write after the last
 *   append started, and is flushed when that append has finished, on the
 *   next turn of the event loop (so writes validated meanwhile join it).
 * - An event already in the open batch is not queued twice (a retry while
 *   its first attempt waits); the store writes an event already in the log
 *   once, so a retry while its first attempt is being appended is safe too.
 * - A failed append fails every write of its batch with the same error;
 *   nothing of that batch is acknowledged.
 */
import { toHex, type Event as CoreEvent, type Store } from '@grite/core';

export interface BatchOutcome {
  walHead: string;
  /** Every event the batch wrote (all writes of the batch, not only the caller's). */
  written: readonly CoreEvent[];
}

interface Batch {
  events: CoreEvent[];
  /** event_id hex of the events queued. */
  ids: Set<string>;
  /** issue_id hex -> event_id hex of the IssueCreated events queued. */
  created: Map<string, string>;
  promise: Promise<BatchOutcome>;
  resolve: (o: BatchOutcome) => void;
  reject: (e: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: (o: BatchOutcome) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<BatchOutcome>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody awaits any more must not surface as an unhandled rejection.
  promise.catch(() => {});
  return { events: [], ids: new Set(), created: new Map(), promise, resolve, reject };
}

export class WriteBatcher {
  private open: Batch | null = null;
  private inFlight: Batch | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    /** Called after each append, before its writers are answered. */
    private readonly onWritten: (o: BatchOutcome) => void,
  ) {}

  /** True when the event is queued or being appended. */
  isPending(eventId: Uint8Array): boolean {
    const k = toHex(eventId);
    return (this.open?.ids.has(k) ?? false) || (this.inFlight?.ids.has(k) ?? false);
  }

  /** The event id of a queued or in-flight IssueCreated of `issueId`, if any. */
  pendingCreate(issueId: Uint8Array): string | null {
    const k = toHex(issueId);
    return this.open?.created.get(k) ?? this.inFlight?.created.get(k) ?? null;
  }

  /** Queues `events` (non-empty); resolves when they are in the log and the view. */
  enqueue(events: readonly CoreEvent[]): Promise<BatchOutcome> {
    const batch = (this.open ??= newBatch());
    for (const e of events) {
      const k = toHex(e.eventId);
      if (batch.ids.has(k)) continue;
      // Queued again even when the batch in flight holds it: should that
      // append fail, this one still writes it; should it succeed, the store
      // finds the event in the log and writes it once.
      batch.events.push(e);
      batch.ids.add(k);
      if (e.kind.type === 'IssueCreated') batch.created.set(toHex(e.issueId), k);
    }
    this.schedule();
    return batch.promise;
  }

  /** Resolves when nothing is queued or in flight. */
  async drain(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private schedule(): void {
    if (this.running !== null) return;
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.loop());
  }

  private async loop(): Promise<void> {
    try {
      while (this.open !== null) {
        const batch = this.open;
        this.open = null;
        this.inFlight = batch;
        try {
          const r = await this.store.append(batch.events);
          const outcome: BatchOutcome = { walHead: r.walHead, written: r.written };
          try {
            this.onWritten(outcome);
          } finally {
            batch.resolve(outcome);
          }
        } catch (e) {
          batch.reject(e);
        } finally {
          this.inFlight = null;
        }
        // Let the writers just answered, and others validated meanwhile, join the next batch.
        if (this.open !== null) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = null;
    }
  }
}
