/**
 * One writer per run folder. Two windows (two engines) training into one folder would each swap in
 * their own checkpoint every epoch, and a resume would continue whichever it read; so a run holds
 * `NAME.lock` beside its folder (not inside: the folder is replaced on every save) from start to end.
 * The lock names its process and machine; a lock whose process is gone (killed, crashed) is stale
 * and taken over, with a note.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { type Infer, num, obj, str } from '../../shared/schema';
import { scratchPath } from './atomicDir';
import { asCheckpointError, CheckpointError } from './errors';
import { isProcessAlive } from './liveProcess';

const holderSchema = obj({ pid: num({ integer: true, min: 1 }), host: str({ maxLength: 256 }), token: str({ maxLength: 64 }), since: str({ maxLength: 64 }) });
type Holder = Infer<typeof holderSchema>;
const MAX_LOCK_BYTES = 4096;
/** Rounds lost to other processes taking over the same stale lock before the folder counts as busy. */
const ATTEMPTS = 3;

export interface RunLock {
  /** Never throws: it runs in `finally` and must not hide the run's own error. */
  release(): Promise<void>;
}

export async function lockRunFolder(dir: string, note: (line: string) => void = () => undefined): Promise<RunLock> {
  const target = path.resolve(dir);
  const file = `${target}.lock`;
  const mine: Holder = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), since: new Date().toISOString() };
  try {
    const created = await fs.mkdir(path.dirname(target), { recursive: true });
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await publish(target, file, mine)) return { release: () => release(target, mine, created) };
      const holder = await readHolder(file, target);
      // Released between our try and our read.
      if (holder === undefined) continue;
      // Process ids mean nothing across machines (a shared drive): only the holder's machine can tell it is gone.
      if (holder.host !== mine.host || isProcessAlive(holder.pid)) {
        const where = holder.host === mine.host ? '' : ` on ${holder.host}`;
        throw new CheckpointError(`${target} is being trained by process ${holder.pid}${where} since ${holder.since}; wait for that run to end or stop it, or train into another folder (if no run is training into it, delete ${file})`);
      }
      if (await takeOver(target, file, holder)) note(`${target}: took over the lock of process ${holder.pid}, which ended without releasing it`);
    }
    throw new CheckpointError(`${target}: other processes keep taking its lock ${file}; start one run at a time in this folder`);
  } catch (error) {
    throw asCheckpointError(error, `cannot lock the run folder ${target}`, 'check that its parent folder is writable and the disk has space');
  }
}

/** Removes the locks of runs in `parent` whose process is gone, so that a killed run's lock does not outlive the next start there. */
export async function clearStaleLocks(parent: string): Promise<void> {
  for (const name of await fs.readdir(parent).catch(() => [] as string[])) {
    if (!name.endsWith('.lock')) continue;
    const file = path.join(parent, name);
    const target = file.slice(0, -'.lock'.length);
    // Anything that is not our lock (a folder, someone else's file) is left alone.
    const holder = await readHolder(file, target).catch(() => undefined);
    if (holder !== undefined && holder.host === hostname() && !isProcessAlive(holder.pid)) await takeOver(target, file, holder);
  }
}

/** Complete before it is visible: written to a scratch file, then hard-linked to the lock's name, which fails if that exists. */
async function publish(target: string, file: string, holder: Holder): Promise<boolean> {
  const scratch = scratchPath(target);
  await fs.writeFile(scratch, JSON.stringify(holder), { flag: 'wx' });
  try {
    await fs.link(scratch, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(scratch, { force: true });
  }
}

async function readHolder(file: string, target: string): Promise<Holder | undefined> {
  let text: string | undefined;
  try {
    text = (await fs.stat(file)).size <= MAX_LOCK_BYTES ? await fs.readFile(file, 'utf8') : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const holder = text === undefined ? undefined : parseHolder(text);
  if (holder === undefined) throw new CheckpointError(`${file} is not a run lock written by Latent Lab, so ${target} may be in use; delete ${file} if no run is training into it`);
  return holder;
}

function parseHolder(text: string): Holder | undefined {
  try {
    return holderSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Moves the stale lock aside and checks that what moved is the lock judged stale: a process that took
 * it over a moment earlier has published a fresh one, which goes back in place.
 */
async function takeOver(target: string, file: string, stale: Holder): Promise<boolean> {
  const aside = scratchPath(target);
  try {
    await fs.rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = await readHolder(aside, target).catch(() => undefined);
  if (moved?.token !== stale.token) await fs.link(aside, file).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return moved?.token === stale.token;
}

async function release(target: string, mine: Holder, createdParent: string | undefined): Promise<void> {
  const file = `${target}.lock`;
  const holder = await readHolder(file, target).catch(() => undefined);
  if (holder?.token === mine.token) await fs.rm(file, { force: true }).catch(() => undefined);
  // A run that failed before its first checkpoint (bad data, a typo) leaves no empty runs folder behind.
  if (createdParent === undefined) return;
  let dir = path.dirname(file);
  while ((await fs.rmdir(dir).then(() => true, () => false)) && dir !== createdParent) dir = path.dirname(dir);
}
