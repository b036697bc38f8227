// The fast entry and full oclif give the same bytes and exit codes: both
// parse with oclif's parser and the same op definitions and end in runOp.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grite, tempRepo } from './helpers.js';

let repo: { dir: string; cleanup: () => void };
let id = '';

beforeAll(async () => {
  repo = tempRepo();
  id = (await grite({ cwd: repo.dir }, 'issue', 'create', '--title', 'fast path', '--label', 'x', '--json')).json.data.issue_id;
  await grite({ cwd: repo.dir }, 'issue', 'comment', id, '--body', 'hello');
});
afterAll(() => repo.cleanup());

describe('fast entry == oclif', () => {
  const cases = (): string[][] => [
    ['issue', 'list', '--json'],
    ['issue', 'list'],
    ['issue', 'list', '--limit', '1', '--json'],
    ['issue', 'show', id, '--json'],
    ['issue', 'show', id],
    ['issue', 'show', 'ffffffff', '--json'],
    ['issue', 'show', 'ffffffff'],
    ['issue', 'list', '--state', 'bogus', '--json'],
    ['issue', 'list', '--nope'],
    ['issue', 'dep', 'list', id, '--json'],
    ['issue', 'ready', '--json'],
    ['db', 'stats', '--json'],
    ['actor', 'list', '--json'],
  ];
  it('same stdout, stderr and exit code for each command', async () => {
    for (const args of cases()) {
      const fast = await grite({ cwd: repo.dir }, ...args);
      const slow = await grite({ cwd: repo.dir, env: { GRITE_NO_FAST: '1' } }, ...args);
      const label = args.join(' ');
      expect(fast.code, label).toBe(slow.code);
      expect(fast.stdout.replace(/"size_bytes":\d+/, ''), label).toBe(slow.stdout.replace(/"size_bytes":\d+/, ''));
      expect(fast.stderr, label).toBe(slow.stderr);
    }
  });
});
