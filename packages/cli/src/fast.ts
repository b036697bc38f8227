/**
 * The fast entry: agents pay start-up on every call, and loading all of
 * oclif costs ~50-100 ms. For an argv that names an op, this parses with
 * oclif's own parser and the op's own flag and arg definitions (the same ones
 * the command classes use) and runs it. Anything else (help, --version, an
 * unknown command, input the parser rejects) returns false and the caller
 * runs full oclif, whose command classes give the same bytes and exit codes.
 */
import { parse } from '@oclif/core/parser';
import { matchOp } from './ops/index.js';
import { emit } from './output.js';
import { runOp } from './run-op.js';

const FALL_THROUGH = new Set(['--help', '-h', 'help', '--version', '-v', 'version', '--']);

export async function fastMain(argv: readonly string[]): Promise<boolean> {
  if (argv.some((a) => FALL_THROUGH.has(a))) return false;
  const m = matchOp(argv);
  if (!m) return false;
  let parsed: { flags: Record<string, unknown>; args: Record<string, unknown> };
  try {
    parsed = await parse(m.rest, { context: undefined, flags: m.op.flags, args: m.op.args, strict: !m.op.variadic });
  } catch {
    return false;
  }
  emit(await runOp(m.op, parsed.flags, parsed.args));
  return true;
}
