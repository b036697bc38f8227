/**
 * The command lines the fast entry (fast.ts) and the daemon's runner
 * (serve.ts) take on, parsed with oclif's own parser and each op's own flag
 * and arg definitions (the same ones the command classes use). Anything
 * else goes to full oclif, whose output is the reference.
 */
import { parse } from '@oclif/core/parser';
import { matchOp } from './ops/index.js';
import type { Op, StoreOp, Values } from './ops/op.js';

/** Arguments that always go to full oclif (help, version, end of options). */
const FALL_THROUGH: ReadonlySet<string> = new Set(['--help', '-h', 'help', '--version', '-v', 'version', '--']);

export interface CommandLine {
  op: Op;
  flags: Values;
  args: Values;
}

/** The op an argv names, parsed; null for help, unknown commands and input the parser rejects. */
export async function parseCommandLine(argv: readonly string[]): Promise<CommandLine | null> {
  if (argv.some((a) => FALL_THROUGH.has(a))) return null;
  const m = matchOp(argv);
  if (!m) return null;
  try {
    const parsed = await parse(m.rest, { context: undefined, flags: m.op.flags, args: m.op.args, strict: !m.op.variadic });
    return { op: m.op, flags: parsed.flags, args: parsed.args };
  } catch {
    return null;
  }
}

/**
 * An op the daemon may run from its command line (CliRun): a pure read of
 * the store. Whether its flags keep it a read (`--claim`) is decided once
 * they are parsed (opWrites).
 */
export function runsInDaemon(op: Op): op is StoreOp {
  return op.kind === 'store' && op.readOnly === true;
}
