// grite watch: one line per notification, from writes through the daemon and
// from writes by other processes that move the WAL underneath it.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, grite, stopDaemon, tempRepo } from './helpers.js';

let repo: { dir: string; cleanup: () => void };
const daemonEnv = { GRITE_NO_DAEMON: undefined };

beforeAll(() => {
  repo = tempRepo();
});
afterAll(async () => {
  await stopDaemon(repo.dir);
  repo.cleanup();
});

/** Starts `grite watch --json`; resolves each line as it comes. */
function startWatch(): { lines: Record<string, string>[]; waitFor: (pred: (l: Record<string, string>) => boolean) => Promise<void>; stop: () => Promise<number> } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.GRITE_NO_DAEMON;
  const child = spawn(process.execPath, [BIN, 'watch', '--json'], { cwd: repo.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, string>[] = [];
  const waiters: (() => void)[] = [];
  let buf = '';
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
      waiters.splice(0).forEach((w) => w());
    }
  });
  const waitFor = (pred: (l: Record<string, string>) => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => (lines.some(pred) ? resolve() : void waiters.push(check));
      check();
    });
  const stop = (): Promise<number> =>
    new Promise((resolve) => {
      child.once('close', (code) => resolve(code ?? -1));
      child.kill('SIGINT');
    });
  return { lines, waitFor, stop };
}

describe('grite watch', () => {
  it('prints EventApplied for writes, then exits 0 on SIGINT', async () => {
    // The daemon must exist before the watcher subscribes.
    await grite({ cwd: repo.dir, env: daemonEnv }, 'issue', 'list', '--json');
    const w = startWatch();
    // Retry the write until the watcher has subscribed and sees one.
    let id = '';
    for (let i = 0; i < 50 && !w.lines.some((l) => l.issue_id === id && id !== ''); i++) {
      id = (await grite({ cwd: repo.dir, env: daemonEnv }, 'issue', 'create', '--title', `watched ${i}`, '--json')).json.data.issue_id;
      await Promise.race([w.waitFor((l) => l.issue_id === id), new Promise((r) => setTimeout(r, 300))]);
    }
    const seen = w.lines.find((l) => l.issue_id === id);
    expect(seen).toMatchObject({ kind: 'EventApplied', issue_id: id });
    expect(seen!.event_id).toMatch(/^[0-9a-f]{64}$/);
    expect(await w.stop()).toBe(0);
  });

  it('without a daemon it refuses clearly', async () => {
    const r = await grite({ cwd: repo.dir }, 'watch', '--json');
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('ipc_error');
  });
});

describe('grite watch sees other processes', () => {
  it('a write made without the daemon shows up as WalSynced', async () => {
    await grite({ cwd: repo.dir, env: daemonEnv }, 'issue', 'list', '--json');
    const w = startWatch();
    let head = '';
    for (let i = 0; i < 50 && !w.lines.some((l) => l.kind === 'WalSynced' && l.wal_head === head); i++) {
      // --no-daemon: another process moves refs/grite/wal under the daemon.
      head = (await grite({ cwd: repo.dir }, 'issue', 'create', '--title', `elsewhere ${i}`, '--json')).json.data.wal_head;
      await Promise.race([w.waitFor((l) => l.kind === 'WalSynced' && l.wal_head === head), new Promise((r) => setTimeout(r, 500))]);
    }
    expect(w.lines.find((l) => l.kind === 'WalSynced' && l.wal_head === head)).toBeDefined();
    expect(await w.stop()).toBe(0);
  });
});
