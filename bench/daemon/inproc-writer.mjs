// One in-process writer for the write benchmark's baseline: opens the engine
// on the repository, prints "ready", waits for "go" on stdin, then writes
// IssueCreate requests one after another for the given seconds and prints
// {"acked": n}.
// Usage: node inproc-writer.mjs <commonDir> <seconds>

import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { dist } from './common.mjs';

const [commonDir, seconds] = process.argv.slice(2);
const P = await import(dist.protocol);
const { Engine } = await import(dist.engine);
const engine = await Engine.open({ commonDir });
const actor = randomBytes(16);
console.log('ready');
const rl = createInterface({ input: process.stdin });
await new Promise((resolve) => rl.once('line', resolve));
// Let stdin go, or it would keep this process alive after the last write.
rl.close();
process.stdin.destroy();
const end = Date.now() + Number(seconds) * 1000;
let acked = 0;
for (let n = 0; Date.now() < end; n++) {
  const req = P.encodeRequest({
    repo: commonDir,
    actorId: actor,
    command: new P.IssueCreateT(Array.from(randomBytes(16)), BigInt(Date.now()), `bench ${n}`, 'body', [], []),
  });
  const resp = P.decodeResponse(await engine.handleBytes(req));
  if (!resp.ok()) throw new Error(`write failed: ${resp.error()?.code()} ${resp.error()?.message()}`);
  acked++;
}
await engine.close();
console.log(JSON.stringify({ acked }));
