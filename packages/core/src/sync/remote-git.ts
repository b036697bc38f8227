/**
 * Running git against a remote (fetch, push) so that it can never wait for a
 * person, never hang past a deadline, and fails with errors that say what
 * went wrong.
 *
 * Never prompting:
 * - GIT_TERMINAL_PROMPT=0: git does not ask the terminal for a user name or
 *   password; it fails with "terminal prompts disabled" instead.
 * - GIT_ASKPASS set to the empty string: git's askpass lookup stops at a set
 *   GIT_ASKPASS, and an empty one runs nothing, so neither `core.askPass` nor
 *   SSH_ASKPASS is consulted. SSH_ASKPASS is removed too, for ssh itself.
 * - GCM_INTERACTIVE=never: Git Credential Manager answers from its store or
 *   fails, it never opens a dialog.
 * - The child runs in its own session (detached), so it has no controlling
 *   terminal: ssh cannot open /dev/tty to ask for a password, a passphrase or
 *   a host key confirmation, and fails instead.
 * - Credential helpers are NOT cleared (`-c credential.helper=`): a stored
 *   token (store, cache, libsecret, osxkeychain) is how an authenticated
 *   remote works without a prompt, and clearing them would break every such
 *   remote. Helpers that could prompt are covered by the variables above.
 *
 * Never hanging: every call has a time limit; past it the child's whole
 * process group (git, git-remote-http, ssh) is killed and the call fails with
 * GriteError('git_error', details.reason = 'timeout').
 */
import { spawn } from 'node:child_process';
import { GriteError } from '../errors.js';
import { checkRefName } from '../git/refs.js';
import { gitEnv } from '../git/run-git.js';

/** Why a remote git call failed, as far as git's messages tell. */
export type RemoteFailureReason = 'auth' | 'unreachable' | 'not_a_repository' | 'timeout' | 'rejected' | 'other';

export interface RemoteGitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RemoteGitOptions {
  /** Kill the child and fail after this long (default 60 000 ms). */
  timeoutMs?: number;
  /** Resolve with a non-zero exit code instead of rejecting (errors starting git, and timeouts, still reject). */
  allowFailure?: boolean;
  /** For error messages: the remote's name and URL. */
  remote?: RemoteInfo;
}

export interface RemoteInfo {
  name: string;
  url: string;
}

/** The environment for git talking to a remote: `gitEnv` plus everything that keeps it from prompting. */
export function remoteGitEnv(commonGitDir: string): NodeJS.ProcessEnv {
  const env = gitEnv(commonGitDir, { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', GCM_INTERACTIVE: 'never' });
  delete env.SSH_ASKPASS;
  delete env.SSH_ASKPASS_REQUIRE;
  return env;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Run `git <args>` on `commonGitDir` for remote work. Rejects with a
 * classified GriteError('git_error') when git exits non-zero (unless
 * `allowFailure`), when it cannot be started, and on timeout.
 */
export function runRemoteGit(commonGitDir: string, args: readonly string[], opts: RemoteGitOptions = {}): Promise<RemoteGitResult> {
  const timeoutMs = Math.max(1, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      env: remoteGitEnv(commonGitDir),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 1000).unref();
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(
        new GriteError('git_error', `cannot run git ${args[0] ?? ''}: ${e.message}`, {
          hint: 'Is git installed and on PATH?',
          details: { args: [...args], reason: 'other' },
          cause: e,
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8').trim();
      const result = { code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr };
      if (timedOut) {
        reject(remoteError(args, result, opts.remote, 'timeout', timeoutMs));
        return;
      }
      if (result.code !== 0 && !opts.allowFailure) {
        reject(remoteError(args, result, opts.remote, classifyRemoteFailure(stderr), timeoutMs, signal));
        return;
      }
      resolve(result);
    });
  });
}

const AUTH_PATTERNS = [
  /Authentication failed/i,
  /could not read (?:Username|Password)/i,
  /terminal prompts disabled/i,
  /HTTP Basic: Access denied/i,
  /returned error: 40[13]\b/i,
  /Permission denied \((?:publickey|password|keyboard-interactive)/i,
  /Host key verification failed/i,
  /Invalid username or password/i,
];

const UNREACHABLE_PATTERNS = [
  /Could not resolve host/i,
  /Connection refused/i,
  /Failed to connect/i,
  /unable to connect/i,
  /Couldn't connect to server/i,
  /Connection timed out/i,
  /Connection reset/i,
  /No route to host/i,
  /Network is unreachable/i,
  /Temporary failure in name resolution/i,
  /Name or service not known/i,
  /unable to access/i,
  /The remote end hung up unexpectedly/i,
  /early EOF/i,
];

const NOT_A_REPO_PATTERNS = [/does not appear to be a git repository/i, /repository .* not found/i, /not found: did you run git update-server-info/i];

/** The likely reason behind a failed fetch or push, from git's stderr. */
export function classifyRemoteFailure(stderr: string): RemoteFailureReason {
  if (AUTH_PATTERNS.some((p) => p.test(stderr))) return 'auth';
  if (NOT_A_REPO_PATTERNS.some((p) => p.test(stderr))) return 'not_a_repository';
  if (UNREACHABLE_PATTERNS.some((p) => p.test(stderr))) return 'unreachable';
  if (/\[(?:remote )?rejected\]|non-fast-forward|fetch first|stale info/i.test(stderr)) return 'rejected';
  return 'other';
}

/** A URL fit for messages: user info (a token in https://user:token@host/...) replaced by "***". */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

function remoteLabel(remote: RemoteInfo | undefined): string {
  if (!remote) return 'the remote';
  return remote.url === '' || remote.url === remote.name ? `remote ${remote.name}` : `remote ${remote.name} (${redactUrl(remote.url)})`;
}

/** git's own words: the first paragraph of its messages, without "fatal:"/"error:" prefixes. */
function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => /^(?:fatal|error):/.test(l));
  const from = start < 0 ? lines.findIndex((l) => l !== '') : start;
  if (from < 0) return '';
  const para: string[] = [];
  for (let i = from; i < lines.length && lines[i] !== ''; i++) para.push(lines[i]!.replace(/^(?:fatal|error):\s*/, ''));
  return para.join(' ');
}

/** A GriteError('git_error') for a failed remote git call, with a message and hint for its reason. */
export function remoteError(
  args: readonly string[],
  result: RemoteGitResult,
  remote: RemoteInfo | undefined,
  reason: RemoteFailureReason,
  timeoutMs: number,
  signal: NodeJS.Signals | null = null,
): GriteError {
  const label = remoteLabel(remote);
  const details = {
    reason,
    remote: remote?.name ?? null,
    url: remote ? redactUrl(remote.url) : null,
    args: args.map(redactUrl),
    code: result.code,
    stderr: result.stderr,
  };
  switch (reason) {
    case 'auth':
      return new GriteError('git_error', `authentication to ${label} failed: ${lastLine(result.stderr)}`, {
        hint: 'Set up non-interactive credentials for this remote (a credential helper holding a token, or an ssh key in an agent); grite never prompts.',
        details,
      });
    case 'unreachable':
      return new GriteError('git_error', `cannot reach ${label}: ${lastLine(result.stderr)}`, {
        hint: 'Check the network and the remote URL (`git remote -v`); nothing local was changed.',
        details,
      });
    case 'not_a_repository':
      return new GriteError('git_error', `cannot reach ${label}: it is not a git repository (${lastLine(result.stderr)})`, {
        hint: 'Check the remote URL with `git remote -v`; nothing local was changed.',
        details,
      });
    case 'timeout':
      return new GriteError('git_error', `git ${args[0] ?? ''} with ${label} did not finish within ${timeoutMs} ms`, {
        hint: 'The remote is slow or not answering; retry later. Nothing local was changed.',
        details,
      });
    default:
      return new GriteError(
        'git_error',
        `git ${args[0] ?? ''} with ${label} failed (${signal ?? `exit ${result.code}`}): ${lastLine(result.stderr)}`,
        { details },
      );
  }
}

// ---------------------------------------------------------------------------
// Remotes

/** The configured remotes that have a URL, in configuration order. */
export async function listRemotes(commonGitDir: string): Promise<RemoteInfo[]> {
  const r = await runRemoteGit(commonGitDir, ['config', '-z', '--get-regexp', '^remote\\..*\\.url$'], {
    allowFailure: true,
    timeoutMs: 30_000,
  });
  // Exit 1: no such key (no remote at all).
  if (r.code !== 0 && r.code !== 1) {
    throw new GriteError('git_error', `cannot read the remotes of ${commonGitDir}: ${r.stderr}`, { details: { stderr: r.stderr } });
  }
  const out: RemoteInfo[] = [];
  const seen = new Set<string>();
  // -z: "<key>\n<value>\0" per entry.
  for (const entry of r.stdout.split('\0')) {
    if (entry === '') continue;
    const nl = entry.indexOf('\n');
    const key = nl < 0 ? entry : entry.slice(0, nl);
    const url = nl < 0 ? '' : entry.slice(nl + 1);
    const name = key.slice('remote.'.length, key.length - '.url'.length);
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, url });
  }
  return out;
}

/**
 * The remote to use: `name` when given (GriteError('not_found') naming it when
 * it is not configured), else `origin`, else the only remote; GriteError
 * ('not_found') when there is none and ('invalid_args') when several leave it
 * ambiguous.
 */
export async function resolveRemote(commonGitDir: string, name?: string | null): Promise<RemoteInfo> {
  const remotes = await listRemotes(commonGitDir);
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string' || name === '') throw new GriteError('invalid_args', 'the remote name is empty');
    const hit = remotes.find((r) => r.name === name);
    if (!hit) {
      throw new GriteError('not_found', `no git remote named ${JSON.stringify(name)}`, {
        hint: `Add it with \`git remote add ${name} <url>\`${remotes.length > 0 ? `, or use one of: ${remotes.map((r) => r.name).join(', ')}` : ''}.`,
        details: { remote: name, remotes: remotes.map((r) => r.name) },
      });
    }
    checkTrackingName(hit.name);
    return hit;
  }
  const origin = remotes.find((r) => r.name === 'origin');
  const chosen = origin ?? (remotes.length === 1 ? remotes[0] : undefined);
  if (chosen) {
    checkTrackingName(chosen.name);
    return chosen;
  }
  if (remotes.length === 0) {
    throw new GriteError('not_found', 'this repository has no git remote to sync with', {
      hint: 'Add one with `git remote add origin <url>`.',
      details: { remote: null, remotes: [] },
    });
  }
  throw new GriteError('invalid_args', `this repository has ${remotes.length} remotes and none is named origin: name the one to use`, {
    hint: `Pass one of: ${remotes.map((r) => r.name).join(', ')}.`,
    details: { remote: null, remotes: remotes.map((r) => r.name) },
  });
}

/** The remote name must make valid ref names under refs/grite-remotes/<name>/. */
function checkTrackingName(name: string): void {
  try {
    checkRefName(`${TRACKING_PREFIX}${name}/wal`);
  } catch {
    throw new GriteError('invalid_args', `the remote name ${JSON.stringify(name)} cannot be used in a ref name`, {
      hint: 'Rename the remote with `git remote rename`.',
      details: { remote: name },
    });
  }
}

/**
 * `git fetch` of `refspecs` from `remote`, quietly: no tags, no FETCH_HEAD,
 * no submodules, refs the remote deleted pruned, and no automatic gc unless
 * `autoGc`. Tried again up to twice when it failed only because another
 * process held a local ref's lock (two fetches into the same repository at
 * once).
 */
export async function fetchWithRetry(
  commonGitDir: string,
  remote: RemoteInfo,
  refspecs: readonly string[],
  opts: Omit<RemoteGitOptions, 'remote' | 'allowFailure'> & { autoGc?: boolean } = {},
): Promise<void> {
  const args = [
    '--quiet',
    '--no-tags',
    '--no-write-fetch-head',
    '--no-recurse-submodules',
    ...(opts.autoGc ? [] : ['--no-auto-gc']),
    '--prune',
    remote.name,
    ...refspecs,
  ];
  for (let attempt = 0; ; attempt++) {
    const r = await runRemoteGit(commonGitDir, ['fetch', ...args], { timeoutMs: opts.timeoutMs, remote, allowFailure: true });
    if (r.code === 0) return;
    const reason = classifyRemoteFailure(r.stderr);
    const localLock = /cannot lock ref|unable to update local ref|Unable to create '.*\.lock'/i.test(r.stderr);
    if (!localLock || reason === 'auth' || reason === 'unreachable' || attempt >= 2) {
      throw remoteError(['fetch', ...args], r, remote, reason, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    }
    await new Promise((res) => setTimeout(res, 20 + Math.random() * 80));
  }
}

/** Where a remote's `refs/grite/*` are fetched to: refs/grite-remotes/<remote>/. */
export const TRACKING_PREFIX = 'refs/grite-remotes/';

/** The local copy of the remote's `refs/grite/<rest>`. */
export function trackingRef(remote: string, rest: string): string {
  return `${TRACKING_PREFIX}${remote}/${rest}`;
}
