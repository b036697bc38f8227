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
 * 4. the handler (see "Locks" below);
 * 5. the answer, encoded; anything thrown becomes an error answer (errors.ts).
 * `handle` never throws and never rejects.
 *
 * Locks. `lock` (an RwLock) keeps catch-up and rebuild apart from everything
 * that reads the view; `validation` (a Mutex) makes writes validate one at a
 * time, each against the state every earlier write left:
 * - reads hold `lock` shared;
 * - a `write` holds `lock` shared and `validation` while it validates and
 *   builds its events, and lets go of both once its events are queued for
 *   the next group commit (write-batcher.ts): what it checked (the issue
 *   exists, the text is valid) cannot be undone by the writes queued with it;
 * - a `serial-write` (close, reopen, dependency edges) checks state that
 *   other writes change (the issue's state, the graph), so it holds both
 *   until its events are in the log;
 * - `exclusive` (rebuild) holds `lock` alone, after the queued writes land.
 * Appends themselves take neither: they run one at a time in the batcher,
 * and reads meanwhile see the state before them (nothing is acknowledged
 * until its append is done, DESIGN.md section 5).
 *
 * Warm reads (response-cache.ts): the answers to the pure read commands
 * are kept encoded, keyed by the request's bytes, for as long as the view
 * stamp (`stamp()`) stands still. The stamp moves with every write
 * transaction of this process's view (View.changeCount: group commits,
 * catch-ups, rebuilds, syncs) and with `epoch`, which moves whenever the
 * WAL ref was seen to move (another process may have moved the ref *and*
 * the shared view file, leaving this process's View untouched), when a
 * handler reports a sync or rebuild, and after every write or exclusive
 * command. A cached answer is served only once the ref is known not to
 * have moved (ref-stat-gate.ts, then wal-watch.ts), exactly as a computed
 * one would be; the daemon's server asks `tryCached` first, synchronously.
 *
 * Notifications: `events` emits 'notification' with an EngineNotification:
 * EventApplied for every event a group commit wrote, and WalSynced whenever
 * the view moved to another WAL head than this engine last wrote or
 * announced (catch-up after another process, rebuild, sync), LockChanged
 * when a lock command moved a lock.
 */
import { EventEmitter } from 'node:events';
import { realpathSync } from 'node:fs';
import { Store, autoSnapshot, type Event as CoreEvent } from '@grite/core';
import {
  decodeMessage,
  encodeResponse,
  type IpcCommand,
  IpcRequest,
  MessageBody,
  ProtocolError,
  salvageRequestId,
  verifyMessage,
} from '@grite/protocol';
import { currentBuild } from '../build-id.js';
import type { EngineNotification } from '../server.js';
import type { EngineContext, HandlerResult, WriteOutcome } from './context.js';
import { commandName, dispatchEntry, type ServedEntry } from './dispatch.js';
import { errorResponse, invalidArgs } from './errors.js';
import { checkLockPolicy } from './lock-helpers.js';
import { RefStatGate } from './ref-stat-gate.js';
import { ResponseCache } from './response-cache.js';
import { Mutex, RwLock, type Release } from './rw-lock.js';
import { WalRefWatch } from './wal-watch.js';
import { WriteBatcher, type BatchOutcome } from './write-batcher.js';

// What the engine emits is what the server forwards: one type, the server's.
export type { EngineNotification };

/** The automatic snapshot is considered at most this often, after writes. */
const AUTO_SNAPSHOT_EVERY_MS = 1_000;

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
  private readonly validation = new Mutex();
  private readonly watch: WalRefWatch;
  private readonly gate: RefStatGate;
  private readonly batcher: WriteBatcher;
  /** Encoded answers of read commands (response-cache.ts). */
  readonly cache = new ResponseCache();
  /** Moves whenever the view may have changed in a way View.changeCount does not show. */
  private epoch = 0;
  private closed = false;
  private snapshotting = false;
  private lastSnapshotCheck = 0;
  /** Requests accepted and not yet answered; close() waits for them. */
  private inFlight = 0;
  private idle: (() => void) | null = null;
  /** The WAL head last written or announced here (the view file is shared with other processes). */
  private knownHead: string | null;

  private constructor(
    private readonly store: Store,
    commonDir: string,
    build: string,
  ) {
    this.commonDir = commonDir;
    this.build = build;
    this.watch = new WalRefWatch(commonDir);
    this.gate = new RefStatGate(commonDir);
    this.knownHead = store.view.walHead();
    this.batcher = new WriteBatcher(store, (o) => this.written(o));
  }

  /** Opens core's Store for the repository whose common git dir is `commonDir`. */
  static async open(opts: EngineOptions): Promise<Engine> {
    let commonDir: string;
    try {
      commonDir = realpathSync.native(opts.commonDir);
    } catch (e) {
      throw new ProtocolError('not_a_repo', `${opts.commonDir} does not exist`, { cause: e, details: { path: opts.commonDir } });
    }
    // Every group commit as one small pack (core's pack-writer.ts): the
    // daemon appends all day, and loose objects cost a file each.
    const store = await Store.open({ commonDir, wal: { packMinCommits: 1 }, catchUp: false });
    return new Engine(store, commonDir, opts.build ?? currentBuild());
  }

  /** Answers a verified request. Never throws: failures are error answers. */
  async handle(request: IpcRequest): Promise<Uint8Array> {
    let requestId: Uint8Array = EMPTY;
    this.inFlight++;
    try {
      requestId = request.requestIdArray() ?? EMPTY;
      const result = await this.run(request, requestId);
      return result instanceof Uint8Array ? result : encodeResponse(requestId, result);
    } catch (e) {
      return this.safeError(requestId, e);
    } finally {
      if (--this.inFlight === 0) this.idle?.();
    }
  }

  /** Whether a command type only reads the store (its dispatch mode is 'read'): CliRun's guard (server.ts). */
  isPureRead(commandType: number): boolean {
    return dispatchEntry(commandType as IpcCommand).mode === 'read';
  }

  /**
   * The cached answer to `request`, synchronously, when one is held and
   * valid now (the ref did not move, the view stamp stands); otherwise null
   * and the caller goes through `handle`. Never throws.
   */
  tryCached(request: IpcRequest): Uint8Array | null {
    try {
      if (this.closed) return null;
      const repo = request.repo();
      if (repo !== null && repo !== '' && repo !== this.commonDir) return null;
      const key = ResponseCache.keyOf(request);
      if (key === null || !this.unmoved()) return null;
      return this.cache.get(key, this.stamp(), request.requestIdArray()!);
    } catch {
      return null;
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

  /**
   * Refuses new requests (ipc_error), lets the requests already accepted
   * finish (their writes land), then closes the store.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.batcher.drain();
    this.gate.reset();
    await this.store.close();
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

  private checkOpen(): void {
    if (this.closed) throw new ProtocolError('ipc_error', 'the engine is closed', { hint: 'retry the command' });
  }

  /** The view stamp: equal stamps, same view (see the file comment). */
  private stamp(): string {
    return `${this.store.view.changeCount}:${this.epoch}`;
  }

  private async run(request: IpcRequest, requestId: Uint8Array): Promise<HandlerResult | Uint8Array> {
    this.checkOpen();
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
    switch (entry.mode) {
      case 'static':
        return entry.handler(this.context(request, null), command);
      case 'read': {
        await this.catchUpIfMoved();
        const key = ResponseCache.keyOf(request);
        if (key === null) return this.lock.read(() => entry.handler(this.context(request, null), command));
        return this.lock.read(async () => {
          const stamp = this.stamp();
          const hit = this.cache.get(key, stamp, requestId);
          if (hit !== null) return hit;
          const result = await entry.handler(this.context(request, null), command);
          // Kept only when nothing moved while the handler ran.
          return this.stamp() === stamp ? this.cache.put(key, stamp, requestId, result) : result;
        });
      }
      case 'write':
      case 'serial-write':
        try {
          return await this.runWrite(entry, request, command);
        } finally {
          this.epoch++;
        }
      case 'exclusive':
        return this.lock.write(async () => {
          try {
            await this.batcher.drain();
            await this.catchUpLocked();
            return await entry.handler(this.context(request, null), command);
          } finally {
            this.epoch++;
          }
        });
    }
  }

  private async runWrite(entry: ServedEntry, request: IpcRequest, command: unknown): Promise<HandlerResult> {
    await this.catchUpIfMoved();
    const releaseRead = await this.lock.acquireRead();
    let releaseValidation: Release | null = null;
    const release = (): void => {
      releaseValidation?.();
      releaseRead();
    };
    try {
      releaseValidation = await this.validation.acquire();
      const early = entry.mode === 'write' ? release : null;
      return await entry.handler(this.context(request, early), command);
    } finally {
      release();
    }
  }

  private checkRepo(repo: string | null): void {
    if (repo === null || repo === '' || repo === this.commonDir) return;
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

  /** `releaseOnQueue`: what a batchable write lets go of once its events are queued. */
  private context(request: IpcRequest, releaseOnQueue: Release | null): EngineContext {
    return {
      store: this.store,
      commonDir: this.commonDir,
      build: this.build,
      request,
      write: (events) => this.write(events, releaseOnQueue),
      known: (eventId) => this.store.view.hasEvent(eventId) || this.batcher.isPending(eventId),
      pendingCreate: (issueId) => this.batcher.pendingCreate(issueId),
      synced: (walHead) => {
        this.epoch++;
        this.gate.reset();
        this.watch.invalidate();
        this.knownHead = null;
        this.announceHead(walHead);
      },
      lockChanged: (resource) => this.notify({ kind: 'LockChanged', resource }),
    };
  }

  /**
   * True when the ref did not move since the view was last known to match
   * it: one stat while the gate trusts it, else the watch's full check.
   */
  private unmoved(): boolean {
    if (this.gate.unmoved()) return true;
    const sample = this.gate.sample();
    if (this.watch.changed() !== null) return false;
    this.gate.trust(sample);
    return true;
  }

  /**
   * Catches up when the WAL moved under this engine (another process, a
   * fetch, the Rust tool), announcing WalSynced; one stat when it did not.
   * The daemon polls it while anyone watches.
   */
  async refresh(): Promise<void> {
    if (this.closed) return;
    await this.catchUpIfMoved();
  }

  /** Reads and writes wait for a catch-up only when the ref moved. */
  private async catchUpIfMoved(): Promise<void> {
    if (this.unmoved()) return;
    await this.lock.write(() => this.catchUpLocked());
  }

  /** Under the write lock: catch up when the ref moved since last known. */
  private async catchUpLocked(): Promise<void> {
    const fingerprint = this.watch.changed();
    if (fingerprint === null) return;
    // The ref moved: whatever another process did to the shared view file
    // need not show in this View's change count.
    this.epoch++;
    this.gate.reset();
    try {
      await this.store.catchUp();
      this.watch.mark(fingerprint);
    } finally {
      this.epoch++;
    }
    this.announceHead(this.store.view.walHead());
  }

  private async write(events: readonly CoreEvent[], releaseOnQueue: Release | null): Promise<WriteOutcome> {
    const fresh = events.filter((e) => !this.store.view.hasEvent(e.eventId));
    if (fresh.length === 0) return { walHead: this.store.view.walHead() ?? '' };
    // Lock policy (DESIGN.md section 9), the one place every issue write
    // passes: `issue:<id>` and `repo:` locks of other actors are checked
    // before anything is queued; under `require` a conflict throws and
    // nothing is written (lock-helpers.ts).
    await checkLockPolicy(this.store, fresh);
    const done = this.batcher.enqueue(fresh);
    releaseOnQueue?.();
    return { walHead: (await done).walHead };
  }

  /** After each group commit, before its writers are answered. */
  private written(o: BatchOutcome): void {
    this.epoch++;
    // The ref as this write left it, read once: the gate holds the loose ref
    // and answers the next requests with one fstat (ref-stat-gate.ts); the
    // watch marks the text the gate read. When the gate could not pin it (it
    // is reset then), the watch reads it by path and marks only when it still
    // holds this head: not when another process moved it meanwhile.
    const loose = this.gate.pinOwnWrite(o.walHead);
    if (loose !== null) this.watch.markLoose(loose);
    else this.watch.markOwnWrite(o.walHead);
    this.knownHead = o.walHead;
    for (const e of o.written) this.notify({ kind: 'EventApplied', issueId: e.issueId, eventId: e.eventId });
    this.considerSnapshot();
  }

  /**
   * The automatic snapshot (config `snapshot.max_events`, core's
   * autoSnapshot): considered after writes, at most every
   * AUTO_SNAPSHOT_EVERY_MS, in the background so no write waits for it, and
   * never two at once. Below the threshold it only reads the view's count.
   */
  private considerSnapshot(): void {
    const now = Date.now();
    if (this.snapshotting || this.closed || now - this.lastSnapshotCheck < AUTO_SNAPSHOT_EVERY_MS) return;
    this.lastSnapshotCheck = now;
    this.snapshotting = true;
    autoSnapshot(this.store)
      .then((snap) => {
        if (snap !== null) this.notify({ kind: 'SnapshotCreated', ref: snap.ref });
      })
      .catch(() => undefined) // a snapshot is an optimisation: doctor reports a missing one
      .finally(() => {
        this.snapshotting = false;
      });
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
