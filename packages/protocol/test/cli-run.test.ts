// The thin entry's hand-written frames (src/cli-run.ts) against the
// schema: its vtable offsets match the layout flatc reports, its requests
// verify and read back with the generated code, and it reads what the
// generated encoders write.
import { describe, expect, it } from 'vitest';
import {
  CliRun,
  CliRunResultT,
  ClientKind,
  decodeRequest,
  encodeErrorResponse,
  encodeNotification,
  encodeResponse,
  encodeThinRequests,
  Hello,
  HelloResultT,
  IpcCommand,
  readCliRun,
  readThinAnswer,
  THIN_FILE_IDENTIFIER,
  THIN_VTABLE,
  verifyMessage,
  WalSyncedT,
} from '../src/index.js';
import { FILE_IDENTIFIER, OBJECTS } from '../src/generated/schema-layout.js';

/** The messages of a buffer of frames (big-endian u32 length + message). */
function messages(frames: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(frames.buffer, frames.byteOffset, frames.byteLength);
  for (let at = 0; at < frames.length; ) {
    const len = view.getUint32(at);
    out.push(frames.slice(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

const hex = (b: Uint8Array | null): string => Buffer.from(b ?? []).toString('hex');

describe('the thin entry frames', () => {
  it('use the vtable offsets and file identifier of the schema', () => {
    expect(THIN_FILE_IDENTIFIER).toBe(FILE_IDENTIFIER);
    for (const [table, fields] of Object.entries(THIN_VTABLE)) {
      const layout = OBJECTS.find((o) => o.name === table);
      expect(layout, table).toBeDefined();
      for (const [name, vt] of Object.entries(fields)) {
        expect(layout!.fields.find((f) => f.name === name)?.vt, `${table}.${name}`).toBe(vt);
      }
    }
  });

  it('encode a Hello and a CliRun that verify and read back with the generated code', () => {
    const input = {
      argv: ['issue', 'list', '--label', 'ünï "q" 🚀', '', '-x'],
      cwd: '/tmp/some where',
      env: { GRITE_HOME: '/h', EMPTY: '', WITH_EQ: 'a=b=c', SKIPPED: undefined, BIG: 'v'.repeat(5000) },
      stdoutTty: true,
    };
    const sent = encodeThinRequests({ repo: '/r/.git', build: 'build ü', schemaVersion: 1, input });
    const [hello, run, ...rest] = messages(sent.frames);
    expect(rest).toEqual([]);
    for (const m of [hello!, run!]) expect(verifyMessage(m)).toEqual({ ok: true });

    const h = decodeRequest(hello!);
    expect(hex(h.requestIdArray())).toBe(hex(sent.helloId));
    expect(h.repo()).toBe('/r/.git');
    expect(h.schemaVersion()).toBe(1);
    expect(h.commandType()).toBe(IpcCommand.Hello);
    const hc = h.command(new Hello()) as Hello;
    expect([hc.schemaVersion(), hc.build(), hc.clientKind()]).toEqual([1, 'build ü', ClientKind.cli]);

    const r = decodeRequest(run!);
    expect(hex(r.requestIdArray())).toBe(hex(sent.runId));
    expect(r.commandType()).toBe(IpcCommand.CliRun);
    const { SKIPPED: _, ...env } = input.env;
    expect(readCliRun(r.command(new CliRun()) as CliRun)).toEqual({ ...input, env });
    expect(hex(sent.helloId)).not.toBe(hex(sent.runId));
  });

  it('keep every offset when the buffer grows under them (long paths, long argv, no environment)', () => {
    for (const input of [
      { argv: ['issue', 'list', '--search', 'x'.repeat(2100)], cwd: '/c', env: {}, stdoutTty: false },
      { argv: Array.from({ length: 300 }, (_, i) => `arg-${i}`), cwd: `/${'d'.repeat(3000)}`, env: { PATH: '/bin' }, stdoutTty: false },
      { argv: [], cwd: '', env: {}, stdoutTty: false },
    ]) {
      const repo = `/${'r'.repeat(900)}/.git`;
      const sent = encodeThinRequests({ repo, build: 'b'.repeat(1500), schemaVersion: 1, input });
      const [hello, run] = messages(sent.frames);
      for (const m of [hello!, run!]) expect(verifyMessage(m)).toEqual({ ok: true });
      expect((decodeRequest(hello!).command(new Hello()) as Hello).build()).toBe('b'.repeat(1500));
      const r = decodeRequest(run!);
      expect(r.repo()).toBe(repo);
      expect(readCliRun(r.command(new CliRun()) as CliRun)).toEqual(input);
    }
  });

  it('read the answers the generated encoders write; anything else is "other"', () => {
    const id = new Uint8Array(16).fill(7);
    expect(readThinAnswer(encodeResponse(id, new HelloResultT(1, 'b1', 42)))).toEqual({
      kind: 'hello',
      requestId: Buffer.from(id),
      ok: true,
      build: 'b1',
      schemaVersion: 1,
    });
    const ran = readThinAnswer(encodeResponse(id, new CliRunResultT(true, '{"ok":true}\nü', 'warn\n', 3)));
    expect(ran).toMatchObject({ kind: 'run', ok: true, handled: true, exitCode: 3 });
    if (ran.kind !== 'run') throw new Error('not a run');
    expect(Buffer.from(ran.stdout!).toString('utf8')).toBe('{"ok":true}\nü');
    expect(Buffer.from(ran.stderr!).toString('utf8')).toBe('warn\n');
    expect(readThinAnswer(encodeResponse(id, new CliRunResultT(false, null, null, 0)))).toMatchObject({
      kind: 'run',
      handled: false,
      stdout: null,
      stderr: null,
      exitCode: 0,
    });
    expect(readThinAnswer(encodeErrorResponse(id, 'ipc_error', 'no'))).toEqual({ kind: 'other', requestId: Buffer.from(id) });
    expect(readThinAnswer(encodeNotification(id, new WalSyncedT('a'.repeat(40))))).toEqual({ kind: 'other', requestId: null });
  });

  it('never read past a truncated answer: each cut either throws or reads what it holds', () => {
    const full = encodeResponse(new Uint8Array(16).fill(1), new CliRunResultT(true, 'out', 'err', 2));
    const whole = readThinAnswer(full);
    for (let k = 0; k < full.length; k++) {
      let got: unknown;
      try {
        got = readThinAnswer(full.slice(0, k));
      } catch (e) {
        expect(e, `cut at ${k}`).toBeInstanceOf(RangeError);
        continue;
      }
      expect(got, `cut at ${k}`).toEqual(whole);
    }
  });
});
