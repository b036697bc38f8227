// Builds a repository of N issues through core (not the CLI): one
// IssueCreated (+ a label) per issue, appended in commits of 100 events,
// then packed. Prints the repository path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, createEvent, newActorId, newIssueId } from '../../packages/core/dist/index.js';

export async function buildRepo(n, { batch = 100 } = {}) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-bench-cli-')));
  execFileSync('git', ['init', '-q', dir]);
  const store = await Store.open({ cwd: dir });
  const actor = newActorId();
  const t0 = Date.now() - n * 10;
  const ids = [];
  for (let i = 0; i < n; i += batch) {
    const events = [];
    for (let j = i; j < Math.min(n, i + batch); j++) {
      const issueId = newIssueId();
      ids.push(issueId);
      events.push(
        createEvent({
          issueId,
          actor,
          ts: t0 + j * 10,
          kind: { type: 'IssueCreated', title: `Issue number ${j}`, body: `Body of issue ${j}\nwith two lines`, labels: j % 3 ? ['bug'] : ['feature', 'p1'] },
        }),
      );
    }
    await store.append(events);
  }
  await store.close();
  execFileSync('git', ['-C', dir, 'repack', '-adq']);
  return { dir, ids: ids.map((b) => Buffer.from(b).toString('hex')) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { dir } = await buildRepo(Number(process.argv[2] ?? 10000));
  console.log(dir);
}
