/**
 * Atomic file replacement: write a temporary file beside the target, flush
 * it, then rename it over the target, so a reader sees the old bytes or the
 * new bytes, never a torn file. The directory must exist.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { GriteError } from '../errors.js';

export function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new GriteError('io_error', `cannot write ${file}`, { cause: e, details: { path: file } });
  }
}
