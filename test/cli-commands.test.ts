// The command surface is a contract: ids and flags are snapshotted and any
// change to them shows up in review (CI runs without updating snapshots).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, grite, tempRepo } from './helpers.js';

describe('command snapshot', () => {
  it('matches the checked-in ids and flags', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages/cli/oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { flags: Record<string, { char?: string; type: string; multiple?: boolean; allowNo?: boolean }>; args: Record<string, unknown> }>;
    };
    const surface = Object.fromEntries(
      Object.keys(manifest.commands)
        .sort()
        .map((id) => {
          const c = manifest.commands[id]!;
          const flags = Object.keys(c.flags)
            .sort()
            .map((f) => {
              const d = c.flags[f]!;
              return `--${d.allowNo ? '[no-]' : ''}${f}${d.char ? ` (-${d.char})` : ''}${d.type === 'option' ? ' <value>' : ''}${d.multiple ? '...' : ''}`;
            });
          return [id, { args: Object.keys(c.args), flags }];
        }),
    );
    await expect(JSON.stringify(surface, null, 2) + '\n').toMatchFileSnapshot('./__snapshots__/commands.json');
  });

  it('every command answers --help with exit 0', async () => {
    const repo = tempRepo();
    try {
      const manifest = JSON.parse(readFileSync(join(ROOT, 'packages/cli/oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
      for (const id of Object.keys(manifest.commands).slice(0, 6)) {
        const r = await grite({ cwd: repo.dir }, ...id.split(':'), '--help');
        expect(r.code, id).toBe(0);
        expect(r.stdout).toContain('USAGE');
      }
    } finally {
      repo.cleanup();
    }
  });
});
