/**
 * Flags every grite command takes. Defined with oclif's own flag builders so
 * the fast entry and the oclif command classes parse exactly the same way.
 */
import * as Flags from '@oclif/core/flags';

export const globalFlags = {
  json: Flags.boolean({ description: 'Print one JSON document on stdout: {"schema_version":1,"ok":...}.', default: false }),
  quiet: Flags.boolean({ char: 'q', description: 'Print nothing on success (errors still print).', default: false }),
  daemon: Flags.boolean({
    description: 'Route through the daemon (default); --no-daemon runs in-process (also GRITE_NO_DAEMON=1).',
    allowNo: true,
    default: true,
  }),
  actor: Flags.string({ description: 'Actor id (or unique prefix) to act as.', helpGroup: 'GLOBAL' }),
  'data-dir': Flags.string({ description: "An actor's directory (also GRITE_HOME).", helpGroup: 'GLOBAL' }),
};

export interface GlobalFlags {
  json: boolean;
  quiet: boolean;
  daemon: boolean;
  actor?: string | undefined;
  'data-dir'?: string | undefined;
}

/** Whether to run in-process: `--no-daemon`, or GRITE_NO_DAEMON=1. */
export function noDaemonWanted(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): boolean {
  return flags.daemon === false || env.GRITE_NO_DAEMON === '1';
}
