/** `grite daemon start|stop|status`: the repository's background daemon. */
import * as Flags from '@oclif/core/flags';
import { daemonLaunch } from '../daemon-launch.js';
import { globalFlags } from '../flags.js';
import type { JsonData, LocalOp, OpInput } from './op.js';

async function commonDir(input: OpInput): Promise<string> {
  const { resolveRepo } = await import('@grite/daemon/context');
  return resolveRepo(input.cwd).commonDir;
}

class DaemonError extends Error {
  readonly code = 'ipc_error';
  readonly hint = 'see logs/daemon.log under the repository\'s grite directory';
}

export const daemonStart: LocalOp = {
  kind: 'local',
  id: 'daemon start',
  summary: 'Start the daemon for this repository (it also starts on demand).',
  flags: {
    ...globalFlags,
    'idle-timeout': Flags.integer({ description: 'Seconds without requests before it exits (0 = never).', default: 300, min: 0 }),
  },
  args: {},
  async run(input) {
    const { startDaemon, currentBuild } = await import('@grite/daemon/client');
    const r = await startDaemon(await commonDir(input), { idleTimeoutS: input.flags['idle-timeout'] as number, ...daemonLaunch(currentBuild) });
    if (!r) throw new DaemonError('the daemon could not be started');
    return { started: r.started, pid: r.pid, socket: r.socket, build: r.build };
  },
  human: (d) => (d.started ? `daemon started (pid ${String(d.pid)})\n` : `daemon already running (pid ${String(d.pid)})\n`),
};

export const daemonStop: LocalOp = {
  kind: 'local',
  id: 'daemon stop',
  summary: 'Stop the daemon for this repository (in-flight writes finish first).',
  flags: { ...globalFlags },
  args: {},
  async run(input) {
    const { stopDaemon } = await import('@grite/daemon/client');
    const r = await stopDaemon(await commonDir(input));
    return { was_running: r.wasRunning, pid: r.pid, stopped: r.stopped };
  },
  human: (d) => (d.was_running ? (d.stopped ? `daemon stopped (pid ${String(d.pid)})\n` : 'the daemon did not stop in time\n') : 'no daemon running\n'),
};

export const daemonStatus: LocalOp = {
  kind: 'local',
  id: 'daemon status',
  summary: 'Show the daemon: pid, socket, uptime, versions, requests served, memory.',
  flags: { ...globalFlags },
  args: {},
  async run(input) {
    const { daemonStatus: status } = await import('@grite/daemon/client');
    const s = await status(await commonDir(input));
    const str = (v: string | Uint8Array | null): string | null => (v === null ? null : typeof v === 'string' ? v : Buffer.from(v).toString('utf8'));
    return {
      daemon: {
        running: s.running,
        pid: s.running ? s.pid : null,
        socket: s.running ? str(s.socket) : null,
        started_ts: s.running ? Number(s.startedTs) : null,
        build: s.running ? str(s.build) : null,
        schema_version: s.running ? s.schemaVersion : null,
        requests: Number(s.requests),
        rss_bytes: Number(s.rssBytes),
      },
    };
  },
  human(d: JsonData) {
    const s = d.daemon as { running: boolean; pid: number; socket: string; started_ts: number; build: string; requests: number; rss_bytes: number };
    if (!s.running) return 'no daemon running\n';
    const up = Math.max(0, Math.round((Date.now() - s.started_ts) / 1000));
    return `running  pid ${s.pid}  up ${up}s  requests ${s.requests}  rss ${(s.rss_bytes / 1048576).toFixed(1)} MiB\nsocket   ${s.socket}\nbuild    ${s.build}\n`;
  },
};
