/**
 * What a handler sees: the store, the request it answers, and the one way to
 * write (`ctx.write`), which appends, keeps the WAL watch in step and
 * announces each written event. Handlers never touch git or the view's files
 * themselves.
 */
import type { Event as CoreEvent, Store } from '@grite/core';
import type { Built, IpcRequest, IpcResult, IpcResultObject } from '@grite/protocol';

export interface WriteOutcome {
  /** The WAL head after the write (unchanged when every event was already in the log). */
  walHead: string;
}

export interface EngineContext {
  readonly store: Store;
  /** realpath of the repository's common git dir. */
  readonly commonDir: string;
  readonly build: string;
  readonly request: IpcRequest;
  /**
   * Queues `events` (validated and built) for the next group commit and
   * resolves once they are in the log and the view. Events already in the
   * log are not written again (a retry): then it answers the current head.
   */
  write(events: readonly CoreEvent[]): Promise<WriteOutcome>;
  /** True when the event is in the log or queued for the next group commit. */
  known(eventId: Uint8Array): boolean;
  /** The event id (hex) of an IssueCreated of `issueId` queued but not yet in the log. */
  pendingCreate(issueId: Uint8Array): string | null;
  /** Tells the view was rebuilt at `walHead` (null: the log is empty). */
  synced(walHead: string | null): void;
  /** Announces that the lock on `resource` moved (LockChanged; lock handlers). Optional: contexts that cannot announce leave it out. */
  lockChanged?(resource: string): void;
}

/** A handler's answer: an object-API result, or one that writes itself with the builder API. */
export type HandlerResult = IpcResultObject | Built<IpcResult>;

/** One command: `(ctx, command accessor) -> result`. Throws to answer an error. */
export type Handler<C> = (ctx: EngineContext, command: C) => Promise<HandlerResult>;
