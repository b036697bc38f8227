// Bad input through Engine.handleBytes: each answer carries the right
// registered code, and nothing is written (the WAL head does not move).
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DaemonStatusResultT,
  DaemonStatusT,
  decodeResponse,
  DepType,
  EditAction,
  encodeRequest,
  HelloResultT,
  HelloT,
  IssueAttachT,
  IssueCommentT,
  IssueCreateT,
  IssueDepAddT,
  IssueLabelT,
  IssueLinkT,
  IssueShowT,
  IssueUpdateT,
  IPC_COMMAND_MEMBERS,
  isErrorCode,
  SCHEMA_VERSION,
} from '@grite/protocol';
import { DISPATCH, dispatchEntry } from '../src/engine/index.js';
import { Harness } from './engine-helpers.js';

let h: Harness;

beforeEach(async () => {
  h = await Harness.create();
});

afterEach(async () => {
  await h.close();
});

function newId(): number[] {
  return Array.from(randomBytes(16));
}

/** Two issues whose ids share their first 4 hex characters. */
async function twoWithSharedPrefix(): Promise<[string, string]> {
  const a = newId();
  const b = newId();
  b[0] = a[0]!;
  b[1] = a[1]!;
  b[2] = (a[2]! + 1) % 256;
  await h.ok(new IssueCreateT(a, h.ts(), 'A', '', [], []));
  await h.ok(new IssueCreateT(b, h.ts(), 'B', '', [], []));
  return [Buffer.from(a).toString('hex'), Buffer.from(b).toString('hex')];
}

describe('refused writes leave the WAL where it was', () => {
  it('empty or white-space-only title', async () => {
    await h.createIssue('exists');
    const head = h.walHead();
    for (const title of ['', '   ', '\n\t', null]) {
      const e = await h.err(new IssueCreateT(newId(), h.ts(), title, '', [], []));
      expect(e.code).toBe('invalid_args');
      expect(e.hint).not.toBeNull();
    }
    expect(h.walHead()).toBe(head);
  });

  it('unknown issue id is not_found', async () => {
    await h.createIssue('exists');
    const head = h.walHead();
    const e = await h.err(new IssueCommentT('abcdef0123456789abcdef0123456789', h.ts(), 'hello'));
    expect(e.code).toBe('not_found');
    expect(h.walHead()).toBe(head);
  });

  it('ambiguous prefix is invalid_args with the candidates in details', async () => {
    const [a, b] = await twoWithSharedPrefix();
    const head = h.walHead();
    const e = await h.err(new IssueCommentT(a.slice(0, 4), h.ts(), 'which one?'));
    expect(e.code).toBe('invalid_args');
    expect(e.details.candidates).toEqual([a, b].sort());
    expect(h.walHead()).toBe(head);
    // Reads refuse it the same way.
    expect((await h.err(new IssueShowT(a.slice(0, 4)))).details.candidates).toEqual([a, b].sort());
  });

  it('a write without an actor is invalid_args', async () => {
    const a = await h.createIssue('exists');
    const head = h.walHead();
    const e = await h.err(new IssueCommentT(a, h.ts(), 'anonymous'), { actorId: null });
    expect(e.code).toBe('invalid_args');
    expect(e.message).toContain('actor');
    expect((await h.err(new IssueCreateT(newId(), h.ts(), 'x', '', [], []), { actorId: new Uint8Array(5) })).code).toBe('invalid_args');
    expect(h.walHead()).toBe(head);
  });

  it('a request for another repository is invalid_args', async () => {
    const other = await Harness.create();
    try {
      const e = await h.err(new IssueCreateT(newId(), h.ts(), 'elsewhere', '', [], []), { repo: other.commonDir });
      expect(e.code).toBe('invalid_args');
      expect(e.message).toBe('request for another repository');
      expect(h.walHead()).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('missing ts, bad issue_id, empty labels, users, url, attachment name and a short sha256', async () => {
    const a = await h.createIssue('exists');
    const head = h.walHead();
    const bad = [
      new IssueCreateT(newId(), 0n, 'no ts', '', [], []),
      new IssueCreateT([1, 2, 3], h.ts(), 'short id', '', [], []),
      new IssueCreateT([], h.ts(), 'no id', '', [], []),
      new IssueCreateT(newId(), h.ts(), 'empty label', '', [''], []),
      new IssueCreateT(newId(), h.ts(), 'blank assignee', '', [], [' ']),
      new IssueLabelT(a, h.ts(), [], EditAction.add),
      new IssueLabelT(a, h.ts(), ['ok', ''], EditAction.add),
      new IssueLinkT(a, h.ts(), '', null),
      new IssueAttachT(a, h.ts(), '', Array.from(randomBytes(32)), 'text/plain'),
      new IssueAttachT(a, h.ts(), 'f', Array.from(randomBytes(31)), 'text/plain'),
      new IssueUpdateT(a, h.ts(), null, null),
      new IssueUpdateT(a, h.ts(), ' ', null),
      new IssueCommentT(a, h.ts(), ''),
      new IssueCommentT(null, h.ts(), 'no issue'),
      new IssueDepAddT(a, null, DepType.blocks, h.ts()),
    ];
    for (const cmd of bad) {
      const e = await h.err(cmd);
      expect({ cmd: cmd.constructor.name, code: e.code }).toEqual({ cmd: cmd.constructor.name, code: 'invalid_args' });
    }
    expect(h.walHead()).toBe(head);
  });
});

describe('envelope and dispatch', () => {
  it('Hello answers the schema, build and pid', async () => {
    const r = await h.ok<HelloResultT>(new HelloT(SCHEMA_VERSION, 'cli-build'));
    expect(r.schemaVersion).toBe(SCHEMA_VERSION);
    expect(r.build).toBe('test-build');
    expect(r.pid).toBe(process.pid);
  });

  it('DaemonStatus from the engine says no daemon is running', async () => {
    const r = await h.ok<DaemonStatusResultT>(new DaemonStatusT());
    expect(r.running).toBe(false);
    expect(r.build).toBe('test-build');
  });

  it('commands this engine does not serve answer ipc_error naming the command, with a hint', async () => {
    const unsupported = IPC_COMMAND_MEMBERS.filter((m) => dispatchEntry(m.type).mode === 'unsupported');
    // DaemonStop and Subscribe are the daemon's own: the engine never serves them.
    expect(unsupported.map((m) => m.name)).toEqual(expect.arrayContaining(['DaemonStop', 'Subscribe']));
    for (const m of unsupported) {
      const e = await h.err(new m.objectClass());
      expect(e.code).toBe('ipc_error');
      expect(e.message).toBe(`command ${m.name} is not supported by this build`);
      expect(e.hint).toBeTruthy();
    }
  });

  it('the response carries the request id', async () => {
    const requestId = new Uint8Array(randomBytes(16));
    const bytes = await h.engine.handleBytes(h.request(new HelloT(), { requestId }));
    expect(decodeResponse(bytes).requestIdArray()).toEqual(requestId);
  });

  it('bytes that are not a valid message answer ipc_error and never throw', async () => {
    for (const junk of [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(randomBytes(64))]) {
      const resp = decodeResponse(await h.engine.handleBytes(junk));
      expect(resp.ok()).toBe(false);
      expect(resp.error()!.code()).toBe('ipc_error');
    }
    // A valid request, cut short.
    const good = encodeRequest({ repo: h.commonDir, command: new HelloT() });
    const resp = decodeResponse(await h.engine.handleBytes(good.subarray(0, good.length - 8)));
    expect(resp.error()!.code()).toBe('ipc_error');
  });

  it('the dispatch table has an entry for every command of the schema', () => {
    const missing = IPC_COMMAND_MEMBERS.filter((m) => !Object.prototype.hasOwnProperty.call(DISPATCH, m.type)).map((m) => m.name);
    expect(missing).toEqual([]);
  });

  it('every command of the schema, with default fields, gets an answer with a registered code', async () => {
    await h.createIssue('exists');
    for (const m of IPC_COMMAND_MEMBERS) {
      const resp = await h.send(new m.objectClass());
      if (resp.ok) continue;
      expect({ command: m.name, registered: isErrorCode(resp.error!.code) }).toEqual({ command: m.name, registered: true });
      if (resp.error!.code === 'ipc_error') expect(resp.error!.message).toBe(`command ${m.name} is not supported by this build`);
    }
  });

  it('a bad event cursor is invalid_args', async () => {
    const a = await h.createIssue('exists');
    expect((await h.err(new IssueShowT(a, 1, 'bm9wZQ'))).code).toBe('invalid_args');
  });

  it('every error answer carries a registered code', async () => {
    const e = await h.err(new IssueShowT('zz-not-hex'));
    expect(isErrorCode(e.code)).toBe(true);
    expect(e.code).toBe('invalid_args');
  });
});
