/**
 * Batch (`grite batch --atomic`): several write requests validated together
 * and appended in one `store.append` (one commit per actor, one move of
 * `refs/grite/wal`), or not at all.
 *
 * Why a command, not an engine method: the CLI's batch session talks to the
 * daemon over one connection, and the daemon's single writer is the only
 * place where "validate everything, then write once" can hold while other
 * clients write; in-process, the same command runs through the same engine.
 * The items are whole IpcRequests, so each keeps its own request_id (the
 * answer echoes it), actor and client-chosen ts, and a retried batch builds
 * the same event ids as the first attempt.
 *
 * How it runs (the dispatch entry is `serial-write`: the batch holds the
 * validation lock from its first check until its events are in the log, so
 * no other write is validated in between):
 * 1. Each item runs its own command's handler with a staging context: the
 *    handler validates and builds its events exactly as it would alone, and
 *    its `ctx.write` records them instead of appending, answering only once
 *    the whole batch is written (or refused). Items run one after another,
 *    in order; the next starts when the previous has staged its events or
 *    finished without writing.
 * 2. Checks across items, which a handler alone cannot see because staged
 *    events are not in the view: one state change per issue, and no cycle of
 *    waiting closed by the new dependency edges together (with the edges in
 *    the view). Each item is otherwise validated against the store as it was
 *    before the batch; an item does not see the events of earlier items
 *    (removing an edge added by an earlier item is `not_found`).
 * 3. The first failure ends the batch: nothing is written, the failing item
 *    answers its own error, every other item `invalid_args` naming it.
 * 4. Otherwise all staged events go to one `ctx.write`; the staged writes
 *    are answered with the new head and each handler finishes its answer.
 * Not done: reads, claims (a lock outside the log cannot be rolled back)
 * and nested batches are refused as items.
 */
import { toHex, type Event as CoreEvent } from '@grite/core';
import {
  built,
  flatbuffers,
  IpcCommand,
  IpcError,
  IpcRequest,
  IpcResponse,
  IPC_RESULT_MEMBERS,
  IpcResult,
  KeyValue,
  BatchResult,
  SCHEMA_VERSION,
  type Batch,
  type Built,
  type IpcResultObject,
} from '@grite/protocol';
import type { EngineContext, HandlerResult, WriteOutcome } from '../context.js';
import { cycleError } from '../deps.js';
import { commandName, dispatchEntry } from '../dispatch.js';
import { invalidArgs, toIpcError } from '../errors.js';

/** The commands an atomic batch may hold. */
const ITEM_COMMANDS: ReadonlySet<IpcCommand> = new Set([
  IpcCommand.IssueCreate,
  IpcCommand.IssueUpdate,
  IpcCommand.IssueComment,
  IpcCommand.IssueClose,
  IpcCommand.IssueReopen,
  IpcCommand.IssueLabel,
  IpcCommand.IssueAssign,
  IpcCommand.IssueLink,
  IpcCommand.IssueAttach,
  IpcCommand.IssueDepAdd,
  IpcCommand.IssueDepRemove,
]);

/** Most items one batch may hold. */
export const MAX_BATCH_ITEMS = 10_000;

const EMPTY = new Uint8Array(0);

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One item of the batch while it runs. */
interface Item {
  requestId: Uint8Array;
  /** The events its handler staged (null: it wrote nothing). */
  staged: CoreEvent[] | null;
  /** Answers the staged write once the batch is written or refused. */
  write: Deferred<WriteOutcome> | null;
  /** The handler's answer (settles after `write` does). */
  outcome: Promise<HandlerResult> | null;
  /** Its own failure, before or instead of staging. */
  error: unknown;
}

/** Everything staged by the items so far: what a handler's `known`/`pendingCreate` must also see. */
class Staging {
  readonly ids = new Set<string>();
  readonly creates = new Map<string, string>();
  /** issue_id hex of the issues whose state an item changes. */
  readonly stateChanged = new Set<string>();
  /** Staged waiting arcs: waiter hex -> waitee hex[]. */
  readonly waits = new Map<string, string[]>();
  readonly bytes = new Map<string, Uint8Array>();

  add(events: readonly CoreEvent[]): void {
    for (const e of events) {
      const id = toHex(e.eventId);
      this.ids.add(id);
      if (e.kind.type === 'IssueCreated') this.creates.set(toHex(e.issueId), id);
    }
  }
}

/** The waiter and waitee of a dependency edge (DESIGN.md section 3), or null for related_to. */
function arc(issueId: Uint8Array, target: Uint8Array, depType: string): [Uint8Array, Uint8Array] | null {
  if (depType === 'blocks') return [target, issueId];
  if (depType === 'depends_on') return [issueId, target];
  return null;
}

/** The issues `node` waits for in the view. */
function viewWaits(ctx: EngineContext, node: Uint8Array): Uint8Array[] {
  const out = ctx.store.view.listDeps(node, 'out').filter((d) => d.depType === 'depends_on').map((d) => d.issueId);
  const inn = ctx.store.view.listDeps(node, 'in').filter((d) => d.depType === 'blocks').map((d) => d.issueId);
  return [...out, ...inn];
}

/**
 * A path of waiting from `from` to `goal` over the view's arcs plus the
 * staged ones, as the list of issues from `from` to `goal`; null when none.
 */
function waitPath(ctx: EngineContext, staging: Staging, from: Uint8Array, goal: Uint8Array): Uint8Array[] | null {
  const goalHex = toHex(goal);
  const parent = new Map<string, string | null>([[toHex(from), null]]);
  const ids = new Map<string, Uint8Array>([[toHex(from), from]]);
  const queue: Uint8Array[] = [from];
  for (let i = 0; i < queue.length; i++) {
    const at = toHex(queue[i]!);
    const next = [...viewWaits(ctx, queue[i]!), ...(staging.waits.get(at) ?? []).map((h) => staging.bytes.get(h)!)];
    for (const n of next) {
      const h = toHex(n);
      if (parent.has(h)) continue;
      parent.set(h, at);
      ids.set(h, n);
      if (h === goalHex) {
        const path: Uint8Array[] = [];
        for (let p: string | null = h; p !== null; p = parent.get(p) ?? null) path.push(ids.get(p)!);
        return path.reverse();
      }
      queue.push(n);
    }
  }
  return null;
}

/** Commands that set an issue's state, whether or not they write (closing a closed issue writes nothing). */
const STATE_COMMANDS: ReadonlySet<IpcCommand> = new Set([IpcCommand.IssueClose, IpcCommand.IssueReopen]);

/**
 * The checks across items, for one item: the issues whose state it sets
 * (its close or reopen, written or not, and any StateChanged it staged) must
 * not have been set by an earlier item, since each item is validated against
 * the state before the batch; and a new edge must not close a cycle of
 * waiting together with edges staged before it. Records the item's changes
 * when it passes.
 */
function checkAcross(ctx: EngineContext, staging: Staging, events: readonly CoreEvent[], stateSet: readonly Uint8Array[]): void {
  const states = new Set<string>(stateSet.map(toHex));
  for (const e of events) if (e.kind.type === 'StateChanged') states.add(toHex(e.issueId));
  for (const issue of states) {
    if (staging.stateChanged.has(issue)) {
      throw invalidArgs(`an atomic batch may change the state of issue ${issue} only once`, {
        hint: 'send the second close or reopen in another batch',
        details: { issue },
      });
    }
  }
  for (const issue of states) staging.stateChanged.add(issue);
  for (const e of events) {
    if (e.kind.type === 'DependencyAdded') {
      const a = arc(e.issueId, e.kind.target, e.kind.depType);
      if (a === null) continue;
      const [waiter, waitee] = a;
      // The handler checked the view alone; only staged arcs can add a path.
      if (staging.waits.size > 0) {
        const back = waitPath(ctx, staging, waitee, waiter);
        if (back !== null) throw cycleError([waiter, ...back]);
      }
      const w = toHex(waiter);
      const list = staging.waits.get(w) ?? [];
      list.push(toHex(waitee));
      staging.waits.set(w, list);
      staging.bytes.set(w, waiter);
      staging.bytes.set(toHex(waitee), waitee);
    }
  }
}

function checkItem(ctx: EngineContext, req: IpcRequest): void {
  const type = req.commandType();
  if (!ITEM_COMMANDS.has(type)) {
    throw invalidArgs(`${commandName(type)} cannot be part of an atomic batch: only issue writes can`, {
      hint: 'send reads, claims and lock commands outside the atomic batch',
      details: { command: commandName(type) },
    });
  }
  const repo = req.repo();
  if (repo !== null && repo !== '' && repo !== ctx.commonDir) {
    throw invalidArgs('batch item for another repository', { details: { repo, served: ctx.commonDir } });
  }
}

/**
 * Runs one item's handler with a staging context; resolves once it staged
 * its events or finished (successfully or not) without staging.
 */
async function runItem(ctx: EngineContext, req: IpcRequest, staging: Staging): Promise<Item> {
  const item: Item = { requestId: req.requestIdArray() ?? EMPTY, staged: null, write: null, outcome: null, error: undefined };
  try {
    checkItem(ctx, req);
  } catch (e) {
    item.error = e;
    return item;
  }
  const entry = dispatchEntry(req.commandType());
  if (entry.mode === 'unsupported') throw new Error('unreachable: item commands are served');
  const command = req.command(new entry.accessor() as never) as unknown;
  if (command === null) {
    item.error = invalidArgs(`the ${commandName(req.commandType())} item has no body`);
    return item;
  }
  const settledOrStaged = deferred<void>();
  const sub: EngineContext = {
    store: ctx.store,
    commonDir: ctx.commonDir,
    build: ctx.build,
    request: req,
    write: (events) => {
      if (item.write !== null) return Promise.reject(new Error('a batch item may write once'));
      item.staged = [...events];
      item.write = deferred<WriteOutcome>();
      settledOrStaged.resolve();
      return item.write.promise;
    },
    known: (eventId) => ctx.known(eventId) || staging.ids.has(toHex(eventId)),
    pendingCreate: (issueId) => ctx.pendingCreate(issueId) ?? staging.creates.get(toHex(issueId)) ?? null,
    synced: (head) => ctx.synced(head),
    lockChanged: (resource) => ctx.lockChanged?.(resource),
  };
  item.outcome = entry.handler(sub, command);
  item.outcome.then(
    () => settledOrStaged.resolve(),
    (e: unknown) => {
      if (item.write === null) item.error = e;
      settledOrStaged.resolve();
    },
  );
  await settledOrStaged.promise;
  if (item.error === undefined) {
    try {
      const stateSet: Uint8Array[] = [];
      if (STATE_COMMANDS.has(req.commandType()) && item.staged === null) {
        // Settled without writing: its answer names the issue it found already in that state.
        const answer = (await item.outcome) as { issueId?: number[] };
        if (Array.isArray(answer.issueId)) stateSet.push(Uint8Array.from(answer.issueId));
      }
      checkAcross(ctx, staging, item.staged ?? [], stateSet);
      if (item.staged !== null) staging.add(item.staged);
    } catch (e) {
      item.error = e;
    }
  }
  return item;
}

/** A response table: the item's result, or its error. */
type Answer = { ok: true; result: HandlerResult } | { ok: false; error: unknown };

const RESULT_TYPES = new Map<unknown, IpcResult>(IPC_RESULT_MEMBERS.map((m) => [m.objectClass, m.type]));

function isBuilt(r: HandlerResult): r is Built<IpcResult> {
  return typeof (r as Built<IpcResult>).build === 'function';
}

function writeResult(b: flatbuffers.Builder, r: HandlerResult): [IpcResult, flatbuffers.Offset] {
  if (isBuilt(r)) return [r.type, r.build(b)];
  const type = RESULT_TYPES.get((r as object).constructor);
  if (type === undefined) throw new Error(`not an IpcResult member: ${String((r as object).constructor?.name)}`);
  return [type, (r as IpcResultObject).pack(b)];
}

function writeError(b: flatbuffers.Builder, e: unknown): flatbuffers.Offset {
  const p = toIpcError(e);
  const kvs: flatbuffers.Offset[] = [];
  for (const [key, value] of Object.entries(p.details)) {
    const k = b.createString(key);
    const v = typeof value === 'string' ? b.createString(value) : 0;
    const vs = typeof value === 'string' ? 0 : KeyValue.createValuesVector(b, value.map((s) => b.createString(s)));
    kvs.push(KeyValue.createKeyValue(b, k, v, vs));
  }
  const details = kvs.length > 0 ? IpcError.createDetailsVector(b, kvs) : 0;
  return IpcError.createIpcError(b, b.createString(p.code), b.createString(p.message), b.createString(p.hint), details);
}

function writeResponse(b: flatbuffers.Builder, requestId: Uint8Array, a: Answer): flatbuffers.Offset {
  let type = IpcResult.NONE;
  let result = 0;
  let error = 0;
  if (a.ok) [type, result] = writeResult(b, a.result);
  else error = writeError(b, a.error);
  const rid = b.createByteVector(requestId);
  IpcResponse.startIpcResponse(b);
  IpcResponse.addSchemaVersion(b, SCHEMA_VERSION);
  IpcResponse.addRequestId(b, rid);
  IpcResponse.addOk(b, a.ok);
  if (a.ok) {
    IpcResponse.addResultType(b, type);
    IpcResponse.addResult(b, result);
  } else {
    IpcResponse.addError(b, error);
  }
  return IpcResponse.endIpcResponse(b);
}

function batchResult(committed: boolean, walHead: string, ids: readonly Uint8Array[], answers: readonly Answer[]): Built<IpcResult> {
  return built(IpcResult.BatchResult, (b) => {
    const responses = answers.map((a, i) => writeResponse(b, ids[i]!, a));
    const vec = BatchResult.createResponsesVector(b, responses);
    const head = b.createString(walHead);
    BatchResult.startBatchResult(b);
    BatchResult.addCommitted(b, committed);
    BatchResult.addWalHead(b, head);
    BatchResult.addResponses(b, vec);
    return BatchResult.endBatchResult(b);
  });
}

async function settle(p: Promise<HandlerResult> | null, fallback: unknown): Promise<Answer> {
  if (p === null) return { ok: false, error: fallback };
  try {
    return { ok: true, result: await p };
  } catch (e) {
    return { ok: false, error: e };
  }
}

function abortError(index: number, requestId: Uint8Array, cause: unknown): Error {
  const c = toIpcError(cause);
  return invalidArgs(`not written: item ${index + 1} of this atomic batch failed (${c.code}: ${c.message})`, {
    hint: 'fix that request and send the batch again; nothing of the batch was written',
    details: { failed_index: String(index), failed_request_id: toHex(requestId), failed_code: c.code },
  });
}

export async function batch(ctx: EngineContext, cmd: Batch): Promise<HandlerResult> {
  const n = cmd.requestsLength();
  if (n === 0) throw invalidArgs('an atomic batch needs at least one request');
  if (n > MAX_BATCH_ITEMS) throw invalidArgs(`an atomic batch holds at most ${MAX_BATCH_ITEMS} requests, got ${n}`);
  const requests: IpcRequest[] = [];
  for (let i = 0; i < n; i++) requests.push(cmd.requests(i, new IpcRequest())!);
  const ids = requests.map((r) => r.requestIdArray() ?? EMPTY);

  const staging = new Staging();
  const items: Item[] = [];
  let failed = -1;
  for (let i = 0; i < n; i++) {
    const item = await runItem(ctx, requests[i]!, staging);
    items.push(item);
    if (item.error !== undefined) {
      failed = i;
      break;
    }
  }

  const head = (): string => ctx.store.view.walHead() ?? '';
  if (failed >= 0) {
    const cause = items[failed]!.error;
    const abort = abortError(failed, ids[failed]!, cause);
    for (const it of items) it.write?.reject(abort);
    const answers: Answer[] = [];
    for (let i = 0; i < n; i++) {
      if (i === failed) answers.push({ ok: false, error: cause });
      else answers.push(i < items.length ? await settle(items[i]!.outcome, abort) : { ok: false, error: abort });
    }
    // An item that finished without writing (e.g. closing a closed issue) still did not take effect as part of a batch.
    for (let i = 0; i < answers.length; i++) if (i !== failed && answers[i]!.ok) answers[i] = { ok: false, error: abort };
    return batchResult(false, head(), ids, answers);
  }

  const events = items.flatMap((it) => it.staged ?? []);
  let walHead = head();
  if (events.length > 0) {
    try {
      walHead = (await ctx.write(events)).walHead;
    } catch (e) {
      for (const it of items) it.write?.reject(e);
      const answers = await Promise.all(items.map((it) => settle(it.outcome, e)));
      return batchResult(false, head(), ids, answers.map(() => ({ ok: false, error: e })));
    }
  }
  for (const it of items) it.write?.resolve({ walHead });
  const answers = await Promise.all(items.map((it) => settle(it.outcome, new Error('batch item without an answer'))));
  return batchResult(true, walHead, ids, answers);
}
