import { writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { casRef, checkRefName, parseGitConfig, readRef, writeLooseObject } from '../src/git/index.js';
import { makeRepo, rejected, thrown, type TempRepo } from './fixtures/helpers.js';

let repo: TempRepo;
let a: string;
let b: string;
let c: string;
const enc = new TextEncoder();

beforeEach(async () => {
  repo = makeRepo();
  a = await writeLooseObject(repo.gitDir, 'blob', enc.encode('a'));
  b = await writeLooseObject(repo.gitDir, 'blob', enc.encode('b'));
  c = await writeLooseObject(repo.gitDir, 'blob', enc.encode('c'));
});
afterEach(() => repo.cleanup());

const REF = 'refs/grite/wal';

describe('readRef', () => {
  it('is null for a missing ref, then reads loose refs git wrote', async () => {
    expect(await readRef(repo.gitDir, REF)).toBeNull();
    repo.git(['update-ref', REF, a]);
    expect(await readRef(repo.gitDir, REF)).toBe(a);
  });

  it('reads packed refs, and a loose ref overrides a packed one', async () => {
    repo.git(['update-ref', REF, a]);
    repo.git(['pack-refs', '--all']);
    expect(existsSync(join(repo.gitDir, REF))).toBe(false);
    expect(await readRef(repo.gitDir, REF)).toBe(a);
    mkdirSync(join(repo.gitDir, 'refs/grite'), { recursive: true });
    writeFileSync(join(repo.gitDir, REF), `${b}\n`);
    expect(await readRef(repo.gitDir, REF)).toBe(b);
  });

  it('follows symbolic refs', async () => {
    repo.git(['update-ref', REF, a]);
    repo.git(['symbolic-ref', 'refs/grite/alias', REF]);
    expect(await readRef(repo.gitDir, 'refs/grite/alias')).toBe(a);
  });

  it('rejects malformed ref names and contents', async () => {
    for (const bad of ['HEAD', 'refs/../x', 'refs/a b', 'refs/x.lock', 'refs/a//b', 'refs/.x', 'refs/x/']) {
      expect(thrown(() => checkRefName(bad)).code, bad).toBe('invalid_args');
    }
    mkdirSync(join(repo.gitDir, 'refs/grite'), { recursive: true });
    writeFileSync(join(repo.gitDir, REF), 'garbage\n');
    expect((await rejected(readRef(repo.gitDir, REF))).code).toBe('git_error');
  });
});

describe('casRef', () => {
  it('creates, moves on the expected value, and refuses stale expectations', async () => {
    expect(await casRef(repo.gitDir, REF, a, b)).toBe(false); // does not exist yet
    expect(await casRef(repo.gitDir, REF, a, null)).toBe(true);
    expect(repo.git(['rev-parse', REF]).trim()).toBe(a);
    expect(await casRef(repo.gitDir, REF, b, null)).toBe(false); // exists now
    expect(await casRef(repo.gitDir, REF, b, c)).toBe(false);
    expect(await casRef(repo.gitDir, REF, b, a)).toBe(true);
    expect(repo.git(['rev-parse', REF]).trim()).toBe(b);
    expect(existsSync(join(repo.gitDir, `${REF}.lock`))).toBe(false);
  });

  it('returns false while someone else holds the lock, and leaves their lock alone', async () => {
    repo.git(['update-ref', REF, a]);
    writeFileSync(join(repo.gitDir, `${REF}.lock`), '');
    expect(await casRef(repo.gitDir, REF, b, a)).toBe(false);
    expect(existsSync(join(repo.gitDir, `${REF}.lock`))).toBe(true);
    expect(await readRef(repo.gitDir, REF)).toBe(a);
  });

  it('moves a ref that only exists in packed-refs', async () => {
    repo.git(['update-ref', REF, a]);
    repo.git(['pack-refs', '--all']);
    expect(await casRef(repo.gitDir, REF, b, c)).toBe(false);
    expect(await casRef(repo.gitDir, REF, b, a)).toBe(true);
    expect(repo.git(['rev-parse', REF]).trim()).toBe(b);
    expect(repo.git(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/grite/']).trim()).toBe(`${b} ${REF}`);
  });

  it('exactly one of many concurrent CAS from the same old value wins', async () => {
    repo.git(['update-ref', REF, a]);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => casRef(repo.gitDir, REF, i % 2 ? b : c, a)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(existsSync(join(repo.gitDir, `${REF}.lock`))).toBe(false);
  });

  it('refuses values that are not object ids', async () => {
    expect((await rejected(casRef(repo.gitDir, REF, 'main', null))).code).toBe('invalid_args');
  });
});

describe('git config', () => {
  it('reads the extensions that decide the object format and ref storage', () => {
    const cfg = parseGitConfig(
      '[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectFormat = sha256 ; comment\n\trefStorage = "reftable"\n[remote "origin"]\n\turl = x\n',
    );
    expect(cfg.get('extensions.objectformat')).toBe('sha256');
    expect(cfg.get('extensions.refstorage')).toBe('reftable');
    expect(cfg.get('remote.origin.url')).toBe('x');
  });
});
