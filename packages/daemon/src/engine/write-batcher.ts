/**
 * Group commit (DESIGN.md section 5: "the daemon groups writes that arrive
 * together into one commit per actor"). An append costs a git commit, a ref
 * update and fsyncs whatever it holds, so the engine appends the events of
 * every write that finished validating meanwhile as one group (one commit
 * per actor, core's Store).
 *
 * - `enqueue(events)` adds a write's events to the open batch and resolves
 *   once the batch holding them is in the log and the view (never earlier:
 *   nothing is acknowledged before the ref moved).
 * - Pipelined, in order. A batch is staged (its commits written and fsynced,
 *   `Store.stageAppend`) on the tip of the batch staged before it, while that
 *   one may still be moving the ref; then it waits for that one to finish
 *   and moves the ref from that tip (`Store.commitStaged`). So the ref moves
 *   one batch at a time in the order the batches were opened (an actor's
 *   writes land in the order they were acknowledged to be queued), while the
 *   objects of the next batch reach the disk alongside. At most MAX_PENDING
 *   batches are staged and not committed.
 * - A batch opens with the first write after the last one was taken for
 *   staging, and is taken on a later turn of the event loop (so writes
 *   validated meanwhile join it). While it keeps growing from one turn to
 *   the next (the clients just answered are sending their next writes), it
 *   is taken only once a timer tick (~1 ms) passes without a new write, or
 *   GATHER_MS after it was first looked at: every batch costs three file
 *   creations and three fsyncs whatever its size, and a lone write never
 *   waits for a timer.
 * - A batch that cannot be committed as staged (the batch before it failed
 *   or fell back, another process moved the ref, its lock was held) is
 *   appended again with `Store.append`, which builds on the ref as it is
 *   and retries until its deadline. Its staged objects stay unreferenced.
 * - An event already in the open batch is not queued twice (a retry while
 *   its first attempt waits). A batch staged on an earlier one leaves out
 *   that one's events; should the earlier one fail, this one's commit fails
 *   too (the ref is not at the tip it was built on) and its append writes
 *   them. The store writes an event already in the log once.
 * - A failed append fails every write of its batch with the same error;
 *   nothing of that batch is acknowledged.
 */
import { toHex, type Event as CoreEvent, type StagedAppend, type Store } from '@grite/core';

export interface BatchOutcome {
  walHead: string;
  /** Every event the batch wrote (all writes of the batch, not only the caller's). */
  written: readonly CoreEvent[];
}

/** Batches staged and not yet committed, at most (the open batch waits). */
const MAX_PENDING = 2;

/** How long a growing batch may wait for more writes before it is taken. */
const GATHER_MS = 3;

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

/** A batch taken for staging, until its commit settles. */
interface Pending {
  batch: Batch;
  /** What was staged; null when nothing was (nothing left, or the stage failed). */
  staged: StagedAppend | null;
  /** Settles (never rejects) once the batch is committed, appended again, or failed. */
  done: Promise<void>;
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

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class WriteBatcher {
  private open: Batch | null = null;
  /** Oldest first. */
  private pending: Pending[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    /** Called after each batch is in the log and the view, before its writers are answered; in batch order. */
    private readonly onWritten: (o: BatchOutcome) => void,
  ) {}

  /** True when the event is queued or being appended. */
  isPending(eventId: Uint8Array): boolean {
    const k = toHex(eventId);
    return (this.open?.ids.has(k) ?? false) || this.pending.some((p) => p.batch.ids.has(k));
  }

  /** The event id of a queued or in-flight IssueCreated of `issueId`, if any. */
  pendingCreate(issueId: Uint8Array): string | null {
    const k = toHex(issueId);
    const open = this.open?.created.get(k);
    if (open !== undefined) return open;
    for (const p of this.pending) {
      const id = p.batch.created.get(k);
      if (id !== undefined) return id;
    }
    return null;
  }

  /** Queues `events` (non-empty); resolves when they are in the log and the view. */
  enqueue(events: readonly CoreEvent[]): Promise<BatchOutcome> {
    const batch = (this.open ??= newBatch());
    for (const e of events) {
      const k = toHex(e.eventId);
      if (batch.ids.has(k)) continue;
      // Queued again even when a batch in flight holds it: should that
      // append fail, this one still writes it; should it succeed, this
      // batch leaves it out (or the store finds it in the log).
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
    this.running = nextTurn().then(() => this.loop());
  }

  /** Stages the open batches one after another; each commits in turn. */
  private async loop(): Promise<void> {
    try {
      for (;;) {
        while (this.open !== null) {
          while (this.pending.length >= MAX_PENDING) await this.pending[0]!.done;
          await this.gather();
          const batch = this.open!;
          this.open = null;
          const before = this.pending.at(-1) ?? null;
          const entry: Pending = { batch, staged: null, done: Promise.resolve() };
          this.pending.push(entry);
          entry.staged = await this.stage(batch, before);
          entry.done = this.commit(entry, before);
        }
        // Ends only when nothing is pending and nothing opened meanwhile:
        // a write queued while the last commits finish is taken here, since
        // `schedule` starts no second loop while this one runs.
        if (this.pending.length === 0) break;
        await this.pending[0]!.done;
      }
    } finally {
      this.running = null;
    }
  }

  /** Waits while the open batch keeps growing (see the file comment). */
  private async gather(): Promise<void> {
    const start = Date.now();
    let n = this.open!.events.length;
    await nextTurn();
    while (this.open!.events.length !== n && Date.now() - start < GATHER_MS) {
      n = this.open!.events.length;
      await nextTick();
    }
  }

  /**
   * The batch's commits, on the tip of `before` when that one staged
   * something and has not landed yet, else on the ref. Null when nothing
   * was staged: then the commit appends.
   */
  private async stage(batch: Batch, before: Pending | null): Promise<StagedAppend | null> {
    try {
      if (before !== null && before.staged !== null) {
        const events = batch.events.filter((e) => !before.batch.ids.has(toHex(e.eventId)));
        if (events.length === 0) return null;
        return await this.store.stageAppend(events, before.staged.tip);
      }
      if (before !== null) await before.done; // it staged nothing: build on what it leaves
      return await this.store.stageAppend(batch.events);
    } catch {
      return null; // the commit step appends, and reports what fails there
    }
  }

  private async commit(entry: Pending, before: Pending | null): Promise<void> {
    const { batch, staged } = entry;
    try {
      if (before !== null) await before.done;
      let r = staged !== null ? await this.store.commitStaged(staged) : null;
      r ??= await this.store.append(batch.events);
      const outcome: BatchOutcome = { walHead: r.walHead, written: r.written };
      try {
        this.onWritten(outcome);
      } finally {
        batch.resolve(outcome);
      }
    } catch (e) {
      batch.reject(e);
    } finally {
      this.pending.splice(this.pending.indexOf(entry), 1);
    }
  }
}
