/**
 * The lock commit (DESIGN.md section 2, "Lock refs"), as the Rust tool writes it:
 *
 *   ref        refs/grite/locks/<first 16 hex of SHA-256(resource)>
 *   commit     parent: the previous lock commit of that ref (none for the first);
 *              author and committer "grite <grit@localhost> <unix seconds> +0000";
 *              message "Lock: <resource>" (no trailing newline)
 *   tree       lock.json (100644), nothing else
 *   lock.json  2-space pretty JSON, keys in this order:
 *              {
 *                "owner": "<actor hex>",
 *                "nonce": "<UUIDv4>",
 *                "expires_unix_ms": <integer>,
 *                "resource": "<resource>"
 *              }
 *
 * lock.json has NO trailing newline: the Rust tool writes
 * `serde_json::to_string_pretty(lock)` as the blob, and serde's pretty printer
 * ends at the closing brace. `JSON.stringify(v, null, 2)` produces the same
 * bytes for these four fields (same escapes for control characters, `"` and
 * `\`; neither escapes "/" or non-ASCII), so both tools' commits for the same
 * lock are byte-identical but for the time stamp.
 *
 * A lock is free when its expiry has passed (`now >= expires_unix_ms`, as in
 * the Rust tool), and released when `expires_unix_ms` is 0 (our release; the
 * Rust tool deletes the ref instead, which also reads as free).
 */
import { GriteError } from '../errors.js';
import { CatFile } from '../git/cat-file.js';
import { buildCommit, buildTree, hashObject, writePreparedObjects, type GitIdent } from '../git/objects.js';
import { repoFormat } from '../git/repo-format.js';

export interface LockRecord {
  /** Hex of the owning actor. */
  owner: string;
  /** A UUIDv4 naming this lease (kept on renew, new on acquire and release). */
  nonce: string;
  /** Unix ms; 0 means released. */
  expiresUnixMs: number;
  resource: string;
}

export type LockState = 'held' | 'expired' | 'released';

/** The identity on lock commits (author and committer). */
export const LOCK_IDENT: Readonly<{ name: string; email: string }> = { name: 'grite', email: 'grit@localhost' };

/** held, expired or released, at `now` (unix ms). */
export function lockState(lock: LockRecord, now: number): LockState {
  if (lock.expiresUnixMs === 0) return 'released';
  return now >= lock.expiresUnixMs ? 'expired' : 'held';
}

/** The exact lock.json text. */
export function lockJson(lock: LockRecord): string {
  return JSON.stringify(
    { owner: lock.owner, nonce: lock.nonce, expires_unix_ms: lock.expiresUnixMs, resource: lock.resource },
    null,
    2,
  );
}

/** Parse lock.json (any JSON formatting); GriteError('git_error') when it is not a lock. */
export function parseLockJson(text: string, where = 'lock.json'): LockRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new GriteError('git_error', `${where} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GriteError('git_error', `${where} is not a JSON object`);
  const o = v as Record<string, unknown>;
  const { owner, nonce, expires_unix_ms: expires, resource } = o;
  if (typeof owner !== 'string' || typeof nonce !== 'string' || typeof resource !== 'string') {
    throw new GriteError('git_error', `${where} lacks owner, nonce or resource`);
  }
  if (typeof expires !== 'number' || !Number.isInteger(expires) || expires < 0) {
    throw new GriteError('git_error', `${where} has a bad expires_unix_ms ${JSON.stringify(expires)}`);
  }
  return { owner, nonce, expiresUnixMs: expires, resource };
}

const encoder = new TextEncoder();

/**
 * Write the lock commit for `lock` on `parent` (objects only, in process; no
 * ref moves). Returns the commit id.
 */
export async function writeLockCommit(commonGitDir: string, lock: LockRecord, parent: string | null, now: number): Promise<string> {
  const format = repoFormat(commonGitDir).objectFormat;
  const blob = hashObject('blob', encoder.encode(lockJson(lock)), format);
  const tree = hashObject('tree', buildTree([{ mode: '100644', name: 'lock.json', oid: blob.oid }], format), format);
  const ident: GitIdent = { ...LOCK_IDENT, seconds: Math.floor(now / 1000) };
  const commit = hashObject(
    'commit',
    buildCommit(
      { tree: tree.oid, parents: parent === null ? [] : [parent], author: ident, committer: ident, message: `Lock: ${lock.resource}` },
      format,
    ),
    format,
  );
  await writePreparedObjects(commonGitDir, [blob, tree, commit]);
  return commit.oid;
}

/** Lock commits never change: what was read once is kept (bounded). */
const cache = new Map<string, LockRecord>();
const CACHE_MAX = 4096;

/**
 * The locks held by the lock commits `oids` (same order), read through one
 * `git cat-file` child. GriteError('git_error') naming the commit when one is
 * missing or is not a lock.
 */
export async function readLocks(commonGitDir: string, oids: readonly string[]): Promise<LockRecord[]> {
  const found = new Map<string, LockRecord>();
  const missing: string[] = [];
  for (const oid of new Set(oids)) {
    const hit = cache.get(`${commonGitDir}\0${oid}`);
    if (hit) found.set(oid, hit);
    else missing.push(oid);
  }
  if (missing.length > 0) {
    const cat = new CatFile(commonGitDir);
    try {
      const blobs = await Promise.all(missing.map((oid) => cat.read(`${oid}:lock.json`)));
      missing.forEach((oid, i) => {
        const blob = blobs[i];
        if (!blob || blob.type !== 'blob') {
          throw new GriteError('git_error', `lock commit ${oid} has no lock.json`, {
            hint: 'Delete the malformed lock ref with `git update-ref -d <ref>`.',
            details: { commit: oid },
          });
        }
        const lock = parseLockJson(new TextDecoder().decode(blob.data), `lock.json of ${oid}`);
        if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
        cache.set(`${commonGitDir}\0${oid}`, lock);
        found.set(oid, lock);
      });
    } finally {
      await cat.close();
    }
  }
  return oids.map((o) => found.get(o)!);
}
