// Helpers for the sync and lock tests (not a test file itself): temporary
// repositories and bare remotes driven by real git, a `git daemon` serving a
// git:// remote, an HTTP server that refuses every request with 401, a port
// that nobody listens on, and random issue edits built with createEvent.
// Every process started here is stopped by the test that started it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, newActorId, newIssueId, toHex } from '../src/codec/index.js';
import type { DepType, Event, EventKind } from '../src/event.js';
import { afterEach, beforeAll } from 'vitest';
import { Store, type StoreOpenOptions } from '../src/store.js';

/** Keep git in these tests away from the user's and the system's config. */
export function isolateGit(): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('GIT_')) delete process.env[k];
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  process.env.GIT_CONFIG_GLOBAL = '/dev/null';
  process.env.GIT_AUTHOR_NAME = 'Test';
  process.env.GIT_AUTHOR_EMAIL = 'test@example.com';
  process.env.GIT_COMMITTER_NAME = 'Test';
  process.env.GIT_COMMITTER_EMAIL = 'test@example.com';
}

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString('utf8');
}

/** A scratch directory removed by `cleanup`. */
/**
 * Registers what a suite of scratch repositories needs (git isolated from
 * the user's config; after each test, the stores it opened closed and its
 * scratch directories removed) and returns what its tests call.
 */
export function scratchSuite(): {
  scratch(prefix?: string): Scratch;
  open(commonDir: string, opts?: Omit<StoreOpenOptions, 'commonDir'>): Promise<Store>;
  track(store: Store): Store;
} {
  const stores: Store[] = [];
  const scratches: Scratch[] = [];
  beforeAll(isolateGit);
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const s of scratches.splice(0)) s.cleanup();
  });
  const track = (store: Store): Store => {
    stores.push(store);
    return store;
  };
  return {
    scratch: (prefix) => {
      const s = new Scratch(prefix);
      scratches.push(s);
      return s;
    },
    open: async (commonDir, opts = {}) => track(await Store.open({ ...opts, commonDir })),
    track,
  };
}

export class Scratch {
  readonly root: string;
  constructor(prefix = 'grite-sync-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
  }
  /** A new bare repository at <root>/<name>.git; returns its path. */
  bare(name = 'origin'): string {
    const path = join(this.root, `${name}.git`);
    git(this.root, ['init', '-q', '--bare', path]);
    return path;
  }
  /** A new repository at <root>/<name> with `origin` (when given) set to `url`. Returns its common git dir. */
  repo(name: string, url?: string): string {
    const dir = join(this.root, name);
    mkdirSync(dir);
    git(dir, ['init', '-q', '-b', 'main']);
    if (url !== undefined) git(dir, ['remote', 'add', 'origin', url]);
    return join(dir, '.git');
  }
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (and is closed now). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export interface GitDaemon {
  /** git://127.0.0.1:<port>/ */
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * `git daemon` serving every repository under `baseDir` (receive-pack on),
 * listening on 127.0.0.1 only. It runs in its own process group, which
 * stop() ends (the daemon and the per-connection children it forked).
 */
export async function startGitDaemon(baseDir: string): Promise<GitDaemon> {
  for (let tries = 0; tries < 5; tries++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      'git',
      ['daemon', '--export-all', '--enable=receive-pack', `--base-path=${baseDir}`, `--port=${port}`, '--listen=127.0.0.1', '--reuseaddr', baseDir],
      { stdio: 'ignore', detached: true },
    );
    let exited = false;
    const exit = new Promise<void>((r) => child.on('exit', () => ((exited = true), r())));
    const until = Date.now() + 10_000;
    while (!exited && Date.now() < until) {
      if (await canConnect(port)) {
        return {
          baseUrl: `git://127.0.0.1:${port}/`,
          stop: async () => {
            try {
              process.kill(-child.pid!, 'SIGTERM');
            } catch {
              // already gone
            }
            await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
            if (!exited) {
              try {
                process.kill(-child.pid!, 'SIGKILL');
              } catch {
                // already gone
              }
            }
          },
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  throw new Error('git daemon did not start');
}

/** An HTTP server on 127.0.0.1 that answers every request 401 (Basic), counting requests. */
export async function start401Server(): Promise<{ url: string; requests: () => number; stop: () => Promise<void> }> {
  let n = 0;
  const server: HttpServer = createHttpServer((req, res) => {
    n++;
    req.resume();
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="grite test"', 'Content-Type': 'text/plain' });
    res.end('authentication required\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/repo.git`,
    requests: () => n,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---------------------------------------------------------------------------
// Random edits

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LABELS = ['bug', 'feature', 'ui', 'db', 'perf', 'docs', 'ünïcode'];
const DEP_TYPES: DepType[] = ['blocks', 'depends_on', 'related_to'];

/**
 * One replica's editor: builds random events (creates, updates, labels,
 * comments, state changes, dependencies) for the issues it knows of, with
 * its own actor and a strictly growing clock.
 */
export class Editor {
  readonly actor = newActorId();
  private ts: number;
  constructor(
    private readonly rand: () => number,
    startTs: number,
  ) {
    this.ts = startTs;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  /** `n` random events; `known` are the issues this editor may touch (it adds the ones it creates). */
  events(n: number, known: Uint8Array[]): Event[] {
    const out: Event[] = [];
    for (let i = 0; i < n; i++) {
      this.ts += 1 + Math.floor(this.rand() * 5);
      const r = this.rand();
      let issueId: Uint8Array;
      let kind: EventKind;
      if (known.length === 0 || r < 0.15) {
        issueId = newIssueId();
        kind = { type: 'IssueCreated', title: `issue ${this.ts}`, body: `body ${this.rand()}`, labels: [this.pick(LABELS)] };
        known.push(issueId);
      } else {
        issueId = this.pick(known);
        const k = Math.floor(this.rand() * 8);
        switch (k) {
          case 0:
            kind = { type: 'IssueUpdated', title: `title ${this.ts}`, body: this.rand() < 0.5 ? null : `new body ${this.ts}` };
            break;
          case 1:
            kind = { type: 'LabelAdded', label: this.pick(LABELS) };
            break;
          case 2:
            kind = { type: 'LabelRemoved', label: this.pick(LABELS) };
            break;
          case 3:
            kind = { type: 'CommentAdded', body: `comment ${this.ts} ${toHex(this.actor).slice(0, 4)}` };
            break;
          case 4:
            kind = { type: 'StateChanged', state: this.rand() < 0.5 ? 'closed' : 'open' };
            break;
          case 5:
            kind = { type: 'DependencyAdded', target: this.pick(known), depType: this.pick(DEP_TYPES) };
            break;
          case 6:
            kind = { type: 'DependencyRemoved', target: this.pick(known), depType: this.pick(DEP_TYPES) };
            break;
          default:
            kind = { type: 'AssigneeAdded', user: this.pick(['ann', 'bob', 'cy']) };
        }
      }
      out.push(createEvent({ issueId, actor: this.actor, ts: this.ts, kind }));
    }
    return out;
  }
}

/** Every issue of the store's view, in full, as JSON (ids as hex): equal replicas give equal text. */
export function viewSnapshot(store: Store): string {
  const replacer = (_k: string, v: unknown): unknown => (v instanceof Uint8Array ? toHex(v) : v);
  const list = store.view.listIssues({ sort: 'id' });
  const issues = list.issues.map((s) => store.view.getIssue(s.issueId));
  return JSON.stringify({ total: list.total, issues, ready: store.view.ready() }, replacer);
}

/** The event ids in the store's WAL (from git, not the view), oldest first. */
export async function walEventIds(store: Store): Promise<string[]> {
  const all = await store.wal.readAll();
  return all.events.map((e) => toHex(e.eventId));
}
