// resolveRepo against what real git reports, in temporary repositories.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GriteError, resolveCommonDir, resolveRepo } from '../src/index.js';

/** The environment git runs in: no GIT_* from outside, no user or system config. */
function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...extra };
}

function git(cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', '-c', 'protocol.file.allow=always', ...args],
    { cwd, env: gitEnv(extraEnv), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();
}

/** What git says: [git dir, common dir, top level or null]. */
function gitSays(cwd: string, extraEnv: NodeJS.ProcessEnv = {}): { gitDir: string; commonDir: string; workTree: string | null } {
  const [gitDir, commonDir] = git(cwd, ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], extraEnv).split('\n');
  let workTree: string | null;
  try {
    workTree = git(cwd, ['rev-parse', '--show-toplevel'], extraEnv);
  } catch {
    workTree = null;
  }
  return {
    gitDir: realpathSync(gitDir!),
    commonDir: realpathSync(commonDir!),
    workTree: workTree === null ? null : realpathSync(workTree),
  };
}

function expectSameAsGit(cwd: string, extraEnv: NodeJS.ProcessEnv = {}): ReturnType<typeof resolveRepo> {
  const ours = resolveRepo(cwd, gitEnv(extraEnv));
  const theirs = gitSays(cwd, extraEnv);
  expect({ gitDir: ours.gitDir, commonDir: ours.commonDir, workTree: ours.workTree }).toEqual(theirs);
  expect(ours.griteDir).toBe(join(theirs.commonDir, 'grite'));
  expect(resolveCommonDir(cwd, gitEnv(extraEnv))).toBe(theirs.commonDir);
  return ours;
}

let tmp: string;
let main: string;

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'grite-repo-resolve-')));
  main = join(tmp, 'main');
  mkdirSync(main);
  git(main, ['init', '-q']);
  mkdirSync(join(main, 'src', 'deep'), { recursive: true });
  writeFileSync(join(main, 'src', 'a.txt'), 'a\n');
  git(main, ['add', '.']);
  git(main, ['commit', '-q', '-m', 'first']);
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('resolveRepo', () => {
  it('finds the repository from its top directory', () => {
    const r = expectSameAsGit(main);
    expect(r).toEqual({
      workTree: main,
      gitDir: join(main, '.git'),
      commonDir: join(main, '.git'),
      griteDir: join(main, '.git', 'grite'),
    });
  });

  it('walks up from a subdirectory', () => {
    expect(expectSameAsGit(join(main, 'src', 'deep')).workTree).toBe(main);
  });

  it('resolves a linked worktree to the common git dir', () => {
    const wt = join(tmp, 'wt');
    git(main, ['worktree', 'add', '-q', '-b', 'feature', wt]);
    mkdirSync(join(wt, 'sub'));
    const r = expectSameAsGit(join(wt, 'sub'));
    expect(r.workTree).toBe(wt);
    expect(r.gitDir).toBe(join(main, '.git', 'worktrees', 'wt'));
    expect(r.commonDir).toBe(join(main, '.git'));
    expect(r.griteDir).toBe(resolveRepo(main, gitEnv()).griteDir);
  });

  it('follows a symlinked directory to realpaths', () => {
    const link = join(tmp, 'link-to-main');
    execFileSync('ln', ['-s', main, link]);
    const r = expectSameAsGit(join(link, 'src'));
    expect(r.workTree).toBe(main);
  });

  it('resolves a bare repository and a directory inside it', () => {
    const bare = join(tmp, 'bare.git');
    git(tmp, ['init', '-q', '--bare', bare]);
    expect(expectSameAsGit(bare)).toEqual({ workTree: null, gitDir: bare, commonDir: bare, griteDir: join(bare, 'grite') });
    expect(expectSameAsGit(join(bare, 'refs', 'heads')).gitDir).toBe(bare);
  });

  it('has no work tree inside a .git directory', () => {
    const r = expectSameAsGit(join(main, '.git', 'refs'));
    expect(r.workTree).toBeNull();
    expect(r.gitDir).toBe(join(main, '.git'));
  });

  it('resolves a submodule through its gitfile', () => {
    const lib = join(tmp, 'lib');
    mkdirSync(lib);
    git(lib, ['init', '-q']);
    git(lib, ['commit', '-q', '--allow-empty', '-m', 'lib']);
    const sup = join(tmp, 'super');
    mkdirSync(sup);
    git(sup, ['init', '-q']);
    git(sup, ['submodule', '-q', 'add', lib, 'vendor/lib']);
    const r = expectSameAsGit(join(sup, 'vendor', 'lib'));
    expect(r.workTree).toBe(join(sup, 'vendor', 'lib'));
    expect(r.commonDir).toBe(join(sup, '.git', 'modules', 'vendor', 'lib'));
  });

  it('honours GIT_DIR, GIT_WORK_TREE and GIT_COMMON_DIR', () => {
    const sub = join(main, 'src');
    expect(expectSameAsGit(sub, { GIT_DIR: '../.git' }).workTree).toBe(sub);
    expect(expectSameAsGit(sub, { GIT_DIR: join(main, '.git'), GIT_WORK_TREE: main }).workTree).toBe(main);
    git(main, ['worktree', 'add', '-q', '-b', 'env-wt', join(tmp, 'env-wt')]);
    const r = resolveRepo(tmp, gitEnv({ GIT_DIR: join(main, '.git', 'worktrees', 'env-wt') }));
    expect(r.commonDir).toBe(join(main, '.git'));
    const other = join(tmp, 'other');
    mkdirSync(other);
    git(other, ['init', '-q']);
    const o = resolveRepo(main, gitEnv({ GIT_COMMON_DIR: join(other, '.git') }));
    expect(o.gitDir).toBe(join(main, '.git'));
    expect(o.commonDir).toBe(join(other, '.git'));
  });

  it('reads core.worktree and core.bare from the repository config', () => {
    const sep = join(tmp, 'separate');
    const gd = join(tmp, 'separate.git');
    mkdirSync(sep);
    git(tmp, ['init', '-q', `--separate-git-dir=${gd}`, sep]);
    expect(expectSameAsGit(sep).gitDir).toBe(gd);
    git(sep, ['config', 'core.worktree', sep]);
    expect(expectSameAsGit(tmp, { GIT_DIR: gd }).workTree).toBe(sep);
    const flagged = join(tmp, 'flagged');
    mkdirSync(flagged);
    git(flagged, ['init', '-q']);
    git(flagged, ['config', 'core.bare', 'true']);
    expect(expectSameAsGit(flagged).workTree).toBeNull();
  });

  it('refuses a directory outside any repository', () => {
    const outside = mkdtempSync(join(tmpdir(), 'grite-not-a-repo-'));
    try {
      let err: unknown;
      try {
        resolveRepo(outside, gitEnv());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GriteError);
      const g = err as GriteError;
      expect(g.code).toBe('not_a_repo');
      expect(g.message).toBe(`not a git repository (or any parent): ${outside}`);
      expect(g.hint).toBe('run grite inside a git repository, or git init first');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses a gitfile that points nowhere, and a GIT_DIR that is not a repository', () => {
    const broken = join(tmp, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, '.git'), `gitdir: ${join(tmp, 'missing')}\n`);
    expect(() => resolveRepo(broken, gitEnv())).toThrow(/not a git repository: .*missing/);
    expect(() => resolveRepo(main, gitEnv({ GIT_DIR: tmp }))).toThrow(GriteError);
    expect(() => resolveCommonDir(broken, gitEnv())).toThrow(/not a git repository: .*missing/);
  });
});
