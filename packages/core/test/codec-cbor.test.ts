import { describe, expect, it } from 'vitest';
import { CborRaw, CborReader, decodeCbor, encodeCbor, fromHex, toHex, type CborValue } from '../src/codec/index.js';
import { GriteErrorOf } from './fixtures/helpers.js';

const hex = (v: CborValue): string => toHex(encodeCbor(v));

function walError(bytes: string): { code: string; message: string } {
  try {
    decodeCbor(fromHex(bytes));
  } catch (e) {
    const g = GriteErrorOf(e);
    return { code: g.code, message: g.message };
  }
  throw new Error(`decoded ${bytes} without error`);
}

describe('canonical CBOR encoder', () => {
  it('writes the shortest integer heads at every boundary', () => {
    expect(hex(0)).toBe('00');
    expect(hex(23)).toBe('17');
    expect(hex(24)).toBe('1818');
    expect(hex(255)).toBe('18ff');
    expect(hex(256)).toBe('190100');
    expect(hex(65535)).toBe('19ffff');
    expect(hex(65536)).toBe('1a00010000');
    expect(hex(0xffffffff)).toBe('1affffffff');
    expect(hex(0x100000000)).toBe('1b0000000100000000');
    expect(hex(Number.MAX_SAFE_INTEGER)).toBe('1b001fffffffffffff');
    expect(hex(1700000000000)).toBe('1b0000018bcfe56800');
    expect(hex(0xffffffffffffffffn)).toBe('1bffffffffffffffff');
    expect(hex(-1)).toBe('20');
    expect(hex(-25)).toBe('3818');
    expect(hex(-0x10000000000000000n)).toBe('3bffffffffffffffff');
  });

  it('writes byte strings, text, arrays, null and booleans', () => {
    expect(hex(new Uint8Array([1, 2]))).toBe('420102');
    expect(hex('')).toBe('60');
    expect(hex('a')).toBe('6161');
    expect(hex('é')).toBe('62c3a9');
    expect(hex('😀')).toBe('64f09f9880');
    expect(hex('x'.repeat(24))).toBe('7818' + '78'.repeat(24));
    expect(hex([])).toBe('80');
    expect(hex([1, [2, null], 'a'])).toBe('83018202f66161');
    expect(hex(null)).toBe('f6');
    expect(hex(false)).toBe('f4');
    expect(hex(true)).toBe('f5');
    expect(hex([new CborRaw(fromHex('8101'))])).toBe('818101');
  });

  it('refuses values it cannot write canonically', () => {
    expect(() => encodeCbor(1.5)).toThrow(/safe integer/);
    expect(() => encodeCbor(Number.NaN)).toThrow();
    expect(() => encodeCbor({} as unknown as CborValue)).toThrow(/not encodable/);
    expect(() => encodeCbor(undefined as unknown as CborValue)).toThrow(/not encodable/);
  });
});

describe('strict CBOR decoder', () => {
  it('round-trips what the encoder writes', () => {
    const values: CborValue[] = [
      0, 23, 24, 255, 256, 65535, 65536, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -24, -25, -(2 ** 40),
      2n ** 53n, 2n ** 64n - 1n, -(2n ** 64n),
      '', 'hello', 'é😀', 'x'.repeat(300), new Uint8Array(0), new Uint8Array(300).fill(7),
      null, true, false, [], [[[]]], [1, 'a', null, new Uint8Array([9]), [true]],
    ];
    for (const v of values) {
      expect(decodeCbor(encodeCbor(v)), `value ${String(v)}`).toEqual(v);
    }
  });

  it('gives numbers up to 2^53 - 1 and bigints above', () => {
    expect(decodeCbor(fromHex('1b001fffffffffffff'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeCbor(fromHex('1b0020000000000000'))).toBe(2n ** 53n);
  });

  it('rejects maps, tags, floats, undefined and indefinite lengths', () => {
    expect(walError('a0')).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/maps/) });
    expect(walError('c11a5f000000')).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/tags/) });
    expect(walError('f93c00')).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/floats/) });
    expect(walError('fb3ff8000000000000')).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/floats/) });
    expect(walError('f7')).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/simple value/) });
    expect(walError('9f01ff')).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/indefinite/) });
    expect(walError('5f41014102ff')).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/indefinite/) });
    expect(walError('1c')).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/reserved/) });
  });

  it('rejects non-shortest heads', () => {
    for (const b of ['1817', '190017', '1900ff', '1a0000ffff', '1b00000000ffffffff', '5801aa', '980100', '780161']) {
      expect(walError(b), b).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/non-shortest/) });
    }
  });

  it('rejects truncation, trailing bytes and invalid UTF-8', () => {
    expect(walError('')).toMatchObject({ message: expect.stringMatching(/end of input/) });
    expect(walError('19ff')).toMatchObject({ message: expect.stringMatching(/truncated/) });
    expect(walError('4301')).toMatchObject({ message: expect.stringMatching(/truncated/) });
    expect(walError('82010203')).toMatchObject({ message: expect.stringMatching(/trailing/) });
    expect(walError('83')).toMatchObject({ message: expect.stringMatching(/truncated array/) });
    expect(walError('8201')).toMatchObject({ message: expect.stringMatching(/truncated/) });
    expect(walError('82181819')).toMatchObject({ message: expect.stringMatching(/truncated head/) });
    expect(walError('62c328')).toMatchObject({ message: expect.stringMatching(/UTF-8/) });
    expect(walError('61ff')).toMatchObject({ message: expect.stringMatching(/UTF-8/) });
    expect(walError('5b00000001000000000000')).toMatchObject({ code: 'wal_error' });
  });

  it('reports the offset of the problem', () => {
    try {
      decodeCbor(fromHex('8301021817'));
      throw new Error('no error');
    } catch (e) {
      expect(GriteErrorOf(e).details).toEqual({ offset: 3 });
    }
  });

  it('reads raw slices of items', () => {
    const r = new CborReader(fromHex('8382010263616263f6'));
    expect(r.readArray()).toBe(3);
    expect(toHex(r.readRaw())).toBe('820102');
    expect(r.readText()).toBe('abc');
    expect(r.readBytesOrNull()).toBeNull();
    expect(r.done).toBe(true);
  });

  it('throws nothing but wal_error on arbitrary bytes', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(1 + (rnd() % 24)).map(() => rnd() & 0xff);
      try {
        decodeCbor(bytes);
      } catch (e) {
        expect(GriteErrorOf(e).code).toBe('wal_error');
      }
    }
  });
});
