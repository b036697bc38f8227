/**
 * Spawning git for the few things done out of process (rev-list, repack,
 * update-ref on reftable). Every call runs against the common git dir
 * (GIT_DIR), with the variables that would point git at another repository
 * removed from the environment, so a grite started from a git hook or inside
 * a worktree still reads and writes the same objects and refs as core.
 */
import { spawn } from 'node:child_process';
import { GriteError } from '../errors.js';

const REPO_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_QUARANTINE_PATH',
];

/** The environment for a git child working on `commonGitDir`. */
export function gitEnv(commonGitDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of REPO_ENV) delete env[k];
  env.GIT_DIR = commonGitDir;
  // Never ask a terminal for anything (credentials, editors, pagers).
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_PAGER = 'cat';
  return { ...env, ...extra };
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Run `git <args>` on `commonGitDir`. Resolves with the exit code and output;
 * rejects with GriteError('git_error') when git cannot be started, or when it
 * exits non-zero and `allowFailure` is not set.
 */
export function runGit(
  commonGitDir: string,
  args: readonly string[],
  opts: { input?: string | Uint8Array; allowFailure?: boolean } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env: gitEnv(commonGitDir), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      reject(
        new GriteError('git_error', `cannot run git ${args[0] ?? ''}: ${e.message}`, {
          hint: 'Is git installed and on PATH?',
          details: { args: [...args] },
          cause: e,
        }),
      );
    });
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      const result = { code: code ?? -1, stdout: Buffer.concat(out), stderr };
      if (result.code !== 0 && !opts.allowFailure) {
        reject(
          new GriteError('git_error', `git ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr}`, {
            details: { args: [...args], code, stderr },
          }),
        );
        return;
      }
      resolve(result);
    });
    // A child that exits early closes its stdin; the close handler reports it.
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
