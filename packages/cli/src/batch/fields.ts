/**
 * `fields`: keep only the named keys of an answer's records, so a session
 * answer carries what the agent asked for and no more.
 *
 * - a list (`data.issues`, as `issue list`, `issue ready`, `dep topo` answer):
 *   each row keeps the named keys; `total`, `next_cursor` and the like stay;
 * - one issue (`data.issue`, as `issue show` or a claim answers): the issue
 *   keeps the named keys, and the other top-level keys (`events`, ...) stay
 *   only when named too;
 * - anything else: the named top-level keys.
 * Names that a record lacks are left out, not reported.
 */
import type { JsonData } from '../ops/op.js';

function pick(rec: unknown, names: ReadonlySet<string>): unknown {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return rec;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec as Record<string, unknown>)) if (names.has(k)) out[k] = v;
  return out;
}

export function projectFields(data: JsonData, fields: readonly string[]): JsonData {
  const names = new Set(fields);
  if (Array.isArray(data.issues)) {
    return { ...data, issues: data.issues.map((row) => pick(row, names)) };
  }
  if (data.issue !== undefined && data.issue !== null && typeof data.issue === 'object') {
    const out: JsonData = { issue: pick(data.issue, names) };
    for (const [k, v] of Object.entries(data)) if (k !== 'issue' && names.has(k)) out[k] = v;
    return out;
  }
  return pick(data, names) as JsonData;
}

/** Checks a request's `fields`: absent, or a list of strings. */
export function isFieldList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
