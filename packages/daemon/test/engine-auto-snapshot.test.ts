// The automatic snapshot (issue 7): once the log passes the configured
// threshold, a write leads to a snapshot in the background, announced as
// SnapshotCreated; below it, nothing is made.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, Harness } from './engine-helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function snapshotRefs(dir: string): string[] {
  const out = git(dir, 'for-each-ref', '--format=%(refname)', 'refs/grite/snapshots/');
  return out === '' ? [] : out.split('\n');
}

describe('automatic snapshot', () => {
  it('is made after a write once the log passes snapshot.max_events', async () => {
    h = await Harness.create('grite-engine-autosnap-');
    mkdirSync(join(h.commonDir, 'grite'), { recursive: true });
    writeFileSync(join(h.commonDir, 'grite', 'config.toml'), '[snapshot]\nmax_events = 3\n');
    const created = new Promise<string>((resolve) =>
      h!.engine.events.on('notification', (n: { kind: string; ref?: string }) => {
        if (n.kind === 'SnapshotCreated') resolve(n.ref!);
      }),
    );
    // Checks are at most a second apart: keep writing until one is due and made.
    let ref: string | null = null;
    void created.then((r) => (ref = r));
    for (let i = 0; ref === null && i < 100; i++) {
      await h.createIssue(`issue ${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ref).not.toBeNull();
    expect(ref).toMatch(/^refs\/grite\/snapshots\/\d+$/);
    expect(snapshotRefs(h.dir)).toContain(ref);
  });

  it('is not made below the threshold', async () => {
    h = await Harness.create('grite-engine-autosnap-');
    for (let i = 0; i < 4; i++) await h.createIssue(`issue ${i}`);
    expect(snapshotRefs(h.dir)).toEqual([]);
  });
});
