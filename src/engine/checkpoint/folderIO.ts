/**
 * tfjs IOHandlers for a model folder (model.json + weight shards) built on node:fs alone, so they work
 * on every backend: the `file://` handler exists only in tfjs-node, not in the @tensorflow/tfjs
 * fallback. The loader also reads foreign folders from the tensorflowjs converter, so it treats every
 * byte as hostile (see confinedFs and weightSpecs).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { arr, nullable, obj, optional, record, str, unknownValue } from '../../shared/schema';
import { parseFile, readCheckedFile, readJsonFile, realFolder, resolveInside, writeFileSynced } from './confinedFs';
import { CheckpointError } from './errors';
import { assertFinite, layout, weightSpecSchema, type WeightSpec } from './weightSpecs';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
/** Far above any real topology, far below what would hurt to parse. */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 ** 2;

const modelJsonSchema = obj({
  modelTopology: record(unknownValue(), { maxKeys: 64 }),
  weightsManifest: arr(
    obj({
      paths: arr(str({ minLength: 1, maxLength: 1024 }), { maxLength: 10_000 }),
      weights: arr(weightSpecSchema, { maxLength: 100_000 }),
    }),
    { maxLength: 10_000 },
  ),
  format: optional(str({ maxLength: 64 })),
  generatedBy: optional(str({ maxLength: 256 })),
  convertedBy: optional(nullable(str({ maxLength: 256 }))),
  // Accepted so converter output validates; not passed on (see readModelFolder).
  trainingConfig: optional(unknownValue()),
  userDefinedMetadata: optional(unknownValue()),
  signature: optional(unknownValue()),
  modelInitializer: optional(unknownValue()),
  initializerSignature: optional(unknownValue()),
});

export function folderSaver(dir: string): io.IOHandler {
  return { save: (artifacts) => saveFolder(dir, artifacts) };
}

/** `modelFile` names the model JSON inside `dir`, for foreign folders that call it something else. */
export function folderLoader(dir: string, modelFile: string = MODEL_FILE): io.IOHandler {
  return { load: () => readModelFolder(dir, modelFile) };
}

/** Writes into a new or empty folder; files are created exclusively so a planted symlink is never followed. */
async function saveFolder(dir: string, artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
  const { modelTopology } = artifacts;
  if (modelTopology === undefined || modelTopology instanceof ArrayBuffer) {
    throw new CheckpointError(`cannot save to ${dir}: the model has no JSON topology; only tfjs layers models can be saved here`);
  }
  const weightSpecs = artifacts.weightSpecs ?? [];
  const weights = joinWeightData(artifacts.weightData);
  const weightsPath = path.join(dir, WEIGHTS_FILE);
  // A diverged model must not replace a good checkpoint with one that would refuse to load.
  assertFinite(weights, weightSpecs, weightsPath);
  const modelJson: io.ModelJSON = {
    modelTopology,
    format: 'layers-model',
    ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weightSpecs }],
  };
  await fs.mkdir(dir, { recursive: true });
  await writeFileSynced(path.join(dir, MODEL_FILE), [Buffer.from(JSON.stringify(modelJson))]);
  await writeFileSynced(weightsPath, [weights]);
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(modelTopology)),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(weightSpecs)),
      weightDataBytes: weights.byteLength,
    },
  };
}

function joinWeightData(data: io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return Array.isArray(data) ? Buffer.concat(data.map((buffer) => new Uint8Array(buffer))) : new Uint8Array(data);
}

/** The artifacts `folderLoader` hands to tfjs; callers that build the model themselves use this directly. */
export async function readModelFolder(dir: string, modelFile: string = MODEL_FILE): Promise<io.ModelArtifacts> {
  const root = await realFolder(dir);
  const jsonFile = await resolveInside(root, modelFile, root);
  const json = parseFile(
    modelJsonSchema,
    await readJsonFile(jsonFile, MAX_MODEL_JSON_BYTES),
    jsonFile.path,
    'it is not a tfjs model.json — pick the model.json written by tfjs or the tensorflowjs converter',
  );
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new CheckpointError(`${jsonFile.path} is a tfjs ${json.format}, not a layers model; convert the model with --output_format=tfjs_layers_model`);
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  // Whole-manifest limits (duplicate names, total size) before any group allocates its buffer.
  layout(weightSpecs, jsonFile.path);
  const weightData: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    weightData.push((await readWeights(root, group.paths, group.weights, jsonFile.path)).buffer);
  }
  // trainingConfig is dropped on purpose: it would compile a foreign optimizer we never use, whose
  // variables would outlive the model's dispose().
  return {
    modelTopology: json.modelTopology,
    weightSpecs: weightSpecs.map(({ name, shape, dtype, group }) => ({ name, shape, dtype, ...(group === undefined ? {} : { group }) })),
    weightData,
    format: 'layers-model',
    ...(json.generatedBy === undefined ? {} : { generatedBy: json.generatedBy }),
    ...(json.convertedBy === undefined ? {} : { convertedBy: json.convertedBy }),
  };
}

/**
 * The concatenated contents of `relPaths` (inside `root`), which must hold exactly the weights of
 * `specs`: the size is checked from the file system before reading, the values after.
 */
export async function readWeights(root: string, relPaths: readonly string[], specs: readonly WeightSpec[], referencedBy: string): Promise<Uint8Array<ArrayBuffer>> {
  const { total } = layout(specs, referencedBy);
  const files = [];
  for (const relPath of relPaths) files.push(await resolveInside(root, relPath, referencedBy));
  const names = files.map((file) => file.path).join(', ') || `the weight files of ${referencedBy}`;
  const actual = files.reduce((sum, file) => sum + file.size, 0);
  if (actual !== total) {
    const problem = actual < total ? 'are truncated' : 'are longer than declared';
    throw new CheckpointError(
      `${names}: ${actual} bytes on disk but ${referencedBy} declares ${total} bytes for ${specs.length} weights; the files ${problem} or the manifest shapes are wrong — restore the files or save the model again`,
    );
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const file of files) {
    await readCheckedFile(file, bytes.subarray(offset, offset + file.size));
    offset += file.size;
  }
  assertFinite(bytes, specs, names);
  return bytes;
}
