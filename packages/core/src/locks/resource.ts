/**
 * Lock resources and their namespaces (DESIGN.md section 9):
 *
 *   repo:<name>    the whole repository (grite uses repo:global); conflicts
 *                  with every other resource
 *   path:<path>    a file or directory of the work tree; conflicts with the
 *                  same path and with paths nested in it or containing it
 *   issue:<id>     one issue, by its full 32-hex id; conflicts with the same issue
 *
 * A lock on resource R lives at refs/grite/locks/<first 16 hex of SHA-256(R)>,
 * so two spellings of one thing are two refs: `normalizeResource` gives each
 * thing one spelling before a lock is taken (issue prefixes resolved to the
 * full id, paths without "./", doubled or trailing slashes). Resources read
 * back from refs (possibly written by another tool) are compared leniently.
 */
import { createHash } from 'node:crypto';
import { GriteError } from '../errors.js';
import { toHex } from '../codec/hex.js';

export type LockNamespace = 'repo' | 'path' | 'issue';

export const LOCK_REF_PREFIX = 'refs/grite/locks/';

/** Resolves an issue reference (a unique prefix or the full id) to the full id. */
export type IssueResolver = (ref: string) => string | Uint8Array;

const RESOURCE_HINT = 'A lock resource is repo:<name> (e.g. repo:global), path:<path> or issue:<id>.';

function invalid(message: string, resource: unknown): GriteError {
  return new GriteError('invalid_args', message, { hint: RESOURCE_HINT, details: { resource } });
}

/** The namespace and name of a resource string, or null when it has no known namespace. */
export function parseResource(resource: string): { namespace: LockNamespace; name: string } | null {
  const colon = resource.indexOf(':');
  if (colon < 0) return null;
  const ns = resource.slice(0, colon);
  if (ns !== 'repo' && ns !== 'path' && ns !== 'issue') return null;
  return { namespace: ns, name: resource.slice(colon + 1) };
}

function normalizePath(p: string, resource: string): string {
  if (p.startsWith('/')) throw invalid(`a path: resource is relative to the work tree's top, got ${JSON.stringify(p)}`, resource);
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw invalid(`a path: resource cannot contain "..": ${JSON.stringify(p)}`, resource);
    parts.push(part);
  }
  if (parts.length === 0) throw invalid(`a path: resource needs a path, got ${JSON.stringify(p)}`, resource);
  return parts.join('/');
}

/**
 * The one spelling of `resource`: `issue:` ids resolved to the full lowercase
 * id (through `resolveIssue` when given; without it only a full 32-hex id is
 * accepted), `path:` paths without "./", empty, trailing or doubled slashes.
 * GriteError('invalid_args') for a resource without a known namespace, an
 * empty name, control characters, or a path with "..".
 */
export function normalizeResource(resource: string, resolveIssue?: IssueResolver): string {
  if (typeof resource !== 'string' || resource === '') throw invalid('the lock resource is empty', resource);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(resource)) throw invalid('a lock resource cannot contain control characters', resource);
  const parsed = parseResource(resource);
  if (!parsed) {
    throw invalid(`unknown lock resource ${JSON.stringify(resource)}: it must start with repo:, path: or issue:`, resource);
  }
  const { namespace, name } = parsed;
  if (name === '') throw invalid(`the lock resource ${JSON.stringify(resource)} has an empty name`, resource);
  switch (namespace) {
    case 'repo':
      return `repo:${name}`;
    case 'path':
      return `path:${normalizePath(name, resource)}`;
    case 'issue': {
      let id: string;
      if (resolveIssue) {
        const r = resolveIssue(name);
        id = typeof r === 'string' ? r.toLowerCase() : toHex(r);
      } else {
        id = name.toLowerCase();
      }
      if (!/^[0-9a-f]{32}$/.test(id)) {
        throw invalid(`an issue: lock needs the full 32-hex issue id, got ${JSON.stringify(name)}`, resource);
      }
      return `issue:${id}`;
    }
  }
}

/** Throws GriteError('invalid_args') unless `resource` is already in its normal spelling. */
export function checkResource(resource: string): string {
  const n = normalizeResource(resource);
  if (n !== resource) {
    throw invalid(`the lock resource ${JSON.stringify(resource)} is not normalised (it would be ${JSON.stringify(n)})`, resource);
  }
  return n;
}

/** First 16 hex characters of SHA-256 of the resource's UTF-8 bytes. */
export function resourceHash(resource: string): string {
  return createHash('sha256').update(resource, 'utf8').digest('hex').slice(0, 16);
}

/** refs/grite/locks/<resourceHash(resource)>. */
export function lockRefName(resource: string): string {
  return `${LOCK_REF_PREFIX}${resourceHash(resource)}`;
}

function lenientPath(p: string): string {
  return p
    .split('/')
    .filter((c) => c !== '' && c !== '.')
    .join('/');
}

/**
 * Whether locks on `a` and `b` exclude each other: anything with `repo:`;
 * `path:` with an equal path or one nested in the other (by whole
 * components: path:src contains path:src/a.ts, not path:srcx); `issue:` with
 * the same id. Resources of unknown namespaces conflict only with `repo:`.
 */
export function resourcesConflict(a: string, b: string): boolean {
  const pa = parseResource(a);
  const pb = parseResource(b);
  if (pa?.namespace === 'repo' || pb?.namespace === 'repo') return true;
  if (!pa || !pb || pa.namespace !== pb.namespace) return false;
  if (pa.namespace === 'issue') return pa.name.toLowerCase() === pb.name.toLowerCase();
  const x = lenientPath(pa.name);
  const y = lenientPath(pb.name);
  if (x === '' || y === '') return true; // "path:/" or "path:." names the whole tree
  return x === y || y.startsWith(`${x}/`) || x.startsWith(`${y}/`);
}
