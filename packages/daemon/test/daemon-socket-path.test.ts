/**
 * The socket path: private directory, hash-named socket, and the whole path
 * within the smallest sun_path limit (104 bytes with the NUL), proven by
 * binding a real socket at the computed path.
 */
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensurePrivateDir,
  isPrivateDir,
  MAX_SOCKET_PATH_BYTES,
  socketDirCandidates,
  socketName,
  socketPathFor,
  SocketDirError,
} from '../src/index.js';

const uid = process.getuid!();
let base: string;

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'grite-sockpath-')));
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

/** A directory whose path is about `length` bytes long. */
function deepDir(root: string, length: number): string {
  let p = root;
  while (Buffer.byteLength(p) < length) p = join(p, 'd'.repeat(Math.min(50, length - Buffer.byteLength(p))));
  mkdirSync(p, { recursive: true });
  return p;
}

async function bindsAt(path: string): Promise<void> {
  ensurePrivateDir(dirname(path));
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('socket path', () => {
  it('stays within the limit for a very long repository path', async () => {
    const repo = deepDir(base, 400);
    const xdg = join(base, 'run');
    const p = socketPathFor(repo, { env: { XDG_RUNTIME_DIR: xdg } });
    expect(Buffer.byteLength(repo)).toBeGreaterThan(300);
    expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    expect(MAX_SOCKET_PATH_BYTES).toBeLessThan(104);
    expect(p.startsWith(join(xdg, 'grite') + '/')).toBe(true);
    await bindsAt(p);
  });

  it('falls back to /tmp/grite-<uid>/ when XDG_RUNTIME_DIR is too long', async () => {
    const xdg = deepDir(base, 110);
    const p = socketPathFor(base, { env: { XDG_RUNTIME_DIR: xdg } });
    expect(dirname(p)).toBe(`/tmp/grite-${uid}`);
    expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    await bindsAt(p);
  });

  it('uses /tmp/grite-<uid>/ without XDG_RUNTIME_DIR, or with a relative one', () => {
    expect(socketDirCandidates({ env: {} })).toEqual([`/tmp/grite-${uid}`]);
    expect(socketDirCandidates({ env: { XDG_RUNTIME_DIR: 'relative/run' } })).toEqual([`/tmp/grite-${uid}`]);
    expect(socketDirCandidates({ env: { XDG_RUNTIME_DIR: '/run/user/7' }, uid: 7 })).toEqual(['/run/user/7/grite', '/tmp/grite-7']);
  });

  it('names the socket by the realpath of the common dir', () => {
    const a = join(base, 'a');
    const b = join(base, 'b');
    mkdirSync(a);
    mkdirSync(b);
    symlinkSync(a, join(base, 'link'));
    expect(socketName(join(base, 'link'))).toBe(socketName(a));
    expect(socketName(a)).not.toBe(socketName(b));
    expect(socketName(a)).toMatch(/^[0-9a-f]{16}\.sock$/);
  });
});

describe('private socket directory', () => {
  it('is created with mode 0700', () => {
    const d = join(base, 'new', 'grite');
    ensurePrivateDir(d);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(isPrivateDir(d)).toBe(true);
  });

  it('loses group and other access when it is ours', () => {
    const d = join(base, 'open');
    mkdirSync(d, { mode: 0o755 });
    chmodSync(d, 0o755);
    expect(isPrivateDir(d)).toBe(false);
    ensurePrivateDir(d);
    expect(statSync(d).mode & 0o777).toBe(0o700);
  });

  it('is refused when someone else owns it', () => {
    const d = join(base, 'theirs');
    mkdirSync(d, { mode: 0o700 });
    // The directory belongs to us; checked as another user, it is someone else's.
    const other = uid + 1;
    expect(() => ensurePrivateDir(d, { uid: other })).toThrow(SocketDirError);
    expect(isPrivateDir(d, { uid: other })).toBe(false);
    try {
      ensurePrivateDir(d, { uid: other });
    } catch (e) {
      expect((e as SocketDirError).code).toBe('io_error');
      expect((e as SocketDirError).details['owner_uid']).toBe(String(uid));
    }
  });

  it('is refused when it is a symlink or a file', () => {
    const target = join(base, 'target');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, join(base, 'link'));
    expect(() => ensurePrivateDir(join(base, 'link'))).toThrow(/not a directory/);
    expect(isPrivateDir(join(base, 'link'))).toBe(false);
  });
});
