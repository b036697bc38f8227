/**
 * Where a session's requests go: ONE connection to the repository's daemon
 * (found or spawned once), carrying every request of the session with many
 * in flight; or, with --no-daemon or when no daemon can be had, one engine
 * loaded in-process for the whole session. The one-shot CLI path
 * (router.ts) opens and closes both per command; a session keeps them.
 *
 * A request whose connection failed after it was sent is sent again, once,
 * through a new connection or, failing that, the in-process engine: write
 * requests carry client-chosen ids and times, so the retry builds the same
 * events and nothing is written twice. A daemon that went away while the
 * session was idle (idle shutdown) is replaced the same way.
 */
import { decodeResponse, type ClientConnection, type IpcResponse } from '@grite/protocol';
import { daemonLaunch } from '../daemon-launch.js';

type EngineLike = { handleBytes(message: Uint8Array): Promise<Uint8Array>; close(): Promise<void> };

export class SessionRoute {
  private conn: ClientConnection | null = null;
  private engine: Promise<EngineLike> | null = null;
  private connecting: Promise<ClientConnection | null> | null = null;
  private closed = false;

  private constructor(
    readonly commonDir: string,
    private readonly noDaemon: boolean,
  ) {}

  /** Opens the route: connects to (or spawns) the daemon, else loads the engine. Throws when neither works. */
  static async open(commonDir: string, opts: { noDaemon: boolean }): Promise<SessionRoute> {
    const r = new SessionRoute(commonDir, opts.noDaemon);
    if (!opts.noDaemon && (await r.connection()) !== null) return r;
    await r.inProcess();
    return r;
  }

  /** True while requests go through a daemon connection. */
  get viaDaemon(): boolean {
    return this.conn !== null && this.conn.state === 'open';
  }

  /** Sends one encoded request; resolves with its response (error answers included). */
  send(request: Uint8Array): Promise<IpcResponse> {
    const conn = this.conn;
    if (conn !== null && conn.state === 'open') {
      return conn.request(request).catch((e: unknown) => this.retry(request, e));
    }
    return this.sendSlow(request);
  }

  private async sendSlow(request: Uint8Array): Promise<IpcResponse> {
    if (this.closed) throw Object.assign(new Error('the session is closed'), { code: 'ipc_error' });
    if (this.engine === null && !this.noDaemon) {
      const conn = await this.connection();
      if (conn !== null) return conn.request(request).catch((e: unknown) => this.retry(request, e));
    }
    const engine = await this.inProcess();
    return decodeResponse(await engine.handleBytes(request));
  }

  private async retry(request: Uint8Array, e: unknown): Promise<IpcResponse> {
    if ((e as { code?: string }).code !== 'ipc_error' || this.closed) throw e;
    this.conn?.dispose();
    this.conn = null;
    return this.sendSlow(request);
  }

  /** The daemon connection, connecting once at a time; null when no daemon can be had. */
  private connection(): Promise<ClientConnection | null> {
    if (this.conn !== null && this.conn.state === 'open') return Promise.resolve(this.conn);
    this.connecting ??= (async () => {
      try {
        const { connectOrSpawn, currentBuild } = await import('@grite/daemon/client');
        const conn = await connectOrSpawn({ commonDir: this.commonDir, spawn: true, ...daemonLaunch(currentBuild) });
        if (conn !== null && this.closed) {
          conn.dispose();
          return null;
        }
        this.conn = conn;
        return conn;
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  private inProcess(): Promise<EngineLike> {
    this.engine ??= (async () => {
      const { Engine } = await import('@grite/daemon/engine');
      return Engine.open({ commonDir: this.commonDir });
    })();
    return this.engine;
  }

  /** Closes the connection, or lets the in-process engine finish its writes and close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.conn?.dispose();
    this.conn = null;
    if (this.engine !== null) {
      try {
        await (await this.engine).close();
      } catch {
        // An engine that failed to open has nothing to close.
      }
    }
  }
}
