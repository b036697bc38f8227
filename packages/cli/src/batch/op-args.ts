/**
 * A request's JSON `args` -> an op's parsed flags and args, checked against
 * the op's own oclif definitions (the same ones the command line parses
 * with), so `grite batch` and `grite mcp` accept exactly what the CLI does:
 *
 * - keys are flag or positional-argument names (`{"id": "ab12", "limit": 50}`);
 *   `snake_case` is accepted for kebab-case flags (`body_file`);
 * - a boolean flag takes true or false; a value flag a string or a number
 *   (as the CLI would read it: integers are checked by the flag's own parser,
 *   choices against its options); a repeatable flag an array or one value;
 * - defaults and required flags and args as on the command line;
 * - unknown keys are `invalid_args`, naming the keys the op knows.
 * Session-wide flags (`daemon`) cannot be set per request; `json` and
 * `quiet` are accepted and mean nothing in a session.
 */
import type { Op, Values } from '../ops/op.js';
import { UsageError } from '../usage-error.js';

/** What the op's builder receives, as oclif's parser would have produced it. */
export interface OpValues {
  flags: Values;
  args: Values;
}

const IGNORED = new Set(['json', 'quiet']);
const SESSION_ONLY = new Set(['daemon']);

interface Def {
  type?: string;
  multiple?: boolean;
  options?: readonly string[];
  required?: boolean;
  default?: unknown;
  parse?: (input: string, ctx: unknown, opts: unknown) => unknown;
}

function usage(op: Op, message: string): UsageError {
  return new UsageError(`${op.id}: ${message}`, `the args of ${op.id} are: ${argNames(op).join(', ') || '(none)'}`);
}

/** The keys an op takes in a session (positional args first). */
export function argNames(op: Op): string[] {
  const flags = Object.keys(op.flags).filter((k) => !IGNORED.has(k) && !SESSION_ONLY.has(k));
  return [...Object.keys(op.args), ...flags];
}

function scalarText(op: Op, key: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw usage(op, `${key} must be a string or a number, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
}

async function parseOne(op: Op, key: string, def: Def, v: unknown): Promise<unknown> {
  const text = scalarText(op, key, v);
  if (def.options && !def.options.includes(text)) {
    throw usage(op, `${key} must be one of ${def.options.join(', ')}, got ${JSON.stringify(text)}`);
  }
  if (!def.parse) return text;
  try {
    return await def.parse(text, undefined, def);
  } catch (e) {
    throw usage(op, `${key}: ${(e as Error).message}`);
  }
}

async function flagValue(op: Op, key: string, def: Def, v: unknown): Promise<unknown> {
  if (def.type === 'boolean') {
    if (typeof v !== 'boolean') throw usage(op, `${key} must be true or false`);
    return v;
  }
  if (def.multiple) {
    const list = Array.isArray(v) ? v : [v];
    const out: unknown[] = [];
    for (const item of list) out.push(await parseOne(op, key, def, item));
    return out;
  }
  return parseOne(op, key, def, v);
}

function canonicalKey(op: Op, key: string): string {
  if (key in op.flags || key in op.args) return key;
  const kebab = key.replace(/_/g, '-');
  return kebab in op.flags ? kebab : key;
}

/**
 * Checks and converts `raw` (the request's `args`, an object or absent) for
 * `op`. Throws UsageError (`invalid_args`) for anything the CLI would refuse.
 */
export async function opValues(op: Op, raw: unknown): Promise<OpValues> {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw usage(op, 'args must be a JSON object');
  }
  const flags: Values = {};
  const args: Values = {};
  for (const [given, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const key = canonicalKey(op, given);
    if (IGNORED.has(key)) continue;
    if (SESSION_ONLY.has(key)) throw usage(op, `${key} is set for the whole session (e.g. grite batch --no-daemon), not per request`);
    if (v === undefined || v === null) continue;
    if (key in op.args) {
      const def = op.args[key] as Def;
      args[key] = await parseOne(op, key, def, v);
    } else if (key in op.flags) {
      flags[key] = await flagValue(op, key, op.flags[key] as Def, v);
    } else {
      throw usage(op, `unknown arg ${JSON.stringify(given)}`);
    }
  }
  for (const [key, d] of Object.entries(op.args)) {
    const def = d as Def;
    if (args[key] === undefined && def.required) throw usage(op, `${key} is required`);
  }
  for (const [key, d] of Object.entries(op.flags)) {
    const def = d as Def;
    if (flags[key] !== undefined) continue;
    if (def.default !== undefined) {
      flags[key] = typeof def.default === 'function' ? await (def.default as (c: unknown) => unknown)({ flags, options: def }) : def.default;
    } else if (def.required) {
      throw usage(op, `${key} is required`);
    }
  }
  return { flags, args };
}
