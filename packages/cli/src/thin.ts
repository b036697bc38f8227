/**
 * The thin entry: a hot read as one round trip to the repository's daemon,
 * which runs the command line itself (CliRun; serve.ts) and answers the
 * bytes to print and the exit code. This module is bundled alone
 * (dist/thin.cjs, about 13 KiB: repository discovery, the discovery record
 * and the two frames, written by hand in protocol's cli-run.ts), so such a
 * call loads no command definitions, no parser, no renderer and no
 * FlatBuffers runtime: that loading was most of a hot command's start-up.
 * node:net is required only when a command line is taken on: the bundle
 * step gives this entry a stand-in for it (scripts/bundle.mjs).
 *
 * bin/run.cjs loads it only for the command lines the daemon may take on
 * (its THIN_COMMANDS), and it goes on only when the daemon named by the
 * discovery record is of this very build; the daemon decides the rest
 * (serve.ts). Otherwise it returns false before any output, and bin/run.cjs
 * goes on to the fast entry and full oclif as ever: no daemon running (the
 * fast entry starts one), another build (replaced there), a declined or
 * failed run, a lost connection.
 */
import { fstatSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { recordedDaemon } from '@grite/daemon/locate';
import { encodeThinRequests, readThinAnswer } from '@grite/protocol/cli-run';

// Defined by scripts/bundle.mjs.
declare const GRITE_BUILD: string;
declare const GRITE_SCHEMA_VERSION: number;

/**
 * Hello is answered on receipt: a daemon that takes longer has a blocked
 * event loop, and the full path gives it as long (client.ts). The run may
 * then take as long as a request through the full path.
 */
const HELLO_TIMEOUT_MS = 2_000;
const ANSWER_TIMEOUT_MS = 30_000;

interface RunAnswer {
  stdout: Uint8Array | null;
  stderr: Uint8Array | null;
  exitCode: number;
}

/**
 * Whether fd 1 may be a terminal. A character device is taken as one (so
 * /dev/null is too): the daemon then declines human output, which the full
 * path renders with the terminal's colour. Saves loading node:tty.
 */
function stdoutMayBeTty(): boolean {
  try {
    return fstatSync(1).isCharacterDevice();
  } catch {
    return true;
  }
}

export async function thinMain(argv: readonly string[]): Promise<boolean> {
  const daemon = recordedDaemon(process.cwd(), process.env);
  if (daemon === null || daemon.build !== GRITE_BUILD || daemon.schemaVersion !== GRITE_SCHEMA_VERSION) return false;
  const requests = encodeThinRequests({
    repo: daemon.commonDir,
    build: GRITE_BUILD,
    schemaVersion: GRITE_SCHEMA_VERSION,
    input: { argv, cwd: process.cwd(), env: process.env, stdoutTty: stdoutMayBeTty() },
  });
  const answer = await exchange(daemon.socket, requests);
  if (answer === null) return false;
  process.exitCode = answer.exitCode;
  // From here on the command has run: never fall through (it would print twice).
  try {
    if (answer.stdout !== null && answer.stdout.length > 0) writeAll(1, answer.stdout);
    if (answer.stderr !== null && answer.stderr.length > 0) writeAll(2, answer.stderr);
  } catch {
    // The reader went away (EPIPE): nothing more to print to.
  }
  return true;
}

const sameId = (a: Uint8Array | null, b: Uint8Array): boolean => a !== null && a.length === b.length && a.every((x, i) => x === b[i]);

/** Sends both frames and reads both answers; null unless the daemon is of this build and ran the command. */
function exchange(socketPath: string, requests: ReturnType<typeof encodeThinRequests>): Promise<RunAnswer | null> {
  return new Promise((resolve) => {
    let helloOk = false;
    let run: RunAnswer | null = null;
    let buf: Buffer = Buffer.alloc(0);
    const sock = connect(socketPath);
    let settled = false;
    const done = (value: RunAnswer | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Answered: the process is about to exit, which closes the socket;
      // letting go of it (unref) skips the stream's teardown (~0.5 ms cold).
      // Passed on: the full path runs in this process, so close it now.
      if (value !== null) sock.unref();
      else sock.destroy();
      resolve(value);
    };
    let timer = setTimeout(() => done(null), HELLO_TIMEOUT_MS);
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
    sock.on('connect', () => sock.write(requests.frames));
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 4) {
        const len = buf.readUInt32BE(0);
        if (buf.length < 4 + len) break;
        const message = buf.subarray(4, 4 + len);
        buf = buf.subarray(4 + len);
        let a: ReturnType<typeof readThinAnswer>;
        try {
          a = readThinAnswer(message);
        } catch {
          return done(null);
        }
        if (a.kind === 'hello' && sameId(a.requestId, requests.helloId)) {
          if (!a.ok || a.build !== GRITE_BUILD || a.schemaVersion !== GRITE_SCHEMA_VERSION) return done(null);
          helloOk = true;
          clearTimeout(timer);
          timer = setTimeout(() => done(null), ANSWER_TIMEOUT_MS);
        } else if (a.kind === 'run' && sameId(a.requestId, requests.runId)) {
          if (!a.ok || !a.handled) return done(null);
          run = { stdout: a.stdout, stderr: a.stderr, exitCode: a.exitCode };
        } else {
          return done(null); // An error answer, or one we did not ask for.
        }
        if (helloOk && run !== null) return done(run);
      }
    });
  });
}

/**
 * Writes all of `bytes` to fd 1 or 2. Synchronous writes first (no stream
 * is set up); a descriptor left non-blocking (EAGAIN) gets the rest through
 * the process stream, which waits for it to drain before exit.
 */
function writeAll(fd: 1 | 2, bytes: Uint8Array): void {
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(at));
  }
}
