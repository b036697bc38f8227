#!/usr/bin/env node
// IPC benchmark: `pnpm build` (or `pnpm exec tsc -b packages/protocol`),
// then `node bench/ipc/run.mjs [--quick]`. Plain node, no TypeScript loader.
//
// Starts a server process (server.mjs) and a client process (client.mjs)
// and prints, side by side from one run: round-trip p50/p99 (sequential) and
// throughput with 16 requests in flight for a raw Unix-socket echo of the
// same bytes (the floor), the grite protocol, length-prefixed JSON over a
// Unix socket, and JSON over node:http keep-alive; then reading a
// 10,000-issue IssueListResult (one field of every issue, every field)
// against JSON.parse of the same data; and bytes on the wire.
// Ratios are within this run only: absolute times drift between runs.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', '..', 'packages', 'protocol', 'dist', 'index.js');
if (!existsSync(dist)) {
  console.error('bench/ipc: packages/protocol is not built; run `pnpm build` first.');
  process.exit(2);
}
const quick = process.argv.includes('--quick');

const dir = await mkdtemp(join(tmpdir(), 'grite-bench-'));
const server = spawn(process.execPath, [join(here, 'server.mjs'), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
let result;
try {
  const endpoints = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: server.stdout });
    lines.once('line', (l) => resolve(JSON.parse(l).endpoints));
    server.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready`)));
  });
  const client = spawn(process.execPath, [join(here, 'client.mjs'), JSON.stringify(endpoints), ...(quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  client.stdout.on('data', (c) => (out += c));
  const code = await new Promise((resolve) => client.once('exit', resolve));
  if (code !== 0) throw new Error(`client exited with ${code}`);
  result = JSON.parse(out);
} finally {
  server.stdin.end();
  server.kill();
  await rm(dir, { recursive: true, force: true });
}

const f = (x, d = 1) => x.toFixed(d);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

console.log(`grite IPC benchmark (${result.node}, ${quick ? 'quick' : 'full'} run)\n`);
console.log('Round trip, IssueShow-sized request/response (sequential; throughput with 16 in flight)');
const [raw, proto, , http] = result.roundTrips;
console.log(`  ${pad('transport', 36)}${lpad('p50 µs', 9)}${lpad('p99 µs', 9)}${lpad('p50 / raw', 11)}${lpad('req/s @16', 12)}${lpad('vs raw', 8)}`);
for (const t of result.roundTrips) {
  console.log(
    `  ${pad(t.name, 36)}${lpad(f(t.p50_us), 9)}${lpad(f(t.p99_us), 9)}${lpad(f(t.p50_us / raw.p50_us, 2) + 'x', 11)}` +
      `${lpad(Math.round(t.rps_16), 12)}${lpad(f(t.rps_16 / raw.rps_16, 2) + 'x', 8)}`,
  );
}
const L = result.list;
console.log(`\nReading a ${L.issues}-issue IssueListResult (median per pass)`);
console.log(`  one field of every issue:  FlatBuffers ${f(L.fb_one_ms, 3)} ms   JSON.parse ${f(L.json_one_ms, 3)} ms   ${f(L.json_one_ms / L.fb_one_ms)}x faster`);
console.log(`  every field of every issue: FlatBuffers ${f(L.fb_all_ms, 3)} ms   JSON.parse ${f(L.json_all_ms, 3)} ms   ${f(L.json_all_ms / L.fb_all_ms, 2)}x`);
const W = result.wire;
console.log('\nBytes on the wire (frames incl. 4-byte length)');
console.log(`  IssueShow request:  protocol ${W.proto_request}   JSON ${W.json_request}`);
console.log(`  IssueShow response: protocol ${W.proto_response}   JSON ${W.json_response}`);
console.log(`  10k-issue list:     protocol ${L.fb_bytes}   JSON ${L.json_bytes}`);

const goals = [
  ['protocol round trip within 1.25x of the raw echo (p50)', proto.p50_us / raw.p50_us <= 1.25, `${f(proto.p50_us / raw.p50_us, 2)}x`],
  ['protocol at least 2.5x faster than HTTP+JSON (p50)', http.p50_us / proto.p50_us >= 2.5, `${f(http.p50_us / proto.p50_us, 2)}x`],
  ['one-field read at least 20x faster than JSON.parse', L.json_one_ms / L.fb_one_ms >= 20, `${f(L.json_one_ms / L.fb_one_ms)}x`],
];
console.log('\nGoals (DESIGN.md section 10)');
for (const [what, ok, got] of goals) console.log(`  ${ok ? 'met   ' : 'MISSED'} ${what}: ${got}`);

