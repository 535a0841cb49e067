/**
 * TF SavedModels through tfjs-node's native TensorFlow (the fallback backends cannot run them): one
 * signature encodes, another of the same folder may decode. TensorFlow reads the folder itself, so
 * we check first that the files it will open are inside it and are not links elsewhere; the graph's
 * own ops then run as TensorFlow runs them, which is why only trusted workspaces may open one.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { NamedTensorMap, Tensor } from '@tensorflow/tfjs';
import type * as TfNode from '@tensorflow/tfjs-node';
import type { ForeignModelSpec, SignatureInfo } from '../../shared/foreignModel';
import type { Backend } from '../backend';
import { realFolder, resolveInside } from '../checkpoint/confinedFs';
import { CheckpointError, firstLine } from '../checkpoint/errors';
import { describeShape, knownSize, type DeclaredShape, type LoadedForeignModel, type TensorSummary } from './foreignModel';

type SavedModelSpec = Extract<ForeignModelSpec, { format: 'savedmodel' }>;
type NodeApi = typeof TfNode.node;
type TFSavedModel = Awaited<ReturnType<NodeApi['loadSavedModel']>>;
type SignatureEntry = Awaited<ReturnType<NodeApi['getMetaGraphsFromSavedModel']>>[number]['signatureDefs'][string];
type TensorInfo = SignatureEntry['inputs'][string];

const DEFAULT_TAGS = ['serve'];
const DEFAULT_SIGNATURE = 'serving_default';

function nodeApi(backend: Backend): NodeApi {
  const api = (backend.tf as unknown as { node?: NodeApi }).node;
  if (!backend.native || !api) {
    throw new CheckpointError(`TF SavedModels need the native TensorFlow backend, but the engine runs on ${backend.name} (${backend.fallbackReason ?? 'tfjs-node is not loaded'}); set it up with \`latent-lab setup-native\` (in VS Code: Latent Lab: Set Up Native Backend), or convert the model with tensorflowjs_converter`);
  }
  return api;
}

async function checkedFolder(folder: string): Promise<string> {
  const root = await realFolder(folder);
  await resolveInside(root, 'saved_model.pb', folder).catch((error: unknown) => {
    throw new CheckpointError(`${folder} is not a SavedModel folder (${firstLine(error)}); pick the folder that holds saved_model.pb, a model.json or an .onnx file`);
  });
  // A link from variables/ to elsewhere would make TensorFlow read a file outside the folder.
  const variables = await fs.readdir(path.join(root, 'variables')).catch(() => []);
  for (const file of variables) await resolveInside(root, `variables/${file}`, folder);
  return root;
}

export interface SavedModelGraph {
  tags: string[];
  signatures: { key: string; inputs: TensorSummary[]; outputs: TensorSummary[] }[];
}

/** Tags and signatures with their inputs and outputs (keyed by name, with shapes and dtypes), for `inspect`. */
export async function describeSavedModel(backend: Backend, folder: string): Promise<SavedModelGraph[]> {
  const api = nodeApi(backend);
  const graphs = await api.getMetaGraphsFromSavedModel(await checkedFolder(folder));
  const tensors = (infos: Record<string, TensorInfo>) => Object.entries(infos).map(([name, info]) => ({ name, shape: fullShape(info), dtype: info.dtype }));
  return graphs.map((graph) => ({
    tags: graph.tags,
    signatures: Object.entries(graph.signatureDefs).map(([key, entry]) => ({ key, inputs: tensors(entry.inputs), outputs: tensors(entry.outputs) })),
  }));
}

/** Tags and signatures with their input and output keys, for a signature picker. */
export async function listSignatures(backend: Backend, folder: string): Promise<{ tags: string[]; signatures: SignatureInfo[] }[]> {
  const names = (tensors: TensorSummary[]) => tensors.map((tensor) => tensor.name);
  return (await describeSavedModel(backend, folder)).map(({ tags, signatures }) => ({
    tags,
    signatures: signatures.map(({ key, inputs, outputs }) => ({ key, inputs: names(inputs), outputs: names(outputs) })),
  }));
}

/** Batch axis first. tfjs-node hands dimensions over as numbers or as protobuf Dim messages, depending on its protobuf version. */
function fullShape(info: { shape?: unknown[] }): DeclaredShape {
  return (info.shape ?? []).map((dim) => {
    const size = typeof dim === 'number' ? dim : (dim as { getSize?: () => number }).getSize?.();
    return typeof size === 'number' && size > 0 ? size : null;
  });
}

function declaredShape(info: { shape?: unknown[] }): DeclaredShape {
  return fullShape(info).slice(1);
}

interface SignaturePart {
  model: TFSavedModel;
  key: string;
  input: string;
  output: string;
}

async function openSignature(api: NodeApi, root: string, spec: SavedModelSpec, entries: Record<string, SignatureEntry>, key: string, output: string | undefined): Promise<SignaturePart & { entry: SignatureEntry }> {
  const entry = entries[key];
  if (!entry) throw new CheckpointError(`${spec.model} has no signature ${JSON.stringify(key)} under tags ${(spec.tags ?? DEFAULT_TAGS).join(',')}; its signatures are ${Object.keys(entries).join(', ')}`);
  const inputs = Object.keys(entry.inputs);
  const outputs = Object.keys(entry.outputs).sort();
  if (inputs.length !== 1) throw new CheckpointError(`${spec.model}: signature ${JSON.stringify(key)} takes ${inputs.length} inputs (${inputs.join(', ')}); only single-input signatures are supported`);
  const chosen = output ?? outputs[0]!;
  if (!outputs.includes(chosen)) throw new CheckpointError(`${spec.model}: signature ${JSON.stringify(key)} has no output ${JSON.stringify(chosen)}; its outputs are ${outputs.join(', ')}`);
  const model = await api.loadSavedModel(root, spec.tags ?? DEFAULT_TAGS, key);
  return { model, key, input: inputs[0]!, output: chosen, entry };
}

export async function loadSavedModel(backend: Backend, spec: SavedModelSpec): Promise<LoadedForeignModel> {
  const { tf } = backend;
  const api = nodeApi(backend);
  const root = await checkedFolder(spec.model);
  const tags = spec.tags ?? DEFAULT_TAGS;
  const graphs = await api.getMetaGraphsFromSavedModel(root);
  const graph = graphs.find((candidate) => candidate.tags.length === tags.length && tags.every((tag) => candidate.tags.includes(tag)));
  if (!graph) throw new CheckpointError(`${spec.model} has no MetaGraph tagged ${tags.join(',')}; its tag sets are ${graphs.map((candidate) => candidate.tags.join(',')).join(' | ')}`);
  const encoder = await openSignature(api, root, spec, graph.signatureDefs, spec.signature ?? DEFAULT_SIGNATURE, spec.encoderOutput);
  let decoder: (SignaturePart & { entry: SignatureEntry }) | undefined;
  try {
    const latentShape = declaredShape(encoder.entry.outputs[encoder.output]!);
    const latentDim = knownSize(latentShape);
    if (latentDim === undefined) throw new CheckpointError(`${spec.model}: output ${JSON.stringify(encoder.output)} of ${JSON.stringify(encoder.key)} has shape ${describeShape(latentShape)}, with free sizes; export a signature with a fixed latent size`);
    if (spec.decoderSignature !== undefined) decoder = await openSignature(api, root, spec, graph.signatureDefs, spec.decoderSignature, undefined);
    const run = async (part: SignaturePart, values: Float32Array, shape: number[]) => {
      const out = tf.tidy(() => {
        const result = part.model.predict({ [part.input]: tf.tensor(values, shape) }) as Tensor | NamedTensorMap;
        return (result instanceof tf.Tensor ? result : result[part.output]!).clone();
      });
      try {
        return { values: (await out.data()) as Float32Array, shape: out.shape };
      } finally {
        out.dispose();
      }
    };
    return {
      inputShape: declaredShape(encoder.entry.inputs[encoder.input]!),
      latentDim,
      encode: async (x, sampleShape, rows) => (await run(encoder, x, [rows, ...sampleShape])).values,
      ...(decoder
        ? {
            decode: async (z: Float32Array, rows: number) => {
              const { values, shape } = await run(decoder!, z, [rows, latentDim]);
              return { values, sampleShape: shape.slice(1) };
            },
          }
        : { noDecoderReason: `no decoder signature was named for ${spec.model}, so it can only encode` }),
      dispose: () => {
        encoder.model.dispose();
        decoder?.model.dispose();
      },
    };
  } catch (error) {
    encoder.model.dispose();
    decoder?.model.dispose();
    throw error;
  }
}
