/**
 * File access for checkpoints and foreign model folders. Everything a file names is resolved to a
 * real path and must stay inside the folder, and sizes are known before a byte is read, so a hostile
 * folder can neither make us read elsewhere nor make us allocate unbounded memory.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SchemaError, type Schema } from '../../shared/schema';
import { CheckpointError, asCheckpointError, firstLine } from './errors';

export interface CheckedFile {
  /** Real path (symlinks resolved), inside the folder it was resolved against. */
  path: string;
  size: number;
}

/** Real path of an existing folder; confinement compares real paths so a symlinked folder still works. */
export async function realFolder(dir: string): Promise<string> {
  try {
    const real = await fs.realpath(dir);
    if ((await fs.stat(real)).isDirectory()) return real;
  } catch (error) {
    throw asCheckpointError(error, `cannot open the folder ${dir}`, 'check that the path exists and is readable');
  }
  throw new CheckpointError(`${dir} is not a folder; pass the folder that holds the model files`);
}

function isPlainRelativePath(relPath: string): boolean {
  return (
    relPath.length > 0 &&
    !/[\\\0]/.test(relPath) &&
    !path.posix.isAbsolute(relPath) &&
    // A drive prefix (`C:x`) is absolute-ish on Windows even without a slash.
    !/^[a-zA-Z]:/.test(relPath) &&
    !relPath.split('/').includes('..')
  );
}

/** Resolves `relPath`, named by the file `referencedBy`, to a regular file inside the real folder `root`. */
export async function resolveInside(root: string, relPath: string, referencedBy: string): Promise<CheckedFile> {
  if (!isPlainRelativePath(relPath)) {
    throw new CheckpointError(
      `${referencedBy} names the file ${JSON.stringify(relPath)}, which is not a plain relative path; only files inside the folder are read (no "..", absolute paths or backslashes) — fix the path or move the file into the folder`,
    );
  }
  const joined = path.join(root, relPath);
  let real: string;
  try {
    real = await fs.realpath(joined);
  } catch (error) {
    throw asCheckpointError(error, `${joined} (from ${referencedBy}) cannot be opened`, 'the folder is incomplete — restore the file or save the model again');
  }
  const relative = path.relative(root, real);
  if (relative === '' || relative.split(path.sep)[0] === '..' || path.isAbsolute(relative)) {
    throw new CheckpointError(`${joined} (from ${referencedBy}) resolves to ${real}, outside ${root} (through a symbolic link); copy the file into the folder instead of linking it`);
  }
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new CheckpointError(`${joined} (from ${referencedBy}) is not a regular file; replace it with the file itself`);
  return { path: real, size: stat.size };
}

/** Reads exactly `target.length` bytes; a file that shrank since it was measured is reported as truncated. */
export async function readCheckedFile(file: CheckedFile, target: Uint8Array): Promise<void> {
  const handle = await fs.open(file.path, 'r');
  try {
    let filled = 0;
    while (filled < target.length) {
      const { bytesRead } = await handle.read(target, filled, target.length - filled, filled);
      if (bytesRead === 0) throw new CheckpointError(`${file.path} ended after ${filled} of ${target.length} bytes while reading; it is truncated or being rewritten — save the model again`);
      filled += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** JSON from a file of at most `maxBytes`, refused by its size before it is read. */
export async function readJsonFile(file: CheckedFile, maxBytes: number): Promise<unknown> {
  if (file.size > maxBytes) {
    throw new CheckpointError(`${file.path} is ${mebibytes(file.size)} MiB, over the ${mebibytes(maxBytes)} MiB limit for this file; it is not a model file this loader accepts — pick the right file`);
  }
  const bytes = new Uint8Array(file.size);
  await readCheckedFile(file, bytes);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CheckpointError(`${file.path} is not valid JSON (${firstLine(error)}); the file is damaged — restore it or save the model again`);
  }
}

export function parseFile<T>(schema: Schema<T>, value: unknown, file: string, advice: string): T {
  try {
    return schema.parse(value);
  } catch (error) {
    if (error instanceof SchemaError) throw new CheckpointError(`${file}: ${error.message}; ${advice}`);
    throw error;
  }
}

/** Flushed to disk before returning, so a rename that publishes the file never exposes a partial one. */
export async function writeFileSynced(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    // writeFile, unlike write, loops until the whole chunk is written.
    for (const chunk of chunks) await handle.writeFile(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function mebibytes(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
