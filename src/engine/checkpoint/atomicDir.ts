/**
 * Replaces a folder as a whole. The new contents are written beside it, in `NAME.tmp-PID-HEX`, and
 * swapped in with two renames: `NAME` to `NAME.old-PID-HEX`, then the temp folder to `NAME`. A
 * folder cannot be renamed over a non-empty one (POSIX rename) and Node offers no atomic exchange
 * (Linux's renameat2 RENAME_EXCHANGE), so between the two renames `NAME` is missing for a moment; a
 * process killed there leaves two complete folders beside it. `recoverFolder` puts the newer one in
 * place, and runs before every save, at every training start and in any load that finds `NAME`
 * missing: whoever next reads or writes `NAME` finds the previous or the new checkpoint, never a mix.
 * A reader that opens the files one by one while a live writer swaps reads through `readOneVersion`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from './errors';
import { isProcessAlive } from './liveProcess';

const SCRATCH = /^(.+)\.(tmp|old)-(\d+)-([0-9a-f]{8})$/;

/** A unique path beside `target`; once the process that made it is gone, `recoverFolder` removes it. */
export function scratchPath(target: string, kind: 'tmp' | 'old' = 'tmp', suffix = `${process.pid}-${randomBytes(4).toString('hex')}`): string {
  return `${target}.${kind}-${suffix}`;
}

/**
 * `isReplaceable` guards what may be moved aside and deleted: a user who picks the wrong folder
 * (their home, a project) must get an error, not lose it. `carried` are files others write into the
 * folder while it is being replaced (directions the user saves while a run trains): each goes into
 * the new folder as it is when the old one is moved aside, so a write that lands during `write`
 * is not lost with the old folder.
 */
export async function replaceFolder(dir: string, isReplaceable: (dir: string) => Promise<boolean>, write: (tempDir: string) => Promise<void>, carried: readonly string[] = []): Promise<void> {
  const target = path.resolve(dir);
  await recoverFolder(target);
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = scratchPath(target, 'tmp', suffix);
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
      const aside = scratchPath(target, 'old', suffix);
      // Deleted meanwhile (another window, a terminal): the new checkpoint simply takes its place.
      old = await fs.rename(target, aside).then(
        () => aside,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return undefined;
          throw error;
        },
      );
    }
    if (old !== undefined) for (const name of carried) await carry(path.join(old, name), path.join(temp, name));
    await fs.rename(temp, target);
    await syncFolder(path.dirname(target));
  } catch (error) {
    // The old folder goes back before the temp one is deleted: recoverFolder trusts a temp folder
    // that has an `.old` twin to be complete, and a half-deleted one is not.
    if (old !== undefined) await fs.rename(old, target);
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  }
  if (old !== undefined) await fs.rm(old, { recursive: true, force: true });
}

/** `from` over `to` unless they are one file already (linked); nothing when `from` does not exist. */
async function carry(from: string, to: string): Promise<void> {
  const [source, copy] = await Promise.all([fs.stat(from, { bigint: true }).catch(() => undefined), fs.stat(to, { bigint: true }).catch(() => undefined)]);
  if (!source || (copy && copy.dev === source.dev && copy.ino === source.ino)) return;
  await fs.rm(to, { force: true });
  await fs.link(from, to).catch(() => fs.copyFile(from, to));
}

/**
 * Finishes or removes what dead writers left beside `target`. Where `target` is missing and a dead
 * writer's `.old` folder exists, its swap was cut between the two renames: the temp folder of the
 * same suffix is complete (the old one is moved aside only once it is), so it takes the name; with
 * no temp folder left, the old one goes back. Everything else of a dead writer is deleted. What
 * live processes made is never touched: they may be in the middle of a save.
 */
export function recoverFolder(target: string): Promise<void> {
  return recoverFolders(path.dirname(target), path.basename(target));
}

/** `recoverFolder` for every folder in `parent` (or only the one named `only`). */
export async function recoverFolders(parent: string, only?: string): Promise<void> {
  const leftovers = new Map<string, { target: string; suffix: string; kinds: Set<string> }>();
  for (const name of await fs.readdir(parent).catch(() => [] as string[])) {
    const match = SCRATCH.exec(name);
    if (!match || (only !== undefined && match[1] !== only) || isProcessAlive(Number(match[3]))) continue;
    const suffix = `${match[3]}-${match[4]}`;
    const key = `${match[1]}/${suffix}`;
    const entry = leftovers.get(key) ?? { target: path.join(parent, match[1]!), suffix, kinds: new Set() };
    leftovers.set(key, entry);
    entry.kinds.add(match[2]!);
  }
  for (const { target, suffix, kinds } of leftovers.values()) {
    const temp = scratchPath(target, 'tmp', suffix);
    const old = scratchPath(target, 'old', suffix);
    if (kinds.has('old') && !(await exists(target))) {
      // Another process recovering at the same moment may have put it in place first.
      await fs.rename(kinds.has('tmp') ? temp : old, target).catch(async (error: unknown) => {
        if (!(await exists(target))) throw error;
      });
    }
    await fs.rm(temp, { recursive: true, force: true });
    await fs.rm(old, { recursive: true, force: true });
  }
}

/** Enough to outlast saves back to back on a loaded machine (about a second of waiting in all). */
const READ_TRIES = 24;

/**
 * `read`'s result, from a read during which `dir` stayed one folder. A save swaps whole folders, so a
 * read that straddles a swap sees files of two checkpoints (a file measured in one and read in the
 * other looks truncated); the folder's inode tells, and the read is repeated. The folder is missing
 * for a moment between a live writer's two renames: the next try waits for the second.
 */
export async function readOneVersion<T>(dir: string, read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const before = await folderIdentity(dir);
    const outcome = await read().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const stable = before !== undefined && before === (await folderIdentity(dir));
    if (stable) {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    // A folder that was never there is not being saved into: its error says so.
    if (before === undefined && 'error' in outcome && !(await anyScratchBeside(dir))) throw outcome.error;
    if (attempt === READ_TRIES) throw new CheckpointError(`${dir} was replaced ${READ_TRIES} times while it was read (a run is saving into it); open it again once the save is done`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(5 * attempt, 50)));
  }
}

/**
 * A rename is durable once its folder is flushed: without it a power cut can bring back the old name.
 * Windows cannot open a folder to flush it (NTFS journals the rename itself).
 */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function folderIdentity(dir: string): Promise<string | undefined> {
  const stat = await fs.stat(dir, { bigint: true }).catch(() => undefined);
  return stat === undefined ? undefined : `${stat.dev}:${stat.ino}`;
}

/** Whether a save of `dir` has its temp or old folder beside it now. */
async function anyScratchBeside(dir: string): Promise<boolean> {
  const name = path.basename(dir);
  return (await fs.readdir(path.dirname(dir)).catch(() => [] as string[])).some((entry) => SCRATCH.exec(entry)?.[1] === name);
}

function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  );
}

async function isEmptyFolder(dir: string): Promise<boolean> {
  return (await fs.readdir(dir)).length === 0;
}
