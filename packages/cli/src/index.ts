// The CLI's programmatic surface (tests, the fast entry).
export { fastMain } from './fast.js';
export { runOp, type RunEnv } from './run-op.js';
export { OPS, opById, matchOp } from './ops/index.js';
export type { Outcome } from './output.js';
