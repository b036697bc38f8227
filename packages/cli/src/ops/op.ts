/**
 * One registry of operations: each op's id (= its command id), flags, args,
 * request builder and human renderer are defined once and shared by the oclif
 * command classes and the fast entry (and later `grite batch` / `grite mcp`).
 *
 * A `store` op builds one IpcCommand; the router sends it to the daemon or the
 * in-process engine and the renderer prints the IpcResponse. A `local` op works
 * on grite's local files only (init, actors, config) and answers JSON data.
 */
import type { IpcCommandObject } from '@grite/protocol';

// oclif's flag and arg definitions; typed loosely here because each op's
// builder reads its own flags by name.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type FlagDefs = Record<string, any>;
export type ArgDefs = Record<string, any>;
export type Values = Record<string, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface OpInput {
  flags: Values;
  args: Values;
  /** Client-chosen event time (unix ms) for writes: fixed before sending, so a retry builds the same events. */
  now: number;
  cwd: string;
  readStdin: () => Promise<string>;
}

export type JsonData = Record<string, unknown>;

interface OpBase {
  id: string;
  summary: string;
  description?: string;
  examples?: string[];
  flags: FlagDefs;
  args: ArgDefs;
  /** Extra positional args allowed (oclif `strict = false`). */
  variadic?: boolean;
  /** Human output from the JSON data; absent: a generic rendering. */
  human?: (data: JsonData, input: OpInput) => string;
  /** The exit code of a success, from its data (doctor: 1 while a check is an error); absent: 0. */
  exitCode?: (data: JsonData) => number;
}

export interface StoreOp extends OpBase {
  kind: 'store';
  /** Writes need an actor (created on the first write). */
  write: boolean;
  /**
   * A pure read: no side effects at all (not even on refs or the view's
   * files), so it may be sent to a daemon before its build is known.
   */
  readOnly?: boolean;
  build: (input: OpInput) => IpcCommandObject | Promise<IpcCommandObject>;
}

export interface LocalOp extends OpBase {
  kind: 'local';
  run: (input: OpInput) => JsonData | Promise<JsonData>;
}

export type Op = StoreOp | LocalOp;
