/**
 * A checkpoint folder: encoder/ and decoder/ (tfjs layers files), extra.bin for variables outside the
 * models, and latent-lab.json. Saving swaps a complete folder into place; loading checks every file
 * before the first tensor is created, so a bad checkpoint fails without leaking memory.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { LayersModel, Variable } from '@tensorflow/tfjs';
import packageJson from '../../../package.json';
import { CHECKPOINT_FILE, MAX_CHECKPOINT_FILE_BYTES } from '../../shared/checkpointSummary';
import type { Tf } from '../backend';
import { nextTurn } from '../eventLoop';
import type { ModelParts } from '../models/modelKind';
import { readOneVersion, recoverFolder, replaceFolder } from './atomicDir';
import { buildLayersModel } from './buildModel';
import { DIRECTIONS_FILE } from './directions';
import { readJsonFile, realFolder, resolveInside, writeFileSynced } from './confinedFs';
import { asCheckpointError, CheckpointError, firstLine, isDiskFull } from './errors';
import { encodeExtra, EXTRA_FILE, readExtra } from './extra';
import { folderSaver, MODEL_FILE, readModelFolder } from './folderIO';
import { parseCheckpointMeta, type CheckpointMeta, type CheckpointMetaInput } from './meta';

const PARTS = ['encoder', 'decoder'] as const;

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  parts: ModelParts;
}

/** Files saved beside the model: `keep` are linked from the checkpoint being replaced (files written once, as the timeline's epochs; a timeline epoch whose file is gone is dropped), `add` are new. */
export interface SavedFiles {
  keep: readonly string[];
  add: readonly { path: string; bytes: Uint8Array }[];
}

/** Writes `parts` and `input` as the checkpoint at `dir`, replacing a previous checkpoint there. */
export async function saveCheckpoint(tf: Tf, dir: string, parts: ModelParts, input: CheckpointMetaInput, files: SavedFiles = { keep: [], add: [] }): Promise<CheckpointMeta> {
  const target = path.resolve(dir);
  try {
    // Metadata and extra values are checked before the old checkpoint is touched.
    const extra = await encodeExtra(parts.extraVariables, path.join(target, EXTRA_FILE));
    let meta = parseCheckpointMeta(
      {
        ...input,
        format: 'latent-lab-checkpoint',
        version: 1,
        backend: tf.getBackend(),
        engineVersion: packageJson.version,
        createdAt: new Date().toISOString(),
        ...(extra.entries.length > 0 ? { extra: extra.entries } : {}),
      },
      path.join(target, CHECKPOINT_FILE),
    );
    await replaceFolder(target, isCheckpointFolder, async (temp) => {
      for (const part of PARTS) {
        await nextTurn(`checkpoint: ${part}`);
        await parts[part].save(folderSaver(path.join(temp, part)));
      }
      await nextTurn('checkpoint: files');
      const lost = new Set<string>();
      for (const kept of files.keep) if (!(await keepFile(path.join(target, kept), path.join(temp, kept)))) lost.add(kept);
      // The folder was deleted or emptied under the run (moved to the trash): its timeline goes on from what is left.
      if (lost.size > 0 && meta.timeline) meta = { ...meta, timeline: { ...meta.timeline, epochs: meta.timeline.epochs.filter((entry) => !lost.has(entry.file)) } };
      for (const added of files.add) {
        await fs.mkdir(path.dirname(path.join(temp, added.path)), { recursive: true });
        await writeFileSynced(path.join(temp, added.path), [added.bytes]);
      }
      await nextTurn('checkpoint: metadata');
      if (extra.entries.length > 0) await writeFileSynced(path.join(temp, EXTRA_FILE), [extra.bytes]);
      await writeFileSynced(path.join(temp, CHECKPOINT_FILE), [Buffer.from(JSON.stringify(meta, null, 1))]);
    }, [DIRECTIONS_FILE]);
    return meta;
  } catch (error) {
    if (isDiskFull(error)) throw new CheckpointError(`cannot save the checkpoint ${target}: the disk is full (${firstLine(error)}); the folder was left as it was — free space on that disk or train into a folder on another one`);
    throw asCheckpointError(error, `cannot save the checkpoint ${target}`, 'check that the folder is writable and the disk has space');
  }
}

/**
 * A hard link where the file system allows one (the old folder is deleted after the swap, the data
 * stays), else a copy; false when there is no file to keep.
 */
async function keepFile(from: string, to: string): Promise<boolean> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  try {
    await fs.link(from, to).catch(() => fs.copyFile(from, to));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** `location` is the checkpoint folder or its latent-lab.json. */
export async function loadCheckpoint(tf: Tf, location: string): Promise<LoadedCheckpoint> {
  const folder = path.basename(location) === CHECKPOINT_FILE ? path.dirname(location) : location;
  // A writer killed between its two renames leaves the folder missing and the complete copy beside it
  // (see atomicDir). If it cannot be put back (a read-only folder), the load reports the missing folder.
  if (!(await fs.lstat(folder).then(() => true, () => false))) await recoverFolder(path.resolve(folder)).catch(() => undefined);
  const { meta, sources, extraValues } = await readOneVersion(folder, () => readCheckpointFiles(folder));
  const models: LayersModel[] = [];
  try {
    for (const { file, artifacts } of sources) models.push(await buildLayersModel(tf, artifacts, file));
  } catch (error) {
    for (const model of models) model.dispose();
    throw error;
  }
  const extraVariables: Record<string, Variable> = {};
  (meta.extra ?? []).forEach((entry, index) => {
    const initial = tf.tensor(extraValues[index]!, entry.shape, 'float32');
    extraVariables[entry.name] = tf.variable(initial);
    initial.dispose();
  });
  return { meta, parts: { encoder: models[0]!, decoder: models[1]!, extraVariables } };
}

/** latent-lab.json of the checkpoint in `root` (a real folder), parsed and checked; `file` is its path, for messages. */
export async function readCheckpointMeta(root: string): Promise<{ meta: CheckpointMeta; file: string }> {
  const metaFile = await resolveInside(root, CHECKPOINT_FILE, root);
  return { meta: parseCheckpointMeta(await readJsonFile(metaFile, MAX_CHECKPOINT_FILE_BYTES), metaFile.path), file: metaFile.path };
}

async function readCheckpointFiles(folder: string) {
  const root = await realFolder(folder);
  const { meta, file: metaFile } = await readCheckpointMeta(root);
  const sources = [];
  for (const part of PARTS) {
    // Resolved from the checkpoint root first so a symlinked part folder cannot lead outside it.
    const modelJson = await resolveInside(root, `${part}/${MODEL_FILE}`, metaFile);
    sources.push({ file: modelJson.path, artifacts: await readModelFolder(path.dirname(modelJson.path)) });
  }
  const extraValues = await readExtra(root, meta.extra ?? [], metaFile);
  return { meta, sources, extraValues };
}

/** A cheap test (is there a latent-lab.json?), not a validation: loadCheckpoint does that. */
export async function isCheckpointFolder(dir: string): Promise<boolean> {
  const stat = await fs.stat(path.join(dir, CHECKPOINT_FILE)).catch(() => undefined);
  return stat?.isFile() === true;
}
