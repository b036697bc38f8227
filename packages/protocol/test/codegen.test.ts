/**
 * The committed generated code matches schema/grite.fbs (what CI's
 * `pnpm codegen:check` enforces), and the check notices stale output.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(pkg, 'scripts', 'codegen.mjs');
const generated = join(pkg, 'src', 'generated');

async function check(out?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [script, '--check', ...(out ? ['--out', out] : [])];
  try {
    const r = await run(process.execPath, args, { cwd: pkg });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('codegen --check', () => {
  it('passes on the committed generated code', async () => {
    const r = await check();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/generated files are up to date/);
  });

  it('fails with a clear message when a file is edited, missing or extra', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'grite-codegen-test-'));
    try {
      const out = join(tmp, 'generated');
      await cp(generated, out, { recursive: true });
      const layout = join(out, 'schema-layout.ts');
      await writeFile(layout, (await readFile(layout, 'utf8')) + '\n// edited\n');
      await rm(join(out, 'grite', 'ipc', 'ack.ts'));
      await writeFile(join(out, 'leftover.ts'), 'export {};\n');
      const r = await check(out);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/differs: schema-layout\.ts/);
      expect(r.stderr).toMatch(/missing: grite\/ipc\/ack\.ts/);
      expect(r.stderr).toMatch(/stale extra file: leftover\.ts/);
      expect(r.stderr).toMatch(/Run `pnpm codegen`/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('generated files carry the never-edit header', async () => {
    const text = await readFile(join(generated, 'grite', 'ipc', 'ipc-request.ts'), 'utf8');
    expect(text.startsWith('// GENERATED FILE: never edit by hand.')).toBe(true);
  });
});
