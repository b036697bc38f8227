// Bad input gives a clear message, the documented exit code, a JSON error
// under --json, and leaves the store unchanged; odd text round-trips exactly.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, grite, modes, stopDaemon, tempRepo, type Result } from './helpers.js';

for (const mode of modes) {
describe(mode.name, () => {
  let repo: { dir: string; cleanup: () => void };
  const run = (...args: string[]): Promise<Result> => grite({ cwd: repo.dir, env: mode.env }, ...args);
  let first = '';

  function walHead(): string | null {
    try {
      return git(repo.dir, 'rev-parse', '-q', '--verify', 'refs/grite/wal');
    } catch {
      return null;
    }
  }

  beforeAll(async () => {
    repo = tempRepo();
    first = (await run('issue', 'create', '--title', 'seed', '--json')).json.data.issue_id;
  });
  afterAll(async () => {
    await stopDaemon(repo.dir);
    repo.cleanup();
  });

  function expectError(r: Result, code: string, exit: number): void {
    expect(r.code, r.stdout + r.stderr).toBe(exit);
    expect(r.json).toMatchObject({ schema_version: 1, ok: false, error: { code } });
    expect(typeof r.json.error.message).toBe('string');
    expect(r.json.error.message.length).toBeGreaterThan(0);
    expect(Object.keys(r.json.error).sort()).toEqual(['code', 'details', 'hint', 'message']);
  }

  describe('bad input', () => {
    const cases: [string, string[], string, number][] = [
      ['unknown flag', ['issue', 'list', '--bogus'], 'invalid_args', 2],
      ['missing title', ['issue', 'create'], 'invalid_args', 2],
      ['empty title', ['issue', 'create', '--title', '   '], 'invalid_args', 2],
      ['bad option value', ['issue', 'list', '--state', 'maybe'], 'invalid_args', 2],
      ['missing issue arg', ['issue', 'show'], 'invalid_args', 2],
      ['non-hex id', ['issue', 'show', 'zzzz'], 'invalid_args', 2],
      ['too-short prefix', ['issue', 'show', 'ab'], 'invalid_args', 2],
      ['unknown id', ['issue', 'close', 'ffffffffffffffffffffffffffffffff'], 'not_found', 3],
      ['self dependency', ['issue', 'dep', 'add', 'SELF', '--target', 'SELF'], 'invalid_args', 2],
    ];
    for (const [name, args, code, exit] of cases) {
      it(`${name}: ${code}, exit ${exit}, nothing written`, async () => {
        const head = walHead();
        const r = await run(...args.map((a) => (a === 'SELF' ? first : a)), '--json');
        expectError(r, code, exit);
        expect(walHead()).toBe(head);
      });
    }

    it('an ambiguous prefix lists the candidates', async () => {
      // Two issues whose ids share a 6-hex prefix, written through core (ids are random through the CLI).
      const { Store, createEvent, newActorId, fromHex } = await import('@grite/core');
      const store = await Store.open({ cwd: repo.dir });
      const actor = newActorId();
      const ids = ['abcdef0000000000000000000000000a', 'abcdef1111111111111111111111111b'];
      await store.append(
        ids.map((hex, i) => createEvent({ issueId: fromHex(hex), actor, ts: Date.now() + i, kind: { type: 'IssueCreated', title: `twin ${i}`, body: '', labels: [] } })),
      );
      await store.close();
      const head = walHead();
      const r = await run('issue', 'close', 'abcdef', '--json');
      expectError(r, 'invalid_args', 2);
      expect([...r.json.error.details.candidates].sort()).toEqual(ids);
      expect(walHead()).toBe(head);
      const human = await run('issue', 'show', 'abcd');
      expect(human.code).toBe(2);
      expect(human.stderr).toContain(ids[0]);
      expect(human.stderr).toContain(ids[1]);
      // A longer prefix is unique again.
      expect((await run('issue', 'show', 'abcdef1', '--json')).json.data.issue.title).toBe('twin 1');
    });

    it('human mode prints the error and one hint on stderr', async () => {
      const r = await run('issue', 'show', 'ffffffff');
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: .+\nhint: .+\n$/);
    });

    it('outside a git repository: environment error, exit 5', async () => {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-norepo-')));
      try {
        const r = await grite({ cwd: dir, env: { ...mode.env, GIT_CEILING_DIRECTORIES: tmpdir() } }, 'issue', 'list', '--json');
        expectError(r, 'not_a_repo', 5);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('text round-trips exactly', () => {
    const texts = [
      'quotes "double" and \'single\'',
      'line one\nline two\n\ttabbed',
      '--leading-dashes',
      '-x',
      '$(rm -rf /) `echo hi` ; | & > < * ?',
      'naïve café 日本語 emoji 🎉👩‍💻',
      '  spaces around  ',
    ];
    for (const text of texts) {
      it(JSON.stringify(text), async () => {
        const c = await run('issue', 'create', `--title=${text}`, `--body=${text}`, `--label=${text.trim()}`, '--json');
        expect(c.code, c.stdout + c.stderr).toBe(0);
        const s = await run('issue', 'show', c.json.data.issue_id, '--json');
        expect(s.json.data.issue.title).toBe(text);
        expect(s.json.data.issue.body).toBe(text);
        expect(s.json.data.issue.labels).toEqual([text.trim()]);
      });
    }
  });

  describe('worktrees', () => {
    it('a worktree shares the issues of the main checkout', async () => {
      const wt = join(repo.dir, '..', `${repo.dir.split('/').pop()}-wt`);
      git(repo.dir, 'worktree', 'add', '-q', wt);
      try {
        const c = await grite({ cwd: wt, env: mode.env }, 'issue', 'create', '--title', 'from the worktree', '--json');
        expect(c.code, c.stdout + c.stderr).toBe(0);
        const s = await run('issue', 'show', c.json.data.issue_id, '--json');
        expect(s.json.data.issue.title).toBe('from the worktree');
        const l = await grite({ cwd: wt, env: mode.env }, 'issue', 'show', first, '--json');
        expect(l.json.data.issue.title).toBe('seed');
      } finally {
        git(repo.dir, 'worktree', 'remove', '--force', wt);
      }
    });
  });
});
}
