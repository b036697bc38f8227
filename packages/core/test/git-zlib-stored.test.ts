// Small objects are written as zlib streams of stored blocks, made without
// zlib (src/git/objects.ts): zlib itself and git must read them, at every
// block boundary, and the Adler-32 must be right (inflate checks it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { STORED_MAX, compressObject, writeLooseObject, zlibStored } from '../src/git/objects.js';
import { makeRepo, type TempRepo } from './fixtures/helpers.js';

function bytes(n: number, seed: number): Uint8Array {
  // Varied bytes, all 255s included, so the Adler-32 sums run high.
  return Uint8Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 255 : (i * seed + (i >> 8)) & 0xff));
}

describe('zlibStored', () => {
  it.each([0, 1, 2, 511, 512, 5552, 5553, 65535, 65536, 65537, 200_000])('%i bytes inflate back, Adler-32 checked', (n) => {
    const data = bytes(n, 31);
    const z = zlibStored(data);
    expect(z.length).toBe(2 + Math.max(1, Math.ceil(n / 65535)) * 5 + n + 4);
    expect(Buffer.compare(inflateSync(z), Buffer.from(data))).toBe(0);
  });

  it('all 0xff bytes (the largest Adler-32 sums)', () => {
    const data = new Uint8Array(300_000).fill(255);
    expect(Buffer.compare(inflateSync(zlibStored(data)), Buffer.from(data))).toBe(0);
  });

  it('a wrong checksum is refused by zlib (the check is real)', () => {
    const z = zlibStored(bytes(100, 7));
    z[z.length - 1] ^= 1;
    expect(() => inflateSync(z)).toThrow();
  });

  it('compressObject stores up to STORED_MAX bytes and deflates larger objects', () => {
    const small = bytes(STORED_MAX, 3);
    expect(compressObject(small).length).toBe(STORED_MAX + 11);
    const large = new Uint8Array(STORED_MAX + 1).fill(65);
    const z = compressObject(large);
    expect(z.length).toBeLessThan(100);
    expect(Buffer.compare(inflateSync(z), Buffer.from(large))).toBe(0);
  });
});

describe('stored loose objects', () => {
  let repo: TempRepo | null = null;
  afterEach(() => {
    repo?.cleanup();
    repo = null;
  });

  it('git reads and fscks a small loose object written stored', async () => {
    repo = makeRepo('grite-zlib-stored-');
    const data = new TextEncoder().encode('a small blob\n');
    const oid = await writeLooseObject(repo.gitDir, 'blob', data);
    const file = readFileSync(join(repo.gitDir, 'objects', oid.slice(0, 2), oid.slice(2)));
    expect(file[2]).toBe(1); // one final stored block
    expect(repo.git(['cat-file', 'blob', oid])).toBe('a small blob\n');
    repo.git(['fsck', '--strict']);
  });
});
