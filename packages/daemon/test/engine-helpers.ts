/**
 * Fixtures for the engine tests: a temporary real git repository, an Engine
 * on its common dir, and requests built with the protocol's helpers, sent
 * through `handleBytes` (verify + decode + handle) as the CLI's in-process
 * path does. Responses are unpacked with the generated object API.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeResponse,
  encodeRequest,
  readErrorDetails,
  type ErrorDetails,
  type IpcCommandObject,
  type IpcResponseT,
  IssueCreateT,
  IssueWriteResultT,
} from '@grite/protocol';
import { Engine } from '../src/engine/index.js';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' }).trim();
}

export function hex(bytes: Uint8Array | number[]): string {
  return Buffer.from(bytes).toString('hex');
}

export interface SendOptions {
  /** null: no actor in the request. Default: the harness actor. */
  actorId?: Uint8Array | null;
  /** Default: the harness's common dir. */
  repo?: string;
  requestId?: Uint8Array;
}

export interface ErrorReply {
  code: string;
  message: string;
  hint: string | null;
  details: ErrorDetails;
}

export class Harness {
  readonly actor = new Uint8Array(randomBytes(16));
  private clock = 1_700_000_000_000;

  private constructor(
    readonly dir: string,
    readonly commonDir: string,
    readonly engine: Engine,
  ) {}

  /** A fresh repository (one commit) and an engine on it. */
  static async create(prefix = 'grite-engine-'): Promise<Harness> {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'init');
    const commonDir = realpathSync(join(dir, '.git'));
    const engine = await Engine.open({ commonDir, build: 'test-build' });
    return new Harness(dir, commonDir, engine);
  }

  async close(): Promise<void> {
    await this.engine.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A new, strictly increasing client timestamp. */
  ts(): bigint {
    return BigInt(++this.clock);
  }

  request(command: IpcCommandObject, opts: SendOptions = {}): Uint8Array {
    return encodeRequest({
      repo: opts.repo ?? this.commonDir,
      command,
      actorId: opts.actorId === undefined ? this.actor : opts.actorId,
      ...(opts.requestId ? { requestId: opts.requestId } : {}),
    });
  }

  async send(command: IpcCommandObject, opts: SendOptions = {}): Promise<IpcResponseT> {
    return decodeResponse(await this.engine.handleBytes(this.request(command, opts))).unpack();
  }

  /** The result of a command that must succeed. */
  async ok<T>(command: IpcCommandObject, opts: SendOptions = {}): Promise<T> {
    const resp = await this.send(command, opts);
    if (!resp.ok) {
      throw new Error(`expected success, got ${String(resp.error?.code)}: ${String(resp.error?.message)}`);
    }
    return resp.result as T;
  }

  /** The error of a command that must fail. */
  async err(command: IpcCommandObject, opts: SendOptions = {}): Promise<ErrorReply> {
    const bytes = await this.engine.handleBytes(this.request(command, opts));
    const resp = decodeResponse(bytes);
    if (resp.ok()) throw new Error('expected an error answer, got ok');
    const e = resp.error()!;
    return { code: e.code() ?? '', message: e.message() ?? '', hint: e.hint(), details: readErrorDetails(e) };
  }

  /** Creates an issue; returns its id as hex. */
  async createIssue(title: string, opts: { body?: string; labels?: string[]; assignees?: string[] } = {}): Promise<string> {
    const r = await this.ok<IssueWriteResultT>(
      new IssueCreateT(Array.from(randomBytes(16)), this.ts(), title, opts.body ?? '', opts.labels ?? [], opts.assignees ?? []),
    );
    return hex(r.issueId);
  }

  /** refs/grite/wal as git sees it; null when it does not exist. */
  walHead(): string | null {
    try {
      return git(this.dir, 'rev-parse', '--verify', '-q', 'refs/grite/wal');
    } catch {
      return null;
    }
  }
}
