/**
 * Finds the git repository around a directory without spawning git: every
 * CLI call pays for this, and `git rev-parse` costs a process.
 *
 * The rules followed (git's setup.c discovery, as `git rev-parse
 * --git-dir --git-common-dir --show-toplevel` reports it):
 * - `GIT_DIR` set: that directory (or the gitfile it names) is the git dir,
 *   the work tree is `GIT_WORK_TREE`, else `core.worktree`, else none when
 *   `core.bare`, else the current directory.
 * - Otherwise walk up from `cwd`; at each directory D:
 *   `D/.git` a git directory -> git dir, work tree D;
 *   `D/.git` a file `gitdir: <path>` (worktrees, submodules) -> that path,
 *   relative to D, work tree D;
 *   D itself a git directory (a bare repository, or inside a `.git`) -> no
 *   work tree.
 * - A git directory has `HEAD`, and `objects/` and `refs/` in its common dir.
 * - The common dir is `GIT_COMMON_DIR`, else `<git dir>/commondir` (relative
 *   to the git dir), else the git dir. `core.bare` and `core.worktree` are
 *   read from `<git dir>/config` only when there is no commondir file (git
 *   ignores them for linked worktrees).
 * All returned paths are realpaths; grite's local files live in
 * `<common dir>/grite`, so worktrees share them.
 *
 * Not done: `GIT_CEILING_DIRECTORIES`, `GIT_DISCOVERY_ACROSS_FILESYSTEM`,
 * `safe.directory` ownership checks and config `include`s.
 */
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GriteError } from '../errors.js';

export interface RepoPaths {
  /** The work tree's top directory; null in a bare repository or inside a git dir. */
  workTree: string | null;
  /** This checkout's git dir (a worktree's own dir under `<common>/worktrees/`). */
  gitDir: string;
  /** The git dir shared by all worktrees: refs, objects, grite's local files. */
  commonDir: string;
  /** `<commonDir>/grite`, which need not exist yet. */
  griteDir: string;
}

function stat(p: string): Stats | undefined {
  return statSync(p, { throwIfNoEntry: false });
}

function real(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
}

/** The common dir named by `<gitDir>/commondir`, or undefined without one. */
function readCommonDirFile(gitDir: string): string | undefined {
  const file = join(gitDir, 'commondir');
  // Most git dirs have none: a stat that cannot throw is cheaper than the
  // error a failed read builds (every CLI call resolves the repository).
  if (stat(file) === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const rel = text.replace(/\s+$/, '');
  return rel === '' ? undefined : resolve(gitDir, rel);
}

/** Absolute `GIT_COMMON_DIR` / `GIT_OBJECT_DIRECTORY` overrides, when set. */
interface DirOverrides {
  common: string | undefined;
  objects: string | undefined;
}

function isGitDir(dir: string, over: DirOverrides): boolean {
  const head = stat(join(dir, 'HEAD'));
  if (!head || !head.isFile()) return false;
  const common = over.common ?? readCommonDirFile(dir) ?? dir;
  const objects = over.objects ?? join(common, 'objects');
  return stat(objects)?.isDirectory() === true && stat(join(common, 'refs'))?.isDirectory() === true;
}

/** The git dir a gitfile (`gitdir: <path>`) names, relative to the file's directory. */
function readGitFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new GriteError('io_error', `cannot read ${file}`, { cause: e, details: { path: file } });
  }
  const m = /^gitdir: (.+?)\s*$/.exec(text);
  if (!m) {
    throw new GriteError('not_a_repo', `invalid gitfile format: ${file}`, {
      hint: 'the .git file must hold one line: gitdir: <path>',
      details: { path: file },
    });
  }
  return resolve(dirname(file), m[1]!);
}

/** Unquotes a git config value: double quotes, backslash escapes, `#`/`;` comments. */
function gitConfigValue(raw: string): string {
  let out = '';
  let quoted = false;
  let pendingSpace = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (!quoted && (c === '#' || c === ';')) break;
    if (!quoted && (c === ' ' || c === '\t')) {
      pendingSpace += c;
      continue;
    }
    if (out !== '') out += pendingSpace;
    pendingSpace = '';
    if (c === '"') quoted = !quoted;
    else if (c === '\\') {
      const e = raw[++i];
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'b' ? '\b' : (e ?? '');
    } else out += c;
  }
  return out;
}

/** `core.bare` and `core.worktree` from a git config file (missing file: neither). */
function readCoreConfig(file: string): { bare?: boolean; worktree?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const out: { bare?: boolean; worktree?: string } = {};
  let inCore = false;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line.startsWith('[')) {
      inCore = /^\[\s*core\s*\]/i.test(line);
      continue;
    }
    if (!inCore) continue;
    const m = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2] === undefined ? undefined : gitConfigValue(m[2]);
    if (key === 'bare') out.bare = value === undefined || /^(true|yes|on|1)$/i.test(value);
    else if (key === 'worktree' && value !== undefined) out.worktree = value;
  }
  return out;
}

function notARepo(cwd: string, message?: string): GriteError {
  return new GriteError('not_a_repo', message ?? `not a git repository (or any parent): ${cwd}`, {
    hint: 'run grite inside a git repository, or git init first',
    details: { cwd },
  });
}

interface Found {
  absCwd: string;
  gitDir: string;
  /** Before core.worktree, core.bare and GIT_WORK_TREE. */
  workTree: string | null;
  explicit: boolean;
  commonFromFile: string | undefined;
  commonDir: string;
}

/**
 * The repository around `cwd`. `env` supplies `GIT_DIR`, `GIT_WORK_TREE`,
 * `GIT_COMMON_DIR` and `GIT_OBJECT_DIRECTORY` when set.
 * Throws GriteError('not_a_repo') outside any repository.
 */
export function resolveRepo(cwd: string, env: NodeJS.ProcessEnv = process.env): RepoPaths {
  const found = findGitDir(cwd, env);
  const { absCwd, gitDir, explicit, commonFromFile } = found;
  let workTree = found.workTree;
  if (commonFromFile === undefined && (workTree !== null || explicit)) {
    const core = readCoreConfig(join(gitDir, 'config'));
    if (core.worktree !== undefined) workTree = resolve(gitDir, core.worktree);
    else if (core.bare === true) workTree = null;
  }
  if (env.GIT_WORK_TREE) workTree = resolve(absCwd, env.GIT_WORK_TREE);

  const realCommon = real(found.commonDir);
  return {
    workTree: workTree === null ? null : real(workTree),
    gitDir: real(gitDir),
    commonDir: realCommon,
    griteDir: join(realCommon, 'grite'),
  };
}

/**
 * resolveRepo(cwd, env).commonDir, without reading the config for the work
 * tree: for callers that need only grite's files (the CLI's thin entry).
 */
export function resolveCommonDir(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return real(findGitDir(cwd, env).commonDir);
}

function findGitDir(cwd: string, env: NodeJS.ProcessEnv): Found {
  const absCwd = resolve(cwd);
  let start: string;
  try {
    start = realpathSync.native(absCwd);
  } catch (e) {
    throw new GriteError('io_error', `cannot access ${absCwd}`, { cause: e, details: { cwd: absCwd } });
  }

  const over: DirOverrides = {
    common: env.GIT_COMMON_DIR ? resolve(absCwd, env.GIT_COMMON_DIR) : undefined,
    objects: env.GIT_OBJECT_DIRECTORY ? resolve(absCwd, env.GIT_OBJECT_DIRECTORY) : undefined,
  };
  let gitDir: string | undefined;
  let workTree: string | null = null;
  let explicit = false;
  if (env.GIT_DIR) {
    explicit = true;
    gitDir = resolve(absCwd, env.GIT_DIR);
    if (stat(gitDir)?.isFile()) gitDir = readGitFile(gitDir);
    if (!isGitDir(gitDir, over)) throw notARepo(absCwd, `not a git repository: ${gitDir}`);
    workTree = start;
  } else {
    for (let dir = start; ; ) {
      const dotGit = join(dir, '.git');
      const st = stat(dotGit);
      if (st?.isDirectory() && isGitDir(dotGit, over)) {
        gitDir = dotGit;
        workTree = dir;
        break;
      }
      if (st?.isFile()) {
        gitDir = readGitFile(dotGit);
        if (!isGitDir(gitDir, over)) throw notARepo(absCwd, `not a git repository: ${gitDir}`);
        workTree = dir;
        break;
      }
      if (isGitDir(dir, over)) {
        gitDir = dir;
        workTree = null;
        break;
      }
      const parent = dirname(dir);
      if (parent === dir) throw notARepo(absCwd);
      dir = parent;
    }
  }

  const commonFromFile = readCommonDirFile(gitDir);
  return { absCwd, gitDir, workTree, explicit, commonFromFile, commonDir: over.common ?? commonFromFile ?? gitDir };
}
