/**
 * Which model a picked path holds, from file names alone (the loaders validate the files): used by
 * `latent-lab inspect` and, through the engine's `locateModel` request, by Open Model…, so that both
 * read a folder the same way. A checkpoint comes first: its folder is explored as a checkpoint
 * whatever else it holds.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ResultOf } from '../../shared/protocol';
import { CHECKPOINT_FILE } from '../../shared/checkpointSummary';
import { MODEL_FILE } from '../checkpoint/folderIO';

const SAVED_MODEL_FILE = 'saved_model.pb';
const ONNX_FILE = /\.onnx$/i;

export type ModelLocation =
  | { format: 'checkpoint'; folder: string }
  | { format: 'savedmodel'; folder: string }
  | { format: 'tfjs-layers'; modelJson: string }
  /** Every .onnx file of a folder (an encoder and its decoder, say), sorted by name. */
  | { format: 'onnx'; files: string[] };

/** A checkpoint or model folder, or a file of one; undefined for anything else (a dataset, say). */
export async function findModel(target: string): Promise<ModelLocation | undefined> {
  const stat = await fs.stat(target).catch(() => undefined);
  if (stat?.isFile()) return modelFile(target);
  if (!stat?.isDirectory()) return undefined;
  const names = await fs.readdir(target);
  if (names.includes(CHECKPOINT_FILE)) return { format: 'checkpoint', folder: target };
  if (names.includes(SAVED_MODEL_FILE)) return { format: 'savedmodel', folder: target };
  if (names.includes(MODEL_FILE)) return { format: 'tfjs-layers', modelJson: path.join(target, MODEL_FILE) };
  const onnx = names.filter((name) => ONNX_FILE.test(name)).sort();
  return onnx.length > 0 ? { format: 'onnx', files: onnx.map((name) => path.join(target, name)) } : undefined;
}

function modelFile(file: string): ModelLocation | undefined {
  const name = path.basename(file);
  if (name === CHECKPOINT_FILE) return { format: 'checkpoint', folder: path.dirname(file) };
  if (name === SAVED_MODEL_FILE) return { format: 'savedmodel', folder: path.dirname(file) };
  if (ONNX_FILE.test(name)) return { format: 'onnx', files: [file] };
  return /\.json$/i.test(name) ? { format: 'tfjs-layers', modelJson: file } : undefined;
}

/** The location as the `locateModel` response carries it: the folder, the model.json, or the .onnx files. */
export function wireLocation(location: ModelLocation | undefined): ResultOf<'locateModel'>['location'] {
  if (!location) return undefined;
  if (location.format === 'onnx') return { format: 'onnx', paths: location.files };
  return { format: location.format, paths: [location.format === 'tfjs-layers' ? location.modelJson : location.folder] };
}
