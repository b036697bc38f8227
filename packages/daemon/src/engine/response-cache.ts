/**
 * Encoded answers to read commands, kept while the view stays as it was
 * when they were computed, so that a repeated read (an agent polling
 * `issue show`, `issue ready`) costs a lookup and a copy instead of queries
 * and a FlatBuffers build.
 *
 * Key: the command type and the request message's bytes with its
 * request_id blanked. Equal keys are byte-equal requests apart from the id,
 * so they ask the same thing (repo, actor and command included); a request
 * encoded differently that means the same merely misses.
 *
 * Validity: every entry was computed at one `stamp` (the engine's view
 * stamp, see engine.ts); looking up or storing under another stamp first
 * drops everything. The engine stores an answer only when the stamp did not
 * move while the handler ran, so an entry never mixes two states.
 *
 * Bounds: at most `maxEntries` answers and `maxBytes` of them; an answer
 * over `maxEntryBytes` is never kept. The least recently used go first.
 *
 * Which commands: those whose answer is a function of the view and the
 * command alone (CACHEABLE). Not DbStats: its sizes and loose-object count
 * move without the view moving (SQLite checkpoints, a background repack).
 * Not the lock commands: lock refs move without the view moving.
 */
import { CachedResponse, IpcCommand, IpcRequest, type Built, type IpcResult, type IpcResultObject } from '@grite/protocol';

export const CACHEABLE: ReadonlySet<IpcCommand> = new Set([
  IpcCommand.IssueShow,
  IpcCommand.IssueList,
  IpcCommand.IssueReady,
  IpcCommand.IssueDepList,
  IpcCommand.IssueDepTopo,
]);

/** Bytes of a request_id (the only size a CachedResponse patches). */
const ID_BYTES = 16;

export interface ResponseCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  maxEntryBytes?: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private bytes = 0;
  private stamp = '';
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  hits = 0;
  misses = 0;

  constructor(opts: ResponseCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 512;
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
    this.maxEntryBytes = opts.maxEntryBytes ?? 4 * 1024 * 1024;
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes held now. */
  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * The key of `request` when its command is cacheable and its id can be
   * patched, else null. `request` must be the root of its buffer (as the
   * server and the engine decode it).
   */
  static keyOf(request: IpcRequest): string | null {
    const type = request.commandType();
    if (!CACHEABLE.has(type)) return null;
    const id = request.requestIdArray();
    if (id === null || id.length !== ID_BYTES) return null;
    const msg = request.bb!.bytes();
    const at = id.byteOffset - msg.byteOffset;
    if (at < 0 || at + ID_BYTES > msg.length) return null;
    const text = Buffer.from(msg.buffer, msg.byteOffset, msg.length).toString('latin1');
    return `${type}:${text.slice(0, at)}${text.slice(at + ID_BYTES)}`;
  }

  /** The answer to the request of `key` for `requestId`, when one is held for `stamp`. */
  get(key: string, stamp: string, requestId: Uint8Array): Uint8Array | null {
    if (stamp !== this.stamp) {
      this.reset(stamp);
      this.misses++;
      return null;
    }
    const hit = this.entries.get(key);
    if (hit === undefined) {
      this.misses++;
      return null;
    }
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, hit);
    this.hits++;
    return hit.encode(requestId);
  }

  /**
   * Encodes `result` once, keeps it when `stamp` still holds and it fits,
   * and returns the answer for `requestId`.
   */
  put(key: string, stamp: string, requestId: Uint8Array, result: IpcResultObject | Built<IpcResult>): Uint8Array {
    const cached = new CachedResponse(result);
    if (stamp !== this.stamp) this.reset(stamp);
    if (cached.length <= this.maxEntryBytes) {
      const old = this.entries.get(key);
      if (old !== undefined) {
        this.entries.delete(key);
        this.bytes -= old.length;
      }
      this.entries.set(key, cached);
      this.bytes += cached.length;
      for (const [k, v] of this.entries) {
        if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
        this.entries.delete(k);
        this.bytes -= v.length;
      }
    }
    return cached.encode(requestId);
  }

  /** Drops everything. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private reset(stamp: string): void {
    this.clear();
    this.stamp = stamp;
  }
}
