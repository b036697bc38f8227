// init, actors and config through the built CLI: local files only, shared
// with the Rust tool, idempotent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grite, tempRepo, type Result } from './helpers.js';

let repo: { dir: string; cleanup: () => void };
const run = (...args: string[]): Promise<Result> => grite({ cwd: repo.dir }, ...args);

beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

describe('grite init', () => {
  it('creates an actor, config and the ## Grite section of AGENTS.md; a second run changes nothing', async () => {
    const first = await run('init', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(first.json.data).toMatchObject({ changed: true, agents_md: { action: 'created' } });
    expect(first.json.data.actor_id).toMatch(/^[0-9a-f]{32}$/);
    expect(existsSync(join(repo.dir, '.git/grite/config.toml'))).toBe(true);
    const agents = readFileSync(join(repo.dir, 'AGENTS.md'), 'utf8');
    expect(agents).toContain('## Grite');
    expect(agents).toContain('one actor per agent');

    const again = await run('init', '--json');
    expect(again.json.data).toMatchObject({ changed: false, actor_id: first.json.data.actor_id, agents_md: { action: 'unchanged' } });
    expect(readFileSync(join(repo.dir, 'AGENTS.md'), 'utf8')).toBe(agents);
  });

  it('extends an existing AGENTS.md, keeps its other sections, and --no-agents-md skips it', async () => {
    writeFileSync(join(repo.dir, 'AGENTS.md'), '# Agents\n\n## Build\n\nRun make.\n');
    const r = await run('init', '--json');
    expect(r.json.data.agents_md.action).toBe('appended');
    const text = readFileSync(join(repo.dir, 'AGENTS.md'), 'utf8');
    expect(text.startsWith('# Agents\n\n## Build\n\nRun make.\n')).toBe(true);
    expect(text.match(/## Grite/g)).toHaveLength(1);

    const other = tempRepo();
    try {
      const skip = await grite({ cwd: other.dir }, 'init', '--no-agents-md', '--json');
      expect(skip.json.data.agents_md).toBeNull();
      expect(existsSync(join(other.dir, 'AGENTS.md'))).toBe(false);
    } finally {
      other.cleanup();
    }
  });
});

describe('actors', () => {
  it('init, list, show, current, use; --actor picks one and its id is in the events', async () => {
    await run('init', '--no-agents-md');
    const a = (await run('actor', 'init', '--label', 'agent-a', '--json')).json.data.actor;
    const list = (await run('actor', 'list', '--json')).json.data.actors;
    expect(list.map((x: { actor_id: string }) => x.actor_id)).toContain(a.actor_id);
    expect((await run('actor', 'show', a.actor_id.slice(0, 6), '--json')).json.data.actor.label).toBe('agent-a');
    const current = await run('actor', 'current', '--actor', a.actor_id, '--json');
    expect(current.json.data).toMatchObject({ source: 'flag', actor: { actor_id: a.actor_id } });

    const c = await run('issue', 'create', '--title', 'by agent a', '--actor', a.actor_id.slice(0, 8), '--json');
    const show = await run('issue', 'show', c.json.data.issue_id, '--json');
    expect(show.json.data.events[0].actor).toBe(a.actor_id);

    const use = await run('actor', 'use', a.actor_id, '--json');
    expect(use.json.data.actor.default).toBe(true);
    expect((await run('actor', 'current', '--json')).json.data).toMatchObject({ source: 'default', actor: { actor_id: a.actor_id } });

    const bad = await run('actor', 'use', 'ffffffff', '--json');
    expect(bad.code).toBe(3);
    expect(bad.json.error.code).toBe('not_found');
  });

  it('GRITE_HOME selects an actor directory', async () => {
    await run('init', '--no-agents-md');
    const b = (await run('actor', 'init', '--label', 'b', '--json')).json.data.actor;
    const r = await grite({ cwd: repo.dir, env: { GRITE_HOME: b.data_dir } }, 'actor', 'current', '--json');
    expect(r.json.data).toMatchObject({ source: 'data_dir', actor: { actor_id: b.actor_id } });
  });
});

describe('config', () => {
  it('gets and sets keys, keeps keys it does not know, refuses bad values', async () => {
    await run('init', '--no-agents-md');
    const file = join(repo.dir, '.git/grite/config.toml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n# a comment the Rust tool wrote\nfuture_key = "kept"\n`);
    const set = await run('config', 'set', 'lock_policy', 'require', '--json');
    expect(set.code, set.stdout).toBe(0);
    expect(set.json.data).toEqual({ key: 'lock_policy', value: 'require' });
    expect((await run('config', 'get', 'lock_policy', '--json')).json.data.value).toBe('require');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('future_key = "kept"');
    expect(text).toContain('# a comment the Rust tool wrote');
    const bad = await run('config', 'set', 'lock_policy', 'sometimes', '--json');
    expect(bad.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect((await run('config', 'get', 'nope', '--json')).code).toBe(3);
  });
});
