/**
 * Where a request goes: the repository's daemon (found or spawned), or the
 * same engine loaded in-process when no daemon can be had or --no-daemon is
 * given. The in-process engine is imported lazily, so the daemon path never
 * loads core.
 */
import { decodeResponse, type IpcResponse } from '@grite/protocol';
import { daemonLaunch } from './daemon-launch.js';

export interface RouteOptions {
  noDaemon: boolean;
  /** The request has no side effects: it may be sent before the daemon's build is known. */
  readOnly?: boolean;
}

export async function route(commonDir: string, request: Uint8Array, opts: RouteOptions): Promise<IpcResponse> {
  if (!opts.noDaemon) {
    const viaDaemon = await tryDaemon(commonDir, request, opts.readOnly ?? false);
    if (viaDaemon) return viaDaemon;
  }
  const { Engine } = await import('@grite/daemon/engine');
  const engine = await Engine.open({ commonDir });
  try {
    return decodeResponse(await engine.handleBytes(request));
  } finally {
    await engine.close();
  }
}

/**
 * One request through the daemon, or null when none can be had (the caller
 * then runs the engine itself). A transport failure after the request was sent
 * is safe to retry in-process: write requests carry client-chosen ids and
 * times, so the retry builds the same events and nothing is written twice.
 */
async function tryDaemon(commonDir: string, request: Uint8Array, readOnly: boolean): Promise<IpcResponse | null> {
  const { sendViaDaemon, currentBuild } = await import('@grite/daemon/client');
  const call = await sendViaDaemon({ commonDir, spawn: true, ...daemonLaunch(currentBuild) }, request, readOnly);
  if (call === null) return null;
  try {
    return await call.response;
  } catch (e) {
    if ((e as { code?: string }).code === 'ipc_error') return null;
    throw e;
  } finally {
    call.conn.dispose();
  }
}
