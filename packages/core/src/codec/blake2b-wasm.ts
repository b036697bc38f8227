/**
 * BLAKE2b-256 compiled to a small WebAssembly module at load time, for speed:
 * every read verifies every event id and every chunk hash, and 64-bit
 * arithmetic is native in wasm (i64.add, i64.rotr) where JS must emulate it
 * on 32-bit halves. Same algorithm and parameters as blake2b.ts (RFC 7693,
 * 32-byte digest, no key); the module is emitted below from the round
 * structure rather than shipped as opaque bytes.
 *
 * Memory layout: [0, 64) the state h (8 x u64, little-endian), [64, 192) a
 * zero-padded final block, [256, ...) the input. Export `hash(len)` hashes
 * the `len` input bytes and leaves the digest in h[0..32).
 */

/** The BLAKE2b IV (the SHA-512 IV), as 64-bit words. */
export const IV: readonly bigint[] = [
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
];

/** The message schedule, one row a round (rounds 10 and 11 repeat rows 0 and 1). */
export const SIGMA: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

export const H_ADDR = 0;
const BLOCK_ADDR = 64;
export const INPUT_ADDR = 256;

// Opcodes (WebAssembly core spec, binary format).
const OP = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, call: 0x10, void: 0x40,
  localGet: 0x20, localSet: 0x21, i32Const: 0x41, i64Const: 0x42,
  i64Load: 0x29, i64Store: 0x37, i32Add: 0x6a, i32Sub: 0x6b, i32GtU: 0x4b,
  i64Add: 0x7c, i64Sub: 0x7d, i64Xor: 0x85, i64Rotr: 0x8a, i64ExtendI32U: 0xad,
  prefixFC: 0xfc, memoryCopy: 0x0a, memoryFill: 0x0b,
} as const;
const I32 = 0x7f;
const I64 = 0x7e;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** An i64 constant from its unsigned 64-bit pattern. */
function i64(v: bigint): number[] {
  return [OP.i64Const, ...sleb(BigInt.asIntN(64, v))];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

/** compress(addr: i32, t: i64, last: i32): one BLOCK at `addr` into h. */
function compressBody(): number[] {
  // Locals: 0 addr, 1 t, 2 last, 3..18 v0..v15, 19..34 m0..m15.
  const v = (i: number): number => 3 + i;
  const m = (i: number): number => 19 + i;
  const code: number[] = [];
  const get = (l: number): void => void code.push(OP.localGet, ...uleb(l));
  const set = (l: number): void => void code.push(OP.localSet, ...uleb(l));
  for (let i = 0; i < 16; i++) {
    get(0);
    code.push(OP.i64Load, 3, ...uleb(8 * i));
    set(m(i));
  }
  for (let i = 0; i < 8; i++) {
    code.push(OP.i32Const, ...sleb(BigInt(H_ADDR)), OP.i64Load, 3, ...uleb(8 * i));
    set(v(i));
    code.push(...i64(IV[i]!));
    set(v(8 + i));
  }
  // v12 ^= t (the high 64 bits of the counter stay 0); v14 ^= last ? ~0 : 0.
  get(v(12));
  get(1);
  code.push(OP.i64Xor);
  set(v(12));
  get(v(14));
  code.push(...i64(0n));
  get(2);
  code.push(OP.i64ExtendI32U, OP.i64Sub, OP.i64Xor);
  set(v(14));

  const g = (a: number, b: number, c: number, d: number, x: number, y: number): void => {
    const add3 = (dst: number, p: number, q: number): void => {
      get(dst); get(p); code.push(OP.i64Add); get(q); code.push(OP.i64Add); set(dst);
    };
    const add2 = (dst: number, p: number): void => {
      get(dst); get(p); code.push(OP.i64Add); set(dst);
    };
    const xorRot = (dst: number, p: number, r: number): void => {
      get(dst); get(p); code.push(OP.i64Xor, ...i64(BigInt(r)), OP.i64Rotr); set(dst);
    };
    add3(v(a), v(b), m(x));
    xorRot(v(d), v(a), 32);
    add2(v(c), v(d));
    xorRot(v(b), v(c), 24);
    add3(v(a), v(b), m(y));
    xorRot(v(d), v(a), 16);
    add2(v(c), v(d));
    xorRot(v(b), v(c), 63);
  };
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10]!;
    g(0, 4, 8, 12, s[0]!, s[1]!);
    g(1, 5, 9, 13, s[2]!, s[3]!);
    g(2, 6, 10, 14, s[4]!, s[5]!);
    g(3, 7, 11, 15, s[6]!, s[7]!);
    g(0, 5, 10, 15, s[8]!, s[9]!);
    g(1, 6, 11, 12, s[10]!, s[11]!);
    g(2, 7, 8, 13, s[12]!, s[13]!);
    g(3, 4, 9, 14, s[14]!, s[15]!);
  }
  for (let i = 0; i < 8; i++) {
    // h[i] ^= v[i] ^ v[i + 8]
    code.push(OP.i32Const, ...sleb(BigInt(H_ADDR)));
    code.push(OP.i32Const, ...sleb(BigInt(H_ADDR)), OP.i64Load, 3, ...uleb(8 * i));
    get(v(i));
    code.push(OP.i64Xor);
    get(v(8 + i));
    code.push(OP.i64Xor, OP.i64Store, 3, ...uleb(8 * i));
  }
  code.push(OP.end);
  return [...vec([[...uleb(32), I64]]), ...code];
}

/** hash(len: i32): BLAKE2b-256 of INPUT[0, len) into h. */
function hashBody(): number[] {
  // Locals: 0 len, 1 off (i32), 2 end (i32), 3 t (i64).
  const code: number[] = [];
  const c32 = (n: number): number[] => [OP.i32Const, ...sleb(BigInt(n))];
  for (let i = 0; i < 8; i++) {
    code.push(...c32(H_ADDR), ...i64(i === 0 ? IV[0]! ^ 0x01010020n : IV[i]!), OP.i64Store, 3, ...uleb(8 * i));
  }
  code.push(...c32(INPUT_ADDR), OP.localSet, 1);
  code.push(...c32(INPUT_ADDR), OP.localGet, 0, OP.i32Add, OP.localSet, 2);
  code.push(...i64(0n), OP.localSet, 3);
  // while (end - off > 128) { t += 128; compress(off, t, 0); off += 128 }
  code.push(OP.loop, OP.void);
  code.push(OP.localGet, 2, OP.localGet, 1, OP.i32Sub, ...c32(128), OP.i32GtU);
  code.push(OP.if, OP.void);
  code.push(OP.localGet, 3, ...i64(128n), OP.i64Add, OP.localSet, 3);
  code.push(OP.localGet, 1, OP.localGet, 3, ...c32(0), OP.call, 0);
  code.push(OP.localGet, 1, ...c32(128), OP.i32Add, OP.localSet, 1);
  code.push(OP.br, 1);
  code.push(OP.end, OP.end);
  // The final block: zero-padded copy of the tail, counter = len, last = 1.
  code.push(...c32(BLOCK_ADDR), ...c32(0), ...c32(128), OP.prefixFC, OP.memoryFill, 0);
  code.push(...c32(BLOCK_ADDR), OP.localGet, 1, OP.localGet, 2, OP.localGet, 1, OP.i32Sub, OP.prefixFC, OP.memoryCopy, 0, 0);
  code.push(OP.localGet, 3, OP.localGet, 2, OP.localGet, 1, OP.i32Sub, OP.i64ExtendI32U, OP.i64Add, OP.localSet, 3);
  code.push(...c32(BLOCK_ADDR), OP.localGet, 3, ...c32(1), OP.call, 0);
  code.push(OP.end);
  return [...vec([[2, I32], [1, I64]]), ...code];
}

/** The module's bytes. */
export function blake2bModuleBytes(): Uint8Array {
  const types = section(1, vec([
    [0x60, ...vec([[I32], [I64], [I32]]), ...vec([])], // compress
    [0x60, ...vec([[I32]]), ...vec([])], // hash
  ]));
  const funcs = section(3, vec([[0], [1]]));
  const memory = section(5, vec([[0x00, ...uleb(2)]]));
  const exports = section(7, vec([
    [...name('memory'), 0x02, 0],
    [...name('hash'), 0x00, 1],
  ]));
  const bodies = [compressBody(), hashBody()].map((b) => [...uleb(b.length), ...b]);
  const code = section(10, vec(bodies));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...funcs, ...memory, ...exports, ...code]);
}

/** The slice of the WebAssembly API used here (lib ES2023 does not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

export interface Blake2bWasm {
  memory: WasmMemory;
  hash: (len: number) => void;
}

/** The instantiated module, or null where WebAssembly is unavailable (e.g. node --jitless). */
export function instantiateBlake2b(): Blake2bWasm | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return null;
  try {
    const instance = new api.Instance(new api.Module(blake2bModuleBytes()), {});
    const { memory, hash } = instance.exports as unknown as Blake2bWasm;
    return { memory, hash };
  } catch {
    return null;
  }
}
