/**
 * Listing the refs under a prefix without spawning git (lock checks run
 * before every write). The "files" backend (gitrepository-layout(5)): loose
 * refs are files under <common dir>/refs/... holding "<oid>\n"; packed-refs
 * holds "<oid> <refname>" lines (with "^<peeled>" lines after tags) and a
 * loose ref overrides a packed one. Lock files ("<ref>.lock") are not refs.
 * Repositories using reftable are listed with `git for-each-ref`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GriteError } from '../errors.js';
import { readRef } from '../git/refs.js';
import { isOid, repoFormat } from '../git/repo-format.js';
import { runGit } from '../git/run-git.js';

async function walkLoose(commonGitDir: string, dir: string, out: Map<string, string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(join(commonGitDir, dir), { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw new GriteError('io_error', `cannot list ${join(commonGitDir, dir)}: ${(e as Error).message}`, { cause: e });
  }
  await Promise.all(
    entries.map(async (ent) => {
      const name = `${dir}/${ent.name}`;
      if (ent.isDirectory()) return walkLoose(commonGitDir, name, out);
      if (!ent.isFile() || ent.name.endsWith('.lock')) return;
      let text: string;
      try {
        text = (await readFile(join(commonGitDir, name), 'utf8')).trim();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // deleted meanwhile
        throw new GriteError('io_error', `cannot read ref ${name}: ${(e as Error).message}`, { cause: e });
      }
      if (isOid(text)) out.set(name, text);
      else if (text.startsWith('ref: ')) {
        const oid = await readRef(commonGitDir, name);
        if (oid !== null) out.set(name, oid);
      }
    }),
  );
}

async function readPacked(commonGitDir: string, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let text: string;
  try {
    text = await readFile(join(commonGitDir, 'packed-refs'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw new GriteError('io_error', `cannot read packed-refs: ${(e as Error).message}`, { cause: e });
  }
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const name = line.slice(sp + 1);
    if (name.startsWith(prefix)) out.set(name, line.slice(0, sp));
  }
  return out;
}

/**
 * Every ref whose name starts with `prefix` (which ends with "/"), with the
 * object it points to, sorted by name.
 */
export async function listRefs(commonGitDir: string, prefix: string): Promise<Map<string, string>> {
  if (!prefix.startsWith('refs/') || !prefix.endsWith('/')) {
    throw new GriteError('invalid_args', `listRefs needs a prefix like refs/x/, got ${JSON.stringify(prefix)}`);
  }
  let refs: Map<string, string>;
  if (repoFormat(commonGitDir).refStorage === 'reftable') {
    refs = new Map();
    const r = await runGit(commonGitDir, ['for-each-ref', '--format=%(objectname) %(refname)', prefix]);
    for (const line of r.stdout.toString('utf8').split('\n')) {
      const sp = line.indexOf(' ');
      if (sp > 0) refs.set(line.slice(sp + 1), line.slice(0, sp));
    }
  } else {
    refs = await readPacked(commonGitDir, prefix);
    const loose = new Map<string, string>();
    await walkLoose(commonGitDir, prefix.slice(0, -1), loose);
    for (const [k, v] of loose) refs.set(k, v);
  }
  return new Map([...refs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
