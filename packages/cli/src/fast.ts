/**
 * The fast entry: agents pay start-up on every call, and loading all of
 * oclif costs ~50-100 ms. For an argv that names an op, this parses with
 * oclif's own parser and the op's own flag and arg definitions (the same ones
 * the command classes use) and runs it. Anything else (help, --version, an
 * unknown command, input the parser rejects) returns false and the caller
 * runs full oclif, whose command classes give the same bytes and exit codes.
 */
import { parseCommandLine } from './hot.js';
import { emit } from './output.js';
import { runOp } from './run-op.js';

export async function fastMain(argv: readonly string[]): Promise<boolean> {
  const line = await parseCommandLine(argv);
  if (line === null) return false;
  emit(await runOp(line.op, line.flags, line.args));
  return true;
}
