// Shared by the daemon benchmark's processes: paths into the built packages,
// a scratch repository, percentiles. Plain node; run `pnpm build` first.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const dist = {
  protocol: join(root, 'packages', 'protocol', 'dist', 'index.js'),
  client: join(root, 'packages', 'daemon', 'dist', 'client.js'),
  engine: join(root, 'packages', 'daemon', 'dist', 'engine', 'index.js'),
  main: join(root, 'packages', 'daemon', 'dist', 'main.js'),
};

export function requireBuilt() {
  for (const [name, p] of Object.entries(dist)) {
    if (!existsSync(p)) {
      console.error(`bench/daemon: ${name} is not built (${p}); run \`pnpm build\` first.`);
      process.exit(2);
    }
  }
}

/** A fresh git repository; returns { dir, commonDir }. */
export function scratchRepo(prefix) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  execFileSync('git', ['init', '-q', dir]);
  return { dir, commonDir: realpathSync(join(dir, '.git')) };
}

export function percentile(sortedMs, p) {
  if (sortedMs.length === 0) return NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i];
}

export function summary(samplesMs) {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { n: s.length, p50_us: +(percentile(s, 50) * 1000).toFixed(1), p99_us: +(percentile(s, 99) * 1000).toFixed(1) };
}

export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Writes IssueCreate through each connection, one request in flight on each,
 * until `seconds` have passed; resolves with the acknowledged count of each.
 * `P` is the protocol module.
 */
export function writeFor(P, conns, commonDir, seconds) {
  const end = Date.now() + seconds * 1000;
  return Promise.all(
    conns.map(async (c) => {
      const actorId = randomBytes(16);
      let acked = 0;
      for (let n = 0; Date.now() < end; n++) {
        const resp = await c.request(
          P.encodeRequest({
            repo: commonDir,
            actorId,
            command: new P.IssueCreateT(Array.from(randomBytes(16)), BigInt(Date.now()), `bench ${n}`, 'body', [], []),
          }),
        );
        if (!resp.ok()) throw new Error(`write failed: ${resp.error()?.code()} ${resp.error()?.message()}`);
        acked++;
      }
      return acked;
    }),
  );
}
