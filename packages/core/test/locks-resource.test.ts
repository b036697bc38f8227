// Lock resources, namespaces and the lock.json format (no git involved).
import { describe, expect, it } from 'vitest';
import { GriteError } from '../src/errors.js';
import {
  lockJson,
  lockRefName,
  lockState,
  normalizeResource,
  parseLockJson,
  resourceHash,
  resourcesConflict,
} from '../src/locks/index.js';

function invalid(f: () => unknown): GriteError {
  try {
    f();
  } catch (e) {
    if (e instanceof GriteError) {
      expect(e.code).toBe('invalid_args');
      return e;
    }
    throw e;
  }
  throw new Error('expected invalid_args');
}

const ISSUE = '0123456789abcdef0123456789abcdef';

describe('lock refs', () => {
  it('names the ref by the first 16 hex of SHA-256 of the resource', () => {
    // Values from `printf %s <resource> | sha256sum`.
    expect(resourceHash('repo:global')).toBe('4fa20104a646a633');
    expect(lockRefName(`issue:${ISSUE}`)).toBe('refs/grite/locks/b60cd2a167966e4b');
    expect(lockRefName('path:src/main.rs')).toBe('refs/grite/locks/eda6df87daf5b23f');
  });
});

describe('normalizeResource', () => {
  it('keeps repo: names and gives each path one spelling', () => {
    expect(normalizeResource('repo:global')).toBe('repo:global');
    expect(normalizeResource('path:src/main.rs')).toBe('path:src/main.rs');
    expect(normalizeResource('path:./src//lib/')).toBe('path:src/lib');
    expect(normalizeResource('path:src/./a.ts')).toBe('path:src/a.ts');
  });

  it('resolves issue: references to the full id through the resolver, and requires the full id without one', () => {
    const seen: string[] = [];
    const resolve = (ref: string): Uint8Array => {
      seen.push(ref);
      if (!ISSUE.startsWith(ref)) throw new GriteError('not_found', `no issue ${ref}`);
      return Uint8Array.from(Buffer.from(ISSUE, 'hex'));
    };
    expect(normalizeResource('issue:0123', resolve)).toBe(`issue:${ISSUE}`);
    expect(seen).toEqual(['0123']);
    expect(normalizeResource(`issue:${ISSUE.toUpperCase()}`)).toBe(`issue:${ISSUE}`);
    expect(normalizeResource('issue:01234567', () => ISSUE.toUpperCase())).toBe(`issue:${ISSUE}`);
    invalid(() => normalizeResource('issue:0123'));
    expect(() => normalizeResource('issue:ffff', resolve)).toThrow(/no issue ffff/);
  });

  it('refuses resources without a known namespace or with bad names', () => {
    for (const bad of ['', 'global', 'branch:main', 'Repo:global', 'repo:', 'path:', 'path:./', 'path:/etc/passwd', 'path:a/../b', 'issue:', 'repo:a\nb']) {
      const e = invalid(() => normalizeResource(bad));
      expect(e.hint).toMatch(/repo:<name>/);
    }
  });
});

describe('resourcesConflict', () => {
  const cases: Array<[string, string, boolean]> = [
    ['repo:global', 'repo:global', true],
    ['repo:global', 'path:src', true],
    ['issue:abc', 'repo:other', true],
    ['path:src', 'path:src', true],
    ['path:src', 'path:src/main.rs', true],
    ['path:src/', 'path:src/lib/a.ts', true],
    ['path:src/main.rs', 'path:src', true],
    ['path:src', 'path:srcx/a', false],
    ['path:src/main.rs', 'path:src/lib.rs', false],
    ['path:src', 'path:tests', false],
    [`issue:${ISSUE}`, `issue:${ISSUE}`, true],
    [`issue:${ISSUE}`, `issue:${ISSUE.toUpperCase()}`, true],
    [`issue:${ISSUE}`, 'issue:ffffffffffffffffffffffffffffffff', false],
    [`issue:${ISSUE}`, 'path:src', false],
    ['other:x', 'other:x', false],
    ['other:x', 'repo:global', true],
  ];
  it.each(cases)('%s vs %s -> %s', (a, b, want) => {
    expect(resourcesConflict(a, b)).toBe(want);
    expect(resourcesConflict(b, a)).toBe(want);
  });
});

describe('lock.json', () => {
  it('is 2-space pretty JSON in the Rust key order, with no trailing newline', () => {
    const text = lockJson({
      owner: 'aa'.repeat(16),
      nonce: '5f0c7a9e-2b1d-4c3e-9f8a-1234567890ab',
      expiresUnixMs: 1_700_000_300_000,
      resource: 'path:src/"quoted"\\dir/ü',
    });
    expect(text).toBe(
      [
        '{',
        `  "owner": "${'aa'.repeat(16)}",`,
        '  "nonce": "5f0c7a9e-2b1d-4c3e-9f8a-1234567890ab",',
        '  "expires_unix_ms": 1700000300000,',
        '  "resource": "path:src/\\"quoted\\"\\\\dir/ü"',
        '}',
      ].join('\n'),
    );
    expect(parseLockJson(text)).toEqual({
      owner: 'aa'.repeat(16),
      nonce: '5f0c7a9e-2b1d-4c3e-9f8a-1234567890ab',
      expiresUnixMs: 1_700_000_300_000,
      resource: 'path:src/"quoted"\\dir/ü',
    });
  });

  it('reads compact JSON too, and refuses what is not a lock', () => {
    expect(parseLockJson('{"owner":"o","nonce":"n","expires_unix_ms":0,"resource":"repo:global"}').expiresUnixMs).toBe(0);
    for (const bad of ['[]', '{"owner":"o"}', '{"owner":"o","nonce":"n","expires_unix_ms":-1,"resource":"r"}', 'nope']) {
      expect(() => parseLockJson(bad)).toThrow(GriteError);
    }
  });

  it('is held before its expiry, expired from it on, released at 0', () => {
    const lock = { owner: 'o', nonce: 'n', expiresUnixMs: 1000, resource: 'repo:global' };
    expect(lockState(lock, 999)).toBe('held');
    expect(lockState(lock, 1000)).toBe('expired');
    expect(lockState({ ...lock, expiresUnixMs: 0 }, 5)).toBe('released');
  });
});
