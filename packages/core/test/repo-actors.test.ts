// config.toml, actors and init in real repositories (temporary directories).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GriteError,
  createActor,
  initGrite,
  listActors,
  readActor,
  readRepoConfig,
  resolveActor,
  resolveRepo,
  setDefaultActor,
  updateRepoConfig,
  writeRepoConfig,
} from '../src/index.js';

const A1 = 'aaaa1111000000000000000000000001';
const A2 = 'aaaa2222000000000000000000000002';
const B1 = 'bbbb0000000000000000000000000003';

let tmp: string;
let repo: string;
let griteDir: string;

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_') && k !== 'GRITE_HOME') env[k] = v;
  return env;
}

function git(cwd: string, args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env: { ...cleanEnv(), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    stdio: 'ignore',
  });
}

/** An actor directory written by hand, as the Rust tool writes it. */
function handActor(id: string, label?: string): void {
  const dir = join(griteDir, 'actors', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.toml'), `actor_id = "${id}"\n${label ? `label = "${label}"\n` : ''}created_ts = 1700000000000\n`);
}

function caught(f: () => unknown): GriteError {
  try {
    f();
  } catch (e) {
    if (e instanceof GriteError) return e;
    throw e;
  }
  throw new Error('expected a GriteError');
}

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'grite-repo-actors-')));
  repo = join(tmp, 'repo');
  mkdirSync(repo);
  git(repo, ['init', '-q']);
  griteDir = resolveRepo(repo, cleanEnv()).griteDir;
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('repo config.toml', () => {
  it('reads defaults when the file is missing', () => {
    const c = readRepoConfig(griteDir);
    expect(c).toMatchObject({
      exists: false,
      defaultActor: null,
      lockPolicy: 'warn',
      verifySignatures: 'off',
      snapshot: { maxEvents: 10000, maxAgeDays: 7 },
      values: {},
    });
    expect(c.file).toBe(join(griteDir, 'config.toml'));
  });

  it('rewrites only the keys it sets: unknown keys, tables and comments survive byte for byte', () => {
    mkdirSync(griteDir);
    const original = [
      '# written by hand',
      `default_actor = "${A1}"  # the laptop`,
      'future_flag = true',
      "remote_hint = 'origin'",
      '',
      '[snapshot]',
      'max_events = 500',
      'compress = "zstd"   # a key from a newer grite',
      '',
      '[[hooks]]',
      'run = "echo hi"',
      '',
    ].join('\n');
    writeFileSync(join(griteDir, 'config.toml'), original);
    const c = writeRepoConfig(griteDir, { lockPolicy: 'require', defaultActor: A2, snapshot: { maxAgeDays: 3 } });
    const after = readFileSync(join(griteDir, 'config.toml'), 'utf8');
    expect(after).toBe(
      original
        .replace(A1, A2)
        .replace("remote_hint = 'origin'\n", "remote_hint = 'origin'\nlock_policy = \"require\"\n")
        .replace('   # a key from a newer grite\n', '   # a key from a newer grite\nmax_age_days = 3\n'),
    );
    expect(c).toMatchObject({ defaultActor: A2, lockPolicy: 'require', snapshot: { maxEvents: 500, maxAgeDays: 3 } });
    expect(c.values.hooks).toEqual([{ run: 'echo hi' }]);
    expect(readRepoConfig(griteDir).values.future_flag).toBe(true);

    writeRepoConfig(griteDir, { lockPolicy: null });
    expect(readFileSync(join(griteDir, 'config.toml'), 'utf8')).toBe(after.replace('lock_policy = "require"\n', ''));
  });

  it('does not rewrite the file when nothing changes', () => {
    writeRepoConfig(griteDir, { lockPolicy: 'off' });
    const file = join(griteDir, 'config.toml');
    const ino = statSync(file).ino;
    writeRepoConfig(griteDir, { lockPolicy: 'off' });
    updateRepoConfig(griteDir, [{ path: ['absent'], value: undefined }]);
    expect(statSync(file).ino).toBe(ino);
    expect(readFileSync(file, 'utf8')).toBe('lock_policy = "off"\n');
  });

  it('checks values before writing anything', () => {
    writeRepoConfig(griteDir, { lockPolicy: 'warn' });
    const before = readFileSync(join(griteDir, 'config.toml'), 'utf8');
    expect(caught(() => writeRepoConfig(griteDir, { defaultActor: A1, lockPolicy: 'always' as 'warn' })).code).toBe('invalid_args');
    expect(caught(() => writeRepoConfig(griteDir, { defaultActor: 'xyz' })).code).toBe('invalid_args');
    expect(caught(() => writeRepoConfig(griteDir, { snapshot: { maxEvents: -1 } })).code).toBe('invalid_args');
    expect(readFileSync(join(griteDir, 'config.toml'), 'utf8')).toBe(before);
    updateRepoConfig(griteDir, [{ path: ['daemon', 'idle_timeout_ms'], value: 0 }]);
    expect(readRepoConfig(griteDir).values.daemon).toEqual({ idle_timeout_ms: 0 });
  });

  it('names the file and line of invalid TOML, and the key of a wrong value', () => {
    mkdirSync(griteDir);
    const file = join(griteDir, 'config.toml');
    writeFileSync(file, 'lock_policy = "warn"\n[snapshot\n');
    const e = caught(() => readRepoConfig(griteDir));
    expect(e.code).toBe('config_error');
    expect(e.message).toContain(file);
    expect(e.message).toContain('line 2');
    expect(caught(() => writeRepoConfig(griteDir, { lockPolicy: 'off' })).code).toBe('config_error');
    expect(readFileSync(file, 'utf8')).toBe('lock_policy = "warn"\n[snapshot\n');

    writeFileSync(file, 'lock_policy = "sometimes"\n');
    const k = caught(() => readRepoConfig(griteDir));
    expect(k.code).toBe('config_error');
    expect(k.message).toContain(file);
    expect(k.details).toMatchObject({ key: 'lock_policy' });
  });
});

describe('actors', () => {
  it('creates an actor in the layout the Rust tool writes', () => {
    const a = createActor(griteDir, { label: 'agent "one"', now: 1700000000123 });
    expect(a.actorId).toMatch(/^[0-9a-f]{32}$/);
    expect(a).toEqual({ actorId: a.actorId, label: 'agent "one"', createdTs: 1700000000123, dataDir: join(griteDir, 'actors', a.actorId) });
    expect(readFileSync(join(a.dataDir, 'config.toml'), 'utf8')).toBe(
      `actor_id = "${a.actorId}"\nlabel = "agent \\"one\\""\ncreated_ts = 1700000000123\n`,
    );
    const b = createActor(griteDir);
    expect(b.actorId).not.toBe(a.actorId);
    expect(b.label).toBeNull();
    expect(readActor(griteDir, a.actorId)).toEqual(a);
  });

  it('lists actors sorted by id, skipping directories that are not actors', () => {
    handActor(B1);
    handActor(A2, 'two');
    handActor(A1, 'one');
    mkdirSync(join(griteDir, 'actors', 'not-hex'));
    mkdirSync(join(griteDir, 'actors', 'cccc0000000000000000000000000004'));
    mkdirSync(join(griteDir, 'actors', 'dddd0000000000000000000000000005'));
    writeFileSync(join(griteDir, 'actors', 'dddd0000000000000000000000000005', 'config.toml'), 'actor_id = \n');
    handActor('eeee0000000000000000000000000006');
    writeFileSync(join(griteDir, 'actors', 'eeee0000000000000000000000000006', 'config.toml'), `actor_id = "${A1}"\n`);
    expect(listActors(griteDir).map((a) => [a.actorId, a.label])).toEqual([
      [A1, 'one'],
      [A2, 'two'],
      [B1, null],
    ]);
    expect(listActors(join(tmp, 'nowhere'))).toEqual([]);
  });

  it('finds an actor by a unique prefix, and says why it cannot', () => {
    handActor(A1);
    handActor(A2);
    handActor(B1);
    expect(readActor(griteDir, 'BBBB').actorId).toBe(B1);
    expect(readActor(griteDir, 'aaaa1').actorId).toBe(A1);
    const amb = caught(() => readActor(griteDir, 'aaaa'));
    expect(amb.code).toBe('invalid_args');
    expect(amb.details.candidates).toEqual([A1, A2]);
    expect(caught(() => readActor(griteDir, 'aaa')).code).toBe('invalid_args');
    expect(caught(() => readActor(griteDir, 'zzzz')).code).toBe('invalid_args');
    expect(caught(() => readActor(griteDir, 'cccc')).code).toBe('not_found');
    expect(caught(() => readActor(griteDir, 'cccc0000000000000000000000000004')).code).toBe('not_found');
  });

  it('reports an actor config that is not valid TOML by file name', () => {
    handActor(A1);
    const file = join(griteDir, 'actors', A1, 'config.toml');
    writeFileSync(file, 'actor_id = "unterminated\n');
    const e = caught(() => readActor(griteDir, A1));
    expect(e.code).toBe('config_error');
    expect(e.message).toContain(file);
    expect(e.message).toContain('line 1');
  });

  it('sets the default actor by prefix, keeping the rest of config.toml', () => {
    handActor(A1);
    handActor(B1);
    writeFileSync(join(griteDir, 'config.toml'), '# mine\nlock_policy = "off"\n');
    expect(setDefaultActor(griteDir, 'bbbb').actorId).toBe(B1);
    expect(readFileSync(join(griteDir, 'config.toml'), 'utf8')).toBe(`# mine\nlock_policy = "off"\ndefault_actor = "${B1}"\n`);
    expect(caught(() => setDefaultActor(griteDir, 'cccc')).code).toBe('not_found');
  });
});

describe('resolveActor', () => {
  it('follows the order: data dir, GRITE_HOME, flag, default, first, new', () => {
    const env = cleanEnv();
    expect(caught(() => resolveActor(griteDir, { env })).code).toBe('config_error');

    const made = resolveActor(griteDir, { env, create: true, label: 'auto' });
    expect(made.source).toBe('new');
    expect(made.created).toBe(true);
    expect(made.actor.label).toBe('auto');
    expect(readRepoConfig(griteDir).defaultActor).toBe(made.actor.actorId);
    expect(resolveActor(griteDir, { env, create: true })).toEqual({ actor: made.actor, created: false, source: 'default' });

    handActor(A1);
    handActor(B1);
    // The default wins over the first actor by id; a stale default falls through to the first.
    expect(resolveActor(griteDir, { env }).source).toBe('default');
    writeRepoConfig(griteDir, { defaultActor: 'ffff0000000000000000000000000009' });
    const firstId = [made.actor.actorId, A1, B1].sort()[0];
    expect(resolveActor(griteDir, { env })).toMatchObject({ source: 'first', actor: { actorId: firstId } });
    writeRepoConfig(griteDir, { defaultActor: B1 });
    expect(resolveActor(griteDir, { env })).toMatchObject({ source: 'default', actor: { actorId: B1 } });

    expect(resolveActor(griteDir, { env, actor: 'aaaa' })).toMatchObject({ source: 'flag', actor: { actorId: A1 } });
    expect(caught(() => resolveActor(griteDir, { env, actor: 'cccc' })).code).toBe('not_found');

    // An actor directory elsewhere: GRITE_HOME, and --data-dir over it.
    const home = join(tmp, 'home-actor');
    mkdirSync(home);
    writeFileSync(join(home, 'config.toml'), `actor_id = "${A2}"\n`);
    const withHome = { ...env, GRITE_HOME: home };
    expect(resolveActor(griteDir, { env: withHome, actor: 'aaaa' })).toMatchObject({
      source: 'data_dir',
      actor: { actorId: A2, dataDir: home, label: null, createdTs: null },
    });
    expect(resolveActor(griteDir, { env: withHome, dataDir: join(griteDir, 'actors', B1) })).toMatchObject({
      source: 'data_dir',
      actor: { actorId: B1 },
    });
    const missing = caught(() => resolveActor(griteDir, { env: { ...env, GRITE_HOME: join(tmp, 'empty') } }));
    expect(missing.code).toBe('config_error');
    expect(missing.hint).toContain('GRITE_HOME');
    expect(resolveActor(griteDir, { env: { ...env, GRITE_HOME: '' } }).source).toBe('default');
  });
});

describe('initGrite', () => {
  it('creates the grite dir, an actor and config.toml once; a second call changes nothing', () => {
    const first = initGrite(griteDir, { label: 'me' });
    expect(first.created).toEqual({ griteDir: true, actor: true, config: true });
    expect(first.changed).toBe(true);
    expect(first.actor.label).toBe('me');
    const file = join(griteDir, 'config.toml');
    expect(readFileSync(file, 'utf8')).toBe(`default_actor = "${first.actor.actorId}"\n`);
    const ino = statSync(file).ino;

    const second = initGrite(griteDir, { label: 'other' });
    expect(second).toEqual({ griteDir, actor: first.actor, created: { griteDir: false, actor: false, config: false }, changed: false });
    expect(statSync(file).ino).toBe(ino);
    expect(listActors(griteDir)).toHaveLength(1);
  });

  it('adopts existing actors and keeps an existing config.toml', () => {
    handActor(B1);
    handActor(A2);
    writeFileSync(join(griteDir, 'config.toml'), '[snapshot]\nmax_events = 1\n');
    const r = initGrite(griteDir);
    expect(r.created).toEqual({ griteDir: false, actor: false, config: true });
    expect(r.actor.actorId).toBe(A2);
    expect(readFileSync(join(griteDir, 'config.toml'), 'utf8')).toBe(`default_actor = "${A2}"\n\n[snapshot]\nmax_events = 1\n`);
    expect(initGrite(griteDir).changed).toBe(false);
  });

  it('puts a worktree’s files in the common git dir', () => {
    git(repo, ['commit', '-q', '--allow-empty', '-m', 'first']);
    const wt = join(tmp, 'wt');
    git(repo, ['worktree', 'add', '-q', '-b', 'side', wt]);
    const fromWorktree = resolveRepo(wt, cleanEnv());
    expect(fromWorktree.griteDir).toBe(join(repo, '.git', 'grite'));
    const r = initGrite(fromWorktree.griteDir);
    expect(resolveActor(griteDir, { env: cleanEnv() }).actor).toEqual(r.actor);
  });

  it('stops on an invalid config.toml before creating anything', () => {
    mkdirSync(griteDir);
    writeFileSync(join(griteDir, 'config.toml'), 'default_actor = \n');
    expect(caught(() => initGrite(griteDir)).code).toBe('config_error');
    expect(listActors(griteDir)).toEqual([]);
  });
});
