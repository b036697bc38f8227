/**
 * The daemon's side of the thin entry (thin.ts): the runner a CLI-started
 * daemon loads (`--cli`, daemon-launch.ts) to answer CliRun. It parses the
 * client's command line as the fast entry does and runs it through the same
 * runOp, with the client's directory and environment, against the daemon's
 * own warm engine, so the bytes and exit code are the ones the client would
 * have produced itself. Relative paths it was given (`--data-dir`,
 * GRITE_HOME) are resolved against the client's directory first.
 *
 * It declines (null), and the client then runs the command itself, anything
 * but a pure read: writes and claims, sessions and local commands, help and
 * input the parser rejects, `--no-daemon`, human output for a terminal (its
 * colour is the client's to decide), and a repository this daemon does not
 * serve (the engine call rejects).
 */
import { resolve } from 'node:path';
import type { CliRunner } from '@grite/daemon';
import { actorNeeded } from '@grite/daemon/context';
import { noDaemonWanted } from './flags.js';
import { parseCommandLine, runsInDaemon, type CommandLine } from './hot.js';
import { opWrites } from './ops/agent.js';
import { disableColor } from './render/human.js';
import { runOp } from './run-op.js';

// Rendered for a client whose stdout is not a terminal (a terminal's human
// output is declined below): never colour, whatever this process's stdout.
disableColor();

const noStdin = (): Promise<string> => Promise.reject(new Error('a command run in the daemon has no stdin'));

/**
 * Parses, once per distinct argv: agents repeat the same few command lines,
 * and a parse costs ~50 µs warm, ~230 µs after a few idle milliseconds. The
 * parse depends on the argv alone (no flag reads the environment or has a
 * computed default); what is kept is frozen, so no run can change it for
 * the next.
 */
const MAX_PARSED = 256;
const parsed = new Map<string, CommandLine | null>();

async function parseOnce(argv: readonly string[]): Promise<CommandLine | null> {
  const key = argv.join('\0');
  const known = parsed.get(key);
  if (known !== undefined) return known;
  const line = await parseCommandLine(argv);
  const kept = line === null ? null : { op: line.op, flags: Object.freeze(line.flags), args: Object.freeze(line.args) };
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(key, kept);
  return kept;
}

export const cliRunner: CliRunner = async (input, call, servedDir) => {
  const line = await parseOnce(input.argv);
  if (line === null || !runsInDaemon(line.op)) return null;
  const { op, flags, args } = line;
  if (opWrites(op, flags) || noDaemonWanted(flags, input.env) || (input.stdoutTty && !flags.json)) return null;
  // Paths the client gave relative to its own directory (the daemon's is /).
  const env = { ...input.env };
  if (env.GRITE_HOME) env.GRITE_HOME = resolve(input.cwd, env.GRITE_HOME);
  const dataDir = flags['data-dir'];
  const ownFlags = typeof dataDir === 'string' ? { ...flags, 'data-dir': resolve(input.cwd, dataDir) } : flags;
  let declined = false;
  const outcome = await runOp(op, ownFlags, args, {
    cwd: input.cwd,
    env,
    readStdin: noStdin,
    // A read that names no actor needs only the repository: the one the
    // client found this daemon by, from the same directory and environment
    // (the request named it), so it is not resolved again here.
    target: (opts) => (actorNeeded(opts) ? null : { commonDir: servedDir, actorId: null }),
    route: (_commonDir, request) =>
      call(request).catch((e: unknown) => {
        declined = true;
        throw e;
      }),
  });
  return declined ? null : outcome;
};
