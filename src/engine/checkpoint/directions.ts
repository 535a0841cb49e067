/**
 * directions.json: named directions in a checkpoint's latent space (mean(A) − mean(B) of two sets
 * of samples, "thicker stroke"), saved by the user beside the model. A run that keeps training
 * replaces the folder every epoch, so the file is carried into each new folder (replaceFolder), and
 * a write that meets the folder mid-swap is tried again.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { savedDirectionSchema, type SavedDirection } from '../../shared/protocol';
import { arr, literal, obj } from '../../shared/schema';
import { parseFile, readJsonFile, realFolder, resolveInside, writeFileSynced } from './confinedFs';
import { readOneVersion } from './atomicDir';
import { asCheckpointError, CheckpointError } from './errors';

export const DIRECTIONS_FILE = 'directions.json';
const MAX_DIRECTIONS = 1000;
const MAX_BYTES = 64 * 1024 ** 2;
const WRITE_TRIES = 20;

const fileSchema = obj({ format: literal('latent-lab-directions'), version: literal(1), directions: arr(savedDirectionSchema, { maxLength: MAX_DIRECTIONS }) });

/** The checkpoint's directions; none when it has no file. Directions of another width are refused with the file named. */
export async function readDirections(folder: string, latentDim: number): Promise<SavedDirection[]> {
  const read = await readOneVersion(folder, async () => {
    const root = await realFolder(folder);
    if (!(await fs.stat(path.join(root, DIRECTIONS_FILE)).catch(() => undefined))) return undefined;
    const file = await resolveInside(root, DIRECTIONS_FILE, root);
    return { file, json: await readJsonFile(file, MAX_BYTES) };
  });
  if (!read) return [];
  const { file } = read;
  const { directions } = parseFile(fileSchema, read.json, file.path, 'the file is damaged or from another program — delete it or save the directions again');
  const wrong = directions.find((direction) => direction.vector.length !== latentDim);
  if (wrong) throw new CheckpointError(`${file.path}: direction ${JSON.stringify(wrong.name)} has ${wrong.vector.length} values but the model's latents have ${latentDim}; it belongs to another model — delete it from the file`);
  return directions;
}

/** The change of each folder's directions under way in this process; the next one waits for it. */
const changing = new Map<string, Promise<unknown>>();

/**
 * Reads the folder's directions, lets `change` make the new list, and writes it, one change per
 * folder at a time: two saves sent together (two quick clicks, two panels on one checkpoint) each
 * read what the other wrote, so neither is lost. Another process writing the same file at the same
 * moment is not guarded against.
 */
export function changeDirections(folder: string, latentDim: number, change: (directions: SavedDirection[]) => SavedDirection[]): Promise<SavedDirection[]> {
  const next = (changing.get(folder) ?? Promise.resolve()).catch(() => undefined).then(async () => {
    const changed = change(await readDirections(folder, latentDim));
    await writeDirections(folder, changed);
    return changed;
  });
  changing.set(folder, next);
  const forget = () => {
    if (changing.get(folder) === next) changing.delete(folder);
  };
  next.then(forget, forget);
  return next;
}

/** Replaces the checkpoint's directions.json whole (a temp file renamed over it), retrying while a training save swaps the folder. */
async function writeDirections(folder: string, directions: readonly SavedDirection[]): Promise<void> {
  if (directions.length > MAX_DIRECTIONS) throw new CheckpointError(`${folder}: ${directions.length} directions; keep at most ${MAX_DIRECTIONS} — delete some first`);
  const bytes = Buffer.from(JSON.stringify({ format: 'latent-lab-directions', version: 1, directions }, null, 1));
  for (let attempt = 1; ; attempt++) {
    const temp = path.join(folder, `.${DIRECTIONS_FILE}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await writeFileSynced(temp, [bytes]);
      await fs.rename(temp, path.join(folder, DIRECTIONS_FILE));
      return;
    } catch (error) {
      await fs.rm(temp, { force: true });
      // The folder is missing between a save's two renames, or the temp file went with the old folder.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === WRITE_TRIES) throw asCheckpointError(error, `cannot save the directions into ${folder}`, 'check that the checkpoint folder still exists and is writable');
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
  }
}
