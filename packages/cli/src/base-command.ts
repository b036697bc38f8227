/**
 * The oclif side of every grite command: a class made from an op. `run()`
 * parses with oclif and hands over to runOp; `catch()` turns oclif's own parse
 * errors (unknown flag, missing argument, bad option) into the `invalid_args`
 * envelope and exit code 2, so even bad input honours `--json`.
 */
import { Command } from '@oclif/core';
import type { Op } from './ops/op.js';
import { emit, errorOutcome } from './output.js';
import { runOp } from './run-op.js';
import { UsageError } from './usage-error.js';

/** An oclif parse error as our invalid_args, keeping its message's first line. */
export function parseFailure(err: unknown): UsageError {
  const msg = err instanceof Error ? err.message : String(err);
  const first = msg.split('\n').find((l) => l.trim() !== '') ?? 'bad arguments';
  return new UsageError(first.trim(), 'see --help for the usage');
}

export function commandFor(op: Op): typeof Command {
  class GriteCommand extends Command {
    static override summary = op.summary;
    static override description = op.description ?? op.summary;
    static override examples = op.examples ?? [];
    static override flags = op.flags;
    static override args = op.args;
    static override strict = !op.variadic;

    async run(): Promise<void> {
      const { flags, args } = await this.parse(GriteCommand);
      emit(await runOp(op, flags, args));
    }

    protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
      // oclif's exit and help signals are not errors of ours.
      if (err && (err as { code?: string }).code === 'EEXIT') throw err;
      // The parse failed, which we report; oclif would also warn that it never ran.
      this.parsed = true;
      emit(errorOutcome(parseFailure(err), this.argv.includes('--json')));
    }
  }
  return GriteCommand;
}
