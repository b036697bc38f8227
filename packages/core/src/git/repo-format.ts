/**
 * What core must know about a repository's on-disk format before touching
 * its objects and refs, read from `<common git dir>/config`:
 *
 *   [extensions] objectFormat = sha1 | sha256   (default sha1)
 *   [extensions] refStorage   = files | reftable (default files)
 *
 * Only this subset of git's config syntax is read: `[section]` and
 * `[section "sub"]` headers, `key = value` lines, `#` and `;` comments,
 * double-quoted values. Includes are not followed (git forbids extensions in
 * included files anyway).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GriteError } from '../errors.js';

export type ObjectFormat = 'sha1' | 'sha256';
export type RefStorage = 'files' | 'reftable';

export interface RepoFormat {
  objectFormat: ObjectFormat;
  refStorage: RefStorage;
}

/** Top-level `section.key` values of a git config text (lowercased names; last one wins). */
export function parseGitConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
    if (header) {
      section = header[2] === undefined ? header[1]!.toLowerCase() : `${header[1]!.toLowerCase()}.${header[2]}`;
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!kv || section === '') continue;
    let value = kv[2] ?? 'true';
    // Strip a trailing comment outside quotes, then the quotes themselves.
    let v = '';
    let quoted = false;
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!;
      if (c === '"') quoted = !quoted;
      else if (!quoted && (c === '#' || c === ';')) break;
      else if (c === '\\' && i + 1 < value.length) v += value[++i]!;
      else v += c;
    }
    value = v.trim();
    out.set(`${section}.${kv[1]!.toLowerCase()}`, value);
  }
  return out;
}

const cache = new Map<string, RepoFormat>();

/** The repository's object format and ref storage (cached per common git dir). */
export function repoFormat(commonGitDir: string): RepoFormat {
  const hit = cache.get(commonGitDir);
  if (hit) return hit;
  let text = '';
  try {
    text = readFileSync(join(commonGitDir, 'config'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new GriteError('io_error', `cannot read ${join(commonGitDir, 'config')}: ${(e as Error).message}`, { cause: e });
    }
  }
  const cfg = parseGitConfig(text);
  const objectFormat = (cfg.get('extensions.objectformat') ?? 'sha1').toLowerCase();
  const refStorage = (cfg.get('extensions.refstorage') ?? 'files').toLowerCase();
  if (objectFormat !== 'sha1' && objectFormat !== 'sha256') {
    throw new GriteError('git_error', `unsupported object format ${JSON.stringify(objectFormat)} in ${commonGitDir}`);
  }
  if (refStorage !== 'files' && refStorage !== 'reftable') {
    throw new GriteError('git_error', `unsupported ref storage ${JSON.stringify(refStorage)} in ${commonGitDir}`);
  }
  const format: RepoFormat = { objectFormat, refStorage };
  cache.set(commonGitDir, format);
  return format;
}

/** Hex length of object ids in this format. */
export function oidHexLength(format: ObjectFormat): number {
  return format === 'sha1' ? 40 : 64;
}

export function isOid(s: string, format?: ObjectFormat): boolean {
  if (format === undefined) return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(s);
  return s.length === oidHexLength(format) && /^[0-9a-f]+$/.test(s);
}
