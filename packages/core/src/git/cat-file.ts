/**
 * Reading objects through one long-lived `git cat-file` per CatFile (spawned
 * on first use, GIT_DIR = the common git dir), with any number of requests in
 * flight: requests are written as they come, replies are matched to them in
 * order. The wire format (git-cat-file(1), "BATCH OUTPUT"):
 *
 *   request   <object name>\n                       (an oid, or <rev>:<path>)
 *   reply     <oid> SP <type> SP <size>\n<contents>\n
 *             <object name> SP missing\n
 *             <object name> SP ambiguous\n
 *
 * With git >= 2.36 the child runs `--batch-command --buffer` and requests are
 * `contents <name>` lines, each burst followed by `flush` (git then writes
 * replies in large blocks instead of one write per object); older git runs
 * plain `--batch`, which flushes after every object. Requests made in the
 * same tick go out as one write; `readMany` asks for many objects with one
 * promise for the lot. Object data is a view of the buffer it arrived in
 * when it fits in one read from the pipe (no copy), else a copy.
 *
 * States: idle (no child), running, closed. `close()` is final: it ends the
 * child and rejects every pending and later request with GriteError('git_error').
 * If the child dies, pending requests are rejected with GriteError('git_error')
 * and the next request starts a new child. The child never keeps the process
 * alive while nothing is pending.
 *
 * Stalls: while requests are pending, a child that sends no byte for
 * `stallMs` (default 30 s) is killed and the pending requests are rejected
 * with GriteError('git_error', details.stalled: true); the next request
 * starts a new child. (Git can leave a read of an object damaged inside a
 * pack unanswered; without this bound a rebuild or catch-up would wait for
 * ever.) Slow is not stalled: every byte that arrives restarts the clock.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { GriteError } from '../errors.js';
import { runGit, gitEnv } from './run-git.js';
import type { GitObjectType } from './objects.js';

export interface CatFileOptions {
  /** Pending requests and no byte from git for this long: the child is killed, the requests fail (default 30 000 ms). */
  stallMs?: number;
}

/** CatFileOptions.stallMs by default. */
const CAT_FILE_STALL_MS = 30_000;

export interface GitObject {
  oid: string;
  type: GitObjectType;
  data: Uint8Array;
}

interface Pending {
  name: string;
  resolve: (o: GitObject | null) => void;
  reject: (e: GriteError) => void;
}

const versionCache = new Map<string, Promise<boolean>>();

/** Whether this git has `cat-file --batch-command` (2.36+). */
function hasBatchCommand(commonGitDir: string): Promise<boolean> {
  let p = versionCache.get('git');
  if (!p) {
    p = runGit(commonGitDir, ['version'], { allowFailure: true }).then(
      (r) => {
        const m = /git version (\d+)\.(\d+)/.exec(r.stdout.toString('utf8'));
        if (!m) return false;
        const [major, minor] = [Number(m[1]), Number(m[2])];
        return major > 2 || (major === 2 && minor >= 36);
      },
      () => false,
    );
    versionCache.set('git', p);
  }
  return p;
}

function validName(name: string): boolean {
  if (typeof name !== 'string' || name === '') return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0) return false;
  }
  return true;
}

export class CatFile {
  private child: ChildProcessWithoutNullStreams | null = null;
  private starting: Promise<ChildProcessWithoutNullStreams> | null = null;
  private batchCommand = false;
  private closed = false;
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private outgoing: string[] = [];
  private flushScheduled = false;
  private stderrTail = '';

  // Reply parser state.
  private header: Buffer | null = null;
  private body: { obj: GitObject; filled: number; pending: Pending } | null = null;
  private expectNewline = false;

  /** Requests answered so far (for tests and stats). */
  requests = 0;

  readonly stallMs: number;
  /** Armed while requests are pending; restarted by every byte that arrives. */
  private stallTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly commonGitDir: string,
    opts: CatFileOptions = {},
  ) {
    this.stallMs = Math.max(1, opts.stallMs ?? CAT_FILE_STALL_MS);
  }

  /** The object, or null when it does not exist. */
  read(name: string): Promise<GitObject | null> {
    if (this.closed) return Promise.reject(new GriteError('git_error', 'cat-file reader is closed'));
    if (!validName(name)) return Promise.reject(new GriteError('invalid_args', `bad object name ${JSON.stringify(name)}`));
    return new Promise<GitObject | null>((resolve, reject) => this.enqueue({ name, resolve, reject }));
  }

  /**
   * Several objects at once (null for a missing one), in the order named:
   * one promise for the lot, the requests written together.
   */
  readMany(names: readonly string[]): Promise<Array<GitObject | null>> {
    if (this.closed) return Promise.reject(new GriteError('git_error', 'cat-file reader is closed'));
    const bad = names.find((n) => !validName(n));
    if (bad !== undefined) return Promise.reject(new GriteError('invalid_args', `bad object name ${JSON.stringify(bad)}`));
    if (names.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const out = new Array<GitObject | null>(names.length).fill(null);
      let left = names.length;
      let failed = false;
      names.forEach((name, i) =>
        this.enqueue({
          name,
          resolve: (o) => {
            out[i] = o;
            if (--left === 0 && !failed) resolve(out);
          },
          reject: (e) => {
            if (!failed) reject(e);
            failed = true;
          },
        }),
      );
    });
  }

  private enqueue(p: Pending): void {
    this.queue.push(p);
    if (this.pendingCount() === 1) {
      this.setRef(true);
      this.watch(true);
    }
    this.outgoing.push(p.name);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushOutgoing());
    }
  }

  /** The object; a missing one is GriteError('git_error') with `details.missing`. */
  async get(name: string): Promise<GitObject> {
    const o = await this.read(name);
    if (o === null) {
      throw new GriteError('git_error', `git object ${name} is missing`, { details: { object: name, missing: true } });
    }
    return o;
  }

  /** Stop the child; pending and later requests fail with GriteError('git_error'). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const child = this.child ?? (this.starting ? await this.starting.catch(() => null) : null);
    this.failAll(new GriteError('git_error', 'cat-file reader is closed'));
    if (child && child.exitCode === null && child.signalCode === null) {
      // Keep the process alive until the child has gone (it is unref'd while idle).
      this.child = child;
      this.setRef(true);
      await new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.stdin.end();
      });
    }
    this.child = null;
  }

  private pendingCount(): number {
    return this.queue.length - this.queueHead;
  }

  private setRef(on: boolean): void {
    const c = this.child;
    if (!c) return;
    const handles = [c, c.stdin, c.stdout, c.stderr] as unknown as Array<{ ref(): void; unref(): void }>;
    for (const h of handles) if (on) h.ref();
    else h.unref();
  }

  private async flushOutgoing(): Promise<void> {
    this.flushScheduled = false;
    if (this.outgoing.length === 0) return;
    let child: ChildProcessWithoutNullStreams;
    try {
      child = this.child ?? (await this.start());
    } catch (e) {
      this.failAll(e as GriteError);
      return;
    }
    if (this.closed || this.outgoing.length === 0) return;
    const names = this.outgoing;
    this.outgoing = [];
    const text = this.batchCommand
      ? `contents ${names.join('\ncontents ')}\nflush\n`
      : `${names.join('\n')}\n`;
    child.stdin.write(text);
  }

  private start(): Promise<ChildProcessWithoutNullStreams> {
    if (this.starting) return this.starting;
    this.starting = (async () => {
      this.batchCommand = await hasBatchCommand(this.commonGitDir);
      const args = this.batchCommand ? ['cat-file', '--batch-command', '--buffer'] : ['cat-file', '--batch'];
      const child = spawn('git', args, { env: gitEnv(this.commonGitDir), stdio: ['pipe', 'pipe', 'pipe'] });
      this.header = null;
      this.body = null;
      this.expectNewline = false;
      this.stderrTail = '';
      child.stdout.on('data', (b: Buffer) => this.onData(b));
      child.stderr.on('data', (b: Buffer) => {
        this.stderrTail = (this.stderrTail + b.toString('utf8')).slice(-2000);
      });
      child.stdin.on('error', () => {
        // Reported by the exit handler below.
      });
      const died = (why: string): void => {
        if (this.child !== child) return;
        this.child = null;
        this.starting = null;
        const msg = this.stderrTail.trim();
        this.failAll(new GriteError('git_error', `git cat-file ${why}${msg ? `: ${msg}` : ''}`, { details: { stderr: msg } }));
      };
      child.on('error', (e) => died(`could not run (${e.message})`));
      child.on('close', (code, signal) => died(`exited (${signal ?? `code ${code}`})`));
      this.child = child;
      if (this.pendingCount() === 0) this.setRef(false);
      return child;
    })();
    return this.starting;
  }

  /** Arms (on) or disarms the stall clock. */
  private watch(on: boolean): void {
    if (!on) {
      if (this.stallTimer !== null) clearTimeout(this.stallTimer);
      this.stallTimer = null;
      return;
    }
    if (this.stallTimer !== null) {
      this.stallTimer.refresh();
      return;
    }
    // Never what keeps the process alive: a pending request refs the child.
    this.stallTimer = setTimeout(() => this.stalled(), this.stallMs).unref();
  }

  private stalled(): void {
    this.stallTimer = null;
    if (this.pendingCount() === 0) return;
    const child = this.child;
    this.child = null;
    this.starting = null;
    this.failAll(
      new GriteError('git_error', `git cat-file did not answer for ${this.stallMs} ms (a damaged object in a pack?)`, {
        hint: 'Run `grite doctor` to find and repair the commit it could not read.',
        details: { stalled: true, stallMs: this.stallMs },
      }),
    );
    child?.kill('SIGKILL');
  }

  private failAll(err: GriteError): void {
    const pending = this.queue.splice(this.queueHead);
    this.queue.length = 0;
    this.queueHead = 0;
    this.outgoing = [];
    this.header = null;
    this.body = null;
    this.expectNewline = false;
    this.watch(false);
    for (const p of pending) p.reject(err);
  }

  private shift(): Pending {
    const p = this.queue[this.queueHead++];
    if (p === undefined) throw new GriteError('git_error', 'git cat-file replied to a request that was never made');
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    return p;
  }

  private settled(): void {
    this.requests++;
    if (this.pendingCount() === 0) {
      this.setRef(false);
      this.watch(false);
    }
  }

  private onData(chunk: Buffer): void {
    this.stallTimer?.refresh();
    try {
      this.parse(chunk);
    } catch (e) {
      const err = e instanceof GriteError ? e : new GriteError('git_error', `cannot parse git cat-file output: ${String(e)}`);
      const child = this.child;
      this.child = null;
      this.starting = null;
      this.failAll(err);
      child?.kill();
    }
  }

  private parse(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      if (this.expectNewline) {
        if (chunk[pos] !== 0x0a) throw new GriteError('git_error', 'git cat-file output lost its framing');
        pos++;
        this.expectNewline = false;
        continue;
      }
      const body = this.body;
      if (body !== null) {
        const data = body.obj.data;
        const n = Math.min(data.length - body.filled, len - pos);
        data.set(chunk.subarray(pos, pos + n), body.filled);
        body.filled += n;
        pos += n;
        if (body.filled === data.length) {
          this.body = null;
          this.expectNewline = true;
          this.settled();
          body.pending.resolve(body.obj);
        }
        continue;
      }
      const nl = chunk.indexOf(0x0a, pos);
      if (nl < 0) {
        const rest = chunk.subarray(pos);
        this.header = this.header ? Buffer.concat([this.header, rest]) : Buffer.from(rest);
        return;
      }
      let line: string;
      if (this.header) {
        line = Buffer.concat([this.header, chunk.subarray(pos, nl)]).toString('utf8');
        this.header = null;
      } else {
        line = chunk.toString('utf8', pos, nl);
      }
      pos = nl + 1;
      const p = this.shift();
      if (line.endsWith(' missing') || line.endsWith(' ambiguous')) {
        this.settled();
        if (line.endsWith(' ambiguous')) {
          p.reject(new GriteError('git_error', `object name ${p.name} is ambiguous`, { details: { object: p.name } }));
        } else {
          p.resolve(null);
        }
        continue;
      }
      const s2 = line.lastIndexOf(' ');
      const s1 = line.lastIndexOf(' ', s2 - 1);
      const size = Number(line.slice(s2 + 1));
      if (s1 <= 0 || !Number.isSafeInteger(size) || size < 0) {
        throw new GriteError('git_error', `unexpected git cat-file reply ${JSON.stringify(line.slice(0, 200))}`);
      }
      const oid = line.slice(0, s1);
      const type = line.slice(s1 + 1, s2) as GitObjectType;
      if (size <= len - pos) {
        // The whole body is in this chunk: a view of it, no copy. Each read
        // from the pipe arrives in a buffer of its own, never reused by node.
        const obj: GitObject = { oid, type, data: new Uint8Array(chunk.buffer, chunk.byteOffset + pos, size) };
        pos += size;
        this.expectNewline = true;
        this.settled();
        p.resolve(obj);
      } else {
        this.body = { obj: { oid, type, data: new Uint8Array(size) }, filled: 0, pending: p };
      }
    }
  }
}
