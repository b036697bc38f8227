// One Store.rebuild() of the repository whose common git dir is argv[2], in a
// process of its own so that `times` in the parent shell can add up the CPU
// of node and of the git processes it spawns. Prints {"ms": wall of rebuild}.
import { Store } from '../../packages/core/dist/index.js';

const store = await Store.open({ commonDir: process.argv[2], catchUp: false });
const t0 = performance.now();
const r = await store.rebuild();
const ms = performance.now() - t0;
await store.close();
console.log(JSON.stringify({ ms, eventCount: r.eventCount, commitsRead: r.commitsRead, warnings: r.warnings.length }));
