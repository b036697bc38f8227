// Heavy work off the event loop (DESIGN.md section 7): while the engine
// rebuilds the view of a large log, the daemon's server keeps answering
// Hello. The Hello is sent once the view load has begun and must be
// answered before the Rebuild is: with a load that held the event loop,
// the Hello could not even be sent until the load was over.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createEvent, Wal, type Event, type View } from '@grite/core';
import { ClientConnection, encodeRequest, HelloT, IssueListT, RebuildResult, RebuildT, SCHEMA_VERSION } from '@grite/protocol';
import { DaemonServer } from '../src/index.js';
import { Harness } from './engine-helpers.js';

let scratch: string | null = null;
let harness: Harness | null = null;
let server: DaemonServer | null = null;
let client: ClientConnection | null = null;

afterEach(async () => {
  client?.dispose();
  await server?.stop('api');
  await harness?.close();
  if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  client = null;
  server = null;
  harness = null;
  scratch = null;
});

/** `issues` issues of `perIssue` events each, one commit per 500 events. */
async function bigLog(commonDir: string, issues: number, perIssue: number): Promise<number> {
  const actor = new Uint8Array(randomBytes(16));
  const wal = Wal.open(commonDir);
  let pending: Event[] = [];
  let ts = 1_700_000_000_000;
  let total = 0;
  try {
    for (let i = 0; i < issues; i++) {
      const issueId = new Uint8Array(randomBytes(16));
      pending.push(createEvent({ issueId, actor, ts: ts++, kind: { type: 'IssueCreated', title: `issue ${i}`, body: 'a body of some words', labels: ['bench'] } }));
      for (let k = 1; k < perIssue; k++) pending.push(createEvent({ issueId, actor, ts: ts++, kind: { type: 'CommentAdded', body: `comment ${k} on ${i}` } }));
      if (pending.length >= 500) {
        total += pending.length;
        await wal.append(pending);
        pending = [];
      }
    }
    if (pending.length > 0) {
      total += pending.length;
      await wal.append(pending);
    }
  } finally {
    await wal.close();
  }
  return total;
}

it('answers Hello while a rebuild (grite rebuild) of a large log loads the view', async () => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'grite-rebuild-yields-')));
  harness = await Harness.create();
  const total = await bigLog(harness.commonDir, 3000, 8);
  const socketPath = join(scratch, 's.sock');
  server = new DaemonServer({ commonDir: harness.commonDir, socketPath, build: 'test-build', engine: harness.engine, idleTimeoutMs: 0 });
  await server.listen();
  client = await ClientConnection.connect(socketPath, { requestTimeoutMs: 120_000 });
  const c = client;
  // The engine catches its view up first (that load yields too): the
  // Rebuild below then replaces a view that is already current.
  expect((await c.request(encodeRequest({ repo: harness.commonDir, command: new IssueListT() }))).ok()).toBe(true);

  // Learn when the view load begins (the walk before it is asynchronous anyway).
  const view = (harness.engine as unknown as { store: { view: View } }).store.view;
  const original = view.replaceAllYielding.bind(view);
  let loading = false;
  let loads = 0;
  view.replaceAllYielding = async (...args: Parameters<View['replaceAllYielding']>) => {
    loading = true;
    loads++;
    try {
      return await original(...args);
    } finally {
      loading = false;
    }
  };

  const order: string[] = [];
  const rebuilt = c.request(encodeRequest({ repo: harness.commonDir, command: new RebuildT() })).then((r) => {
    order.push('rebuild');
    return r;
  });
  let helloSentWhileLoading = false;
  const hello = (async () => {
    while (!loading && order.length === 0) await new Promise((r) => setTimeout(r, 1));
    helloSentWhileLoading = loading;
    const r = await c.request(encodeRequest({ repo: harness!.commonDir, command: new HelloT(SCHEMA_VERSION, 'test') }));
    order.push('hello');
    return r;
  })();
  const [rr, hr] = await Promise.all([rebuilt, hello]);
  expect(hr.ok()).toBe(true);
  expect(rr.ok()).toBe(true);
  expect((rr.result(new RebuildResult()) as RebuildResult).eventCount()).toBe(total);
  expect(loads).toBeGreaterThan(0);
  expect(helloSentWhileLoading).toBe(true);
  expect(order).toEqual(['hello', 'rebuild']);
}, 120_000);
