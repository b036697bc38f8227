import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const BIN = join(ROOT, 'packages/cli/bin/run.cjs');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is one document. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

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

/** A fresh repository with one commit; removed by the returned cleanup. */
export function tempRepo(prefix = 'grite-e2e-'): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'init');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunOptions {
  cwd: string;
  stdin?: string;
  env?: Record<string, string | undefined>;
}

/** Runs the built CLI. By default in-process (GRITE_NO_DAEMON=1) unless env says otherwise. */
export function grite(opts: RunOptions, ...args: string[]): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...GIT_ENV, GRITE_NO_DAEMON: '1', NO_COLOR: '1', ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolvePromise({ code: code ?? -1, stdout, stderr: Buffer.concat(err).toString('utf8'), json });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/**
 * The two ways a command runs: in-process (--no-daemon) and through the
 * repository's daemon (spawned on demand). End-to-end suites run in both:
 * output and exit codes must be the same either way.
 */
export const modes: { name: string; env: Record<string, string | undefined> }[] = [
  { name: 'in-process', env: { GRITE_NO_DAEMON: '1' } },
  { name: 'daemon', env: { GRITE_NO_DAEMON: undefined } },
];

/** Stops the repository's daemon, if one runs (tests end what they start). */
export async function stopDaemon(cwd: string): Promise<void> {
  await grite({ cwd, env: { GRITE_NO_DAEMON: undefined } }, 'daemon', 'stop', '--json');
}
