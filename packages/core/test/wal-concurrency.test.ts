// Several processes appending to one repository at once. The WAL is compiled
// from src into a temporary directory (so the test does not depend on a
// prior build) and driven by plain node child processes.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../src/codec/index.js';
import { Wal } from '../src/git/index.js';
import { makeRepo, type TempRepo } from './fixtures/helpers.js';

const run = promisify(execFile);
const src = fileURLToPath(new URL('../src/', import.meta.url));
let out: string;
let repo: TempRepo;

const WORKER = `
import { Wal } from './git/index.js';
import { createEvent, fromHex, toHex } from './codec/index.js';

const [gitDir, actorHex, countText] = process.argv.slice(2);
const actor = fromHex(actorHex);
const issueId = fromHex('000102030405060708090a0b0c0d0e0f');
// The same event (same id) in every process: it must land once.
const shared = createEvent({
  issueId,
  actor: fromHex('cccccccccccccccccccccccccccccccc'),
  ts: 1700000000000,
  kind: { type: 'LabelAdded', label: 'shared' },
});
const wal = Wal.open(gitDir, { autoPack: 64 });
let attempts = 0;
for (let i = 0; i < Number(countText); i++) {
  const mine = createEvent({ issueId, actor, ts: 1700000000000 + i, kind: { type: 'CommentAdded', body: actorHex + ' ' + i } });
  await wal.append([mine, shared], {
    deadlineMs: 60000,
    beforeWrite: async (head) => {
      attempts++;
      const known = new Set((await wal.readAll(head)).events.map((e) => toHex(e.eventId)));
      return [mine, shared].filter((e) => !known.has(toHex(e.eventId)));
    },
  });
}
await wal.close();
process.stdout.write(JSON.stringify({ attempts }));
`;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'grite-wal-build-'));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [
    tsc,
    '--outDir', out,
    '--rootDir', src,
    '--module', 'nodenext',
    '--moduleResolution', 'nodenext',
    '--target', 'es2022',
    '--types', 'node',
    '--skipLibCheck',
    '--strict',
    join(src, 'git/index.ts'),
    join(src, 'codec/index.ts'),
  ]);
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  writeFileSync(join(out, 'worker.mjs'), WORKER);
  repo = makeRepo();
}, 120_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  repo?.cleanup();
});

describe('concurrent appends from several processes', () => {
  it('every event lands exactly once, on one linear chain that git accepts', async () => {
    const PROCS = 6;
    const EACH = 12;
    const actors = Array.from({ length: PROCS }, (_, i) => (i + 1).toString(16).padStart(2, '0').repeat(16));
    // allSettled: every child has finished before anything is asserted (or cleaned up).
    const settled = await Promise.allSettled(
      actors.map((a) => run(process.execPath, [join(out, 'worker.mjs'), repo.gitDir, a, String(EACH)], { timeout: 300_000 })),
    );
    const failures = settled.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    expect(failures).toEqual([]);
    const results = settled.map((r) => (r as PromiseFulfilledResult<{ stdout: string }>).value);
    const attempts = results.map((r) => (JSON.parse(r.stdout) as { attempts: number }).attempts);
    expect(attempts.every((n) => n >= EACH)).toBe(true);

    const wal = Wal.open(repo.gitDir);
    const all = await wal.readAll();
    await wal.close();
    expect(all.bad).toEqual([]);
    const seen = all.events.map((e) => toHex(e.eventId));
    expect(new Set(seen).size).toBe(seen.length); // nothing twice
    expect(seen).toHaveLength(PROCS * EACH + 1); // nothing lost, the shared event once
    for (const a of actors) {
      const bodies = all.events.filter((e) => toHex(e.actor) === a).map((e) => (e.kind.type === 'CommentAdded' ? e.kind.body : ''));
      expect(bodies).toEqual(Array.from({ length: EACH }, (_, i) => `${a} ${i}`)); // each process's order kept
    }
    // Linear: every commit has at most one parent, and git agrees on the count.
    expect(repo.git(['rev-list', '--merges', 'refs/grite/wal']).trim()).toBe('');
    expect(Number(repo.git(['rev-list', '--count', 'refs/grite/wal']).trim())).toBe(all.commits);
    expect(repo.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
  }, 300_000);
});
