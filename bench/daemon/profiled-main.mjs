// The daemon's main.js under the V8 CPU profiler (writes.mjs --cpu-prof DIR):
// profiling starts before main.js loads and the profile is written to
// $GRITE_BENCH_PROF_DIR/daemon-<pid>.cpuprofile when the process exits.
// (node refuses --cpu-prof in NODE_OPTIONS, and the client spawns the daemon.)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { dist } from './common.mjs';

const dir = process.env.GRITE_BENCH_PROF_DIR;
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (err, res) => {
    if (!err) writeFileSync(join(dir, `daemon-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
  });
});
await import(dist.main);
