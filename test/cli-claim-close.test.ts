// Regression (issue 8): closing an issue from the command line releases the
// closer's claim on it, as MCP's issue_update already did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grite, tempRepo, type Result } from './helpers.js';

let repo: { dir: string; cleanup: () => void };
const run = (...args: string[]): Promise<Result> => grite({ cwd: repo.dir }, ...args);

beforeAll(() => {
  repo = tempRepo();
});
afterAll(() => repo.cleanup());

describe('close releases the claim', () => {
  it('the claim lock is held after claim and free after close', async () => {
    const id = (await run('issue', 'create', '--title', 'claim me', '--json')).json.data.issue_id;
    const claim = await run('issue', 'claim', id, '--json');
    expect(claim.code, claim.stdout + claim.stderr).toBe(0);
    const held = await run('lock', 'status', '--json');
    const before = held.json.data.locks.find((l: { resource: string }) => l.resource === `issue:${id}`);
    expect(before).toBeDefined();
    expect(before.expires_unix_ms).toBeGreaterThan(Date.now());

    const close = await run('issue', 'close', id, '--json');
    expect(close.code, close.stdout + close.stderr).toBe(0);
    const after = (await run('lock', 'status', '--json')).json.data.locks.find((l: { resource: string }) => l.resource === `issue:${id}`);
    // Released: an expiry-0 commit (or no lock at all).
    expect(after === undefined || after.expires_unix_ms === 0).toBe(true);
  });
});
