/**
 * The engine: one encoded IpcRequest in, one encoded IpcResponse out, over
 * core's Store for one repository. The daemon hosts it behind a socket; the
 * CLI loads it in-process when no daemon serves; both get the same bytes.
 *
 * Every request, in order:
 * 1. the envelope: `repo`, when set, must be this engine's common dir;
 * 2. the command's dispatch entry (dispatch.ts); unsupported commands answer
 *    `ipc_error` here;
 * 3. catch-up: when `refs/grite/wal` moved since the view was last known to
 *    match it (wal-watch.ts), the store catches up first, so no read is stale
 *    after another process, a `git fetch` or the Rust tool moved the ref;
 * 4. the handler, under the engine's lock: reads share it, writes and
 *    rebuilds hold it alone, so a write's validation and its append see the
 *    same state (DESIGN.md section 5) and a catch-up never runs under a read;
 * 5. the answer, encoded; anything thrown becomes an error answer (errors.ts).
 * `handle` never throws and never rejects.
 *
 * Notifications: `events` emits 'notification' with an EngineNotification
 * after each write (EventApplied per event the write added) and whenever
 * the view moved to another WAL head by catch-up or rebuild (WalSynced).
 */
import { EventEmitter } from 'node:events';
import { realpathSync } from 'node:fs';
import { Store, type Event as CoreEvent } from '@grite/core';
import {
  decodeMessage,
  encodeResponse,
  IpcRequest,
  MessageBody,
  ProtocolError,
  salvageRequestId,
  verifyMessage,
} from '@grite/protocol';
import { currentBuild } from '../build-id.js';
import type { EngineContext, WriteOutcome } from './context.js';
import { commandName, dispatchEntry, type ServedEntry } from './dispatch.js';
import { errorResponse, invalidArgs } from './errors.js';
import { RwLock } from './rw-lock.js';
import { WalRefWatch } from './wal-watch.js';

export type EngineNotification =
  | { kind: 'EventApplied'; issueId: Uint8Array; eventId: Uint8Array }
  | { kind: 'WalSynced'; walHead: string };

export interface EngineOptions {
  /** The repository's common git dir (realpath'd here). */
  commonDir: string;
  /** This build's id, answered in Hello. Default: currentBuild() (build-id.ts). */
  build?: string;
}

const EMPTY = new Uint8Array(0);

export class Engine {
  /** 'notification' events carry an EngineNotification. */
  readonly events = new EventEmitter();
  readonly commonDir: string;
  readonly build: string;
  private readonly lock = new RwLock();
  private readonly watch: WalRefWatch;
  private closed = false;
  /** The WAL head last announced or written here (the view file is shared with other processes). */
  private knownHead: string | null;

  private constructor(
    private readonly store: Store,
    commonDir: string,
    build: string,
  ) {
    this.commonDir = commonDir;
    this.build = build;
    this.watch = new WalRefWatch(commonDir);
    this.knownHead = store.view.walHead();
  }

  /** Opens core's Store for the repository whose common git dir is `commonDir`. */
  static async open(opts: EngineOptions): Promise<Engine> {
    let commonDir: string;
    try {
      commonDir = realpathSync.native(opts.commonDir);
    } catch (e) {
      throw new ProtocolError('not_a_repo', `${opts.commonDir} does not exist`, { cause: e, details: { path: opts.commonDir } });
    }
    const store = await Store.open({ commonDir });
    return new Engine(store, commonDir, opts.build ?? currentBuild());
  }

  /** Answers a verified request. Never throws: failures are error answers. */
  async handle(request: IpcRequest): Promise<Uint8Array> {
    let requestId: Uint8Array = EMPTY;
    try {
      requestId = request.requestIdArray() ?? EMPTY;
      const result = await this.run(request);
      return encodeResponse(requestId, result);
    } catch (e) {
      return this.safeError(requestId, e);
    }
  }

  /** Verifies and decodes one encoded Message holding an IpcRequest, then answers it (the in-process path). */
  async handleBytes(message: Uint8Array): Promise<Uint8Array> {
    try {
      const v = verifyMessage(message);
      if (!v.ok) return errorResponse(salvageRequestId(message), v.error);
      const msg = decodeMessage(message);
      if (msg.bodyType() !== MessageBody.IpcRequest) {
        return errorResponse(null, new ProtocolError('ipc_error', `expected a request, got ${MessageBody[msg.bodyType()] ?? 'an unknown body'}`));
      }
      return await this.handle(msg.body(new IpcRequest()) as IpcRequest);
    } catch (e) {
      return this.safeError(null, e);
    }
  }

  /** Waits for the requests in flight, then closes the store. Later requests answer ipc_error. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.write(() => this.store.close());
    this.events.removeAllListeners();
  }

  // ---------------------------------------------------------------- internals

  private safeError(requestId: Uint8Array | null, e: unknown): Uint8Array {
    try {
      return errorResponse(requestId, e);
    } catch {
      return errorResponse(null, new Error('could not encode the error answer'));
    }
  }

  private async run(request: IpcRequest) {
    if (this.closed) throw new ProtocolError('ipc_error', 'the engine is closed', { hint: 'retry the command' });
    this.checkRepo(request.repo());
    const type = request.commandType();
    const entry = dispatchEntry(type);
    if (entry.mode === 'unsupported') {
      throw new ProtocolError('ipc_error', `command ${commandName(type)} is not supported by this build`, {
        hint: entry.hint,
        details: { command: commandName(type), build: this.build },
      });
    }
    const command = request.command(new entry.accessor() as never) as unknown;
    if (command === null) throw new ProtocolError('ipc_error', `the ${commandName(type)} command has no body`);
    const ctx = this.context(request);
    switch (entry.mode) {
      case 'static':
        return entry.handler(ctx, command);
      case 'read':
        await this.catchUpIfMoved();
        return this.lock.read(() => entry.handler(ctx, command));
      case 'write':
        return this.lock.write(async () => {
          await this.catchUpLocked();
          return entry.handler(ctx, command);
        });
    }
  }

  private checkRepo(repo: string | null): void {
    if (repo === null || repo === '') return;
    let real = repo;
    try {
      real = realpathSync.native(repo);
    } catch {
      // A path that does not exist here cannot be this repository: compared as given.
    }
    if (real !== this.commonDir) {
      throw invalidArgs('request for another repository', {
        hint: 'send the request to the daemon of that repository, or run grite inside it',
        details: { repo, served: this.commonDir },
      });
    }
  }

  private context(request: IpcRequest): EngineContext {
    return {
      store: this.store,
      commonDir: this.commonDir,
      build: this.build,
      request,
      write: (events) => this.write(events),
      synced: (walHead) => {
        this.watch.invalidate();
        this.knownHead = null;
        this.announceHead(walHead);
      },
    };
  }

  /** Reads wait for a catch-up only when the ref moved. */
  private async catchUpIfMoved(): Promise<void> {
    if (this.watch.changed() === null) return;
    await this.lock.write(() => this.catchUpLocked());
  }

  /** Under the write lock: catch up when the ref moved since last known. */
  private async catchUpLocked(): Promise<void> {
    const fingerprint = this.watch.changed();
    if (fingerprint === null) return;
    await this.store.catchUp();
    this.watch.mark(fingerprint);
    this.announceHead(this.store.view.walHead());
  }

  /** Under the write lock (write handlers only). */
  private async write(events: readonly CoreEvent[]): Promise<WriteOutcome> {
    const fresh = events.filter((e) => !this.store.view.hasEvent(e.eventId));
    if (fresh.length === 0) return { walHead: this.store.view.walHead() ?? '' };
    const r = await this.store.append(fresh);
    this.watch.markOwnWrite(r.walHead);
    this.knownHead = r.walHead;
    for (const e of r.written) this.notify({ kind: 'EventApplied', issueId: e.issueId, eventId: e.eventId });
    return { walHead: r.walHead };
  }

  /**
   * WalSynced when the view reflects another head than the one last known
   * here. Compared with what this engine knew, not with the view before the
   * catch-up: another process may have moved the shared view file already.
   */
  private announceHead(head: string | null): void {
    if (head === this.knownHead) return;
    this.knownHead = head;
    if (head !== null) this.notify({ kind: 'WalSynced', walHead: head });
  }

  private notify(n: EngineNotification): void {
    try {
      this.events.emit('notification', n);
    } catch {
      // A listener's failure is the listener's: it never fails the request.
    }
  }
}
