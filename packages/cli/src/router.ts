/**
 * Where a request goes: the repository's daemon (found or spawned), or the
 * same engine loaded in-process when no daemon can be had or --no-daemon is
 * given. The in-process engine is imported lazily, so the daemon path never
 * loads core.
 */
import { decodeResponse, type IpcResponse } from '@grite/protocol';

export interface RouteOptions {
  noDaemon: boolean;
}

export async function route(commonDir: string, request: Uint8Array, opts: RouteOptions): Promise<IpcResponse> {
  if (!opts.noDaemon) {
    const viaDaemon = await tryDaemon(commonDir, request);
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

async function tryDaemon(_commonDir: string, _request: Uint8Array): Promise<IpcResponse | null> {
  return null;
}
