// Shared helpers for the codec tests (not a test file itself).
import { GriteError } from '../src/errors.js';

export * from '../src/codec/index.js';
export { GriteError } from '../src/errors.js';

/** The error as a GriteError, failing the test when it is anything else. */
export function GriteErrorOf(e: unknown): GriteError {
  if (!(e instanceof GriteError)) throw new Error(`expected a GriteError, got ${String(e)}`, { cause: e });
  return e;
}
