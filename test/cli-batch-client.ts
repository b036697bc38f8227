/**
 * A client of `grite batch` for tests and benchmarks: spawns the built CLI,
 * writes request lines, and matches answer lines to requests by id (answers
 * may come in any order). The first line must be the hello; answers without
 * an id (malformed lines) are kept in `orphans`; every line is kept in
 * `lines`, in the order it came.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Answer = any;

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

export interface BatchClientOptions {
  cwd: string;
  args?: string[];
  env?: Record<string, string | undefined>;
}

export class BatchClient {
  readonly hello: Promise<Answer>;
  readonly lines: Answer[] = [];
  readonly orphans: Answer[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<string, (a: Answer) => void>();
  private readonly early = new Map<string, Answer>();
  private readonly exited: Promise<{ code: number; stderr: string }>;
  private resolveHello!: (a: Answer) => void;
  private nextId = 0;

  constructor(opts: BatchClientOptions) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...GIT_ENV, NO_COLOR: '1', ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    this.child = spawn(process.execPath, [BIN, 'batch', ...(opts.args ?? [])], { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.hello = new Promise((r) => (this.resolveHello = r));
    let buf = '';
    let first = true;
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const a = JSON.parse(line) as Answer;
        this.lines.push(a);
        if (first) {
          first = false;
          this.resolveHello(a);
          continue;
        }
        if (a.id === null || a.id === undefined) {
          this.orphans.push(a);
          continue;
        }
        const key = JSON.stringify(a.id);
        const w = this.waiting.get(key);
        if (w) {
          this.waiting.delete(key);
          w(a);
        } else {
          this.early.set(key, a);
        }
      }
    });
    const err: Buffer[] = [];
    this.child.stderr.on('data', (c: Buffer) => err.push(c));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code) => resolve({ code: code ?? -1, stderr: Buffer.concat(err).toString('utf8') }));
    });
  }

  /** Sends one request (an id is added when it has none) and resolves with its answer. */
  send(req: { id?: string | number; op: string; args?: unknown; fields?: string[] }): Promise<Answer> {
    const id = req.id ?? `r${this.nextId++}`;
    const p = this.answer(id);
    this.child.stdin.write(`${JSON.stringify({ ...req, id })}\n`);
    return p;
  }

  /** The answer to `id`, whenever it comes. */
  answer(id: string | number): Promise<Answer> {
    const key = JSON.stringify(id);
    const a = this.early.get(key);
    if (a !== undefined) {
      this.early.delete(key);
      return Promise.resolve(a);
    }
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }

  /** Writes raw text (lines the caller formats). */
  write(text: string): void {
    this.child.stdin.write(text);
  }

  /** Ends the input and resolves with the exit code once the process is gone. */
  end(): Promise<{ code: number; stderr: string }> {
    this.child.stdin.end();
    return this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}
