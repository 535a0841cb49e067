/**
 * Replaces a folder as a whole: the new contents are written beside it and swapped in with renames,
 * so `dir` holds either the previous complete folder or the new complete one, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from './errors';

/**
 * `isReplaceable` guards what may be moved aside and deleted: a user who picks the wrong folder
 * (their home, a project) must get an error, not lose it.
 */
export async function replaceFolder(dir: string, isReplaceable: (dir: string) => Promise<boolean>, write: (tempDir: string) => Promise<void>): Promise<void> {
  const target = path.resolve(dir);
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = `${target}.tmp-${suffix}`;
  const existing = await fs.lstat(target).catch(() => undefined);
  if (existing && !(existing.isDirectory() && ((await isEmptyFolder(target)) || (await isReplaceable(target))))) {
    throw new CheckpointError(`${target} already exists and is not a Latent Lab checkpoint; choose a new or empty folder so nothing else is overwritten`);
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.mkdir(temp);
  let old: string | undefined;
  try {
    await write(temp);
    if (existing) {
      const aside = `${target}.old-${suffix}`;
      await fs.rename(target, aside);
      old = aside;
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    if (old !== undefined) await fs.rename(old, target);
    throw error;
  }
  if (old !== undefined) await fs.rm(old, { recursive: true, force: true });
}

async function isEmptyFolder(dir: string): Promise<boolean> {
  return (await fs.readdir(dir)).length === 0;
}
