import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Backend } from '../engine/backend';
import { type Dataset, DataError } from '../engine/data/dataset';
import { loadDataset } from '../engine/data/loadDataset';
import { encodeNpy } from '../engine/data/readers/npy';
import { renormalize } from '../engine/data/renormalize';
import { encodeWithForeign } from '../engine/foreign/encodeForeign';
import { findModel } from '../engine/foreign/findModel';
import { openForeignModel } from '../engine/foreign/openForeign';
import { encodeAll } from '../engine/models/encodeAll';
import { openCheckpoint } from '../engine/models/openCheckpoint';
import { type ParsedArgs, intFlag, stringFlag, UsageError } from './args';
import { type CliCommand, table } from './command';
import { foreignFlagNames, foreignSpecFromFlags, foreignUsage } from './foreignFlags';

/** What encodes the dataset: a Latent Lab checkpoint or a model made elsewhere. */
interface Encoder {
  kind: string;
  latentDim: number;
  encode(dataset: Dataset, signal: AbortSignal): Promise<Float32Array>;
  dispose(): void;
}

export const encodeCommand: CliCommand = {
  summary: 'encode a dataset with a checkpoint or a model made elsewhere and write the latents as .npy',
  usage: `encode (--checkpoint DIR [--k N] | ${foreignUsage}) --data <sample|path> --out latents.npy [--limit N] [--json]`,
  values: ['checkpoint', 'data', 'out', 'limit', 'k', ...foreignFlagNames],
  async run({ args, backend, signal }) {
    const checkpoint = stringFlag(args, 'checkpoint');
    const model = stringFlag(args, 'model');
    const data = stringFlag(args, 'data');
    const out = stringFlag(args, 'out');
    if (!checkpoint === !model || !data || !out) throw new UsageError('encode needs --checkpoint DIR or --model PATH (one of them), --data PATH and --out FILE.npy');
    const limit = args.flags.has('limit') ? intFlag(args, 'limit', 0) : undefined;
    // A checkpoint is checked before the data is read; a foreign model needs the data's shape to open.
    const encoder = checkpoint ? await checkpointEncoder(backend, args, checkpoint) : undefined;
    let dataset: Dataset;
    let chosen: Encoder;
    try {
      dataset = await loadDataset(data, { limit, signal });
      chosen = encoder ?? (await foreignEncoder(backend, args, model!, dataset.shape));
    } catch (error) {
      encoder?.dispose();
      throw error;
    }
    try {
      const latents = await chosen.encode(dataset, signal);
      const target = path.resolve(out);
      await fs.writeFile(target, encodeNpy(latents, [dataset.count, chosen.latentDim]));
      const result = { latents: target, count: dataset.count, latentDim: chosen.latentDim, kind: chosen.kind };
      return { result, human: table([['latents', target], ['shape', `${dataset.count} × ${chosen.latentDim}`], ['model', chosen.kind]]) };
    } finally {
      chosen.dispose();
    }
  },
};

async function checkpointEncoder(backend: Backend, args: ParsedArgs, checkpoint: string): Promise<Encoder> {
  const { tf } = backend;
  const { model, meta, descriptor } = await openCheckpoint(tf, checkpoint);
  try {
    const k = args.flags.has('k') ? intFlag(args, 'k', 0, 1, model.latentDim) : undefined;
    if (k !== undefined && !descriptor.capabilities.adjustableK) throw new UsageError(`--k applies to models whose number of active units can change (k-sparse), not to ${meta.kind} models`);
    return {
      kind: meta.kind,
      latentDim: model.latentDim,
      encode: (dataset, signal) => {
        if (dataset.shape.join('×') !== meta.inputShape.join('×')) {
          throw new DataError(`${dataset.source}: samples have shape ${dataset.shape.join('×')} but the model expects ${meta.inputShape.join('×')} — encode data like the training data`);
        }
        return encodeAll(tf, model, renormalize(dataset, meta.normalization), dataset.shape, { k, signal });
      },
      dispose: () => model.dispose(),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function foreignEncoder(backend: Backend, args: ParsedArgs, model: string, dataShape: readonly number[]): Promise<Encoder> {
  if (args.flags.has('k')) throw new UsageError('--k applies to Latent Lab checkpoints whose number of active units can change (k-sparse), not to models made elsewhere');
  const spec = foreignSpecFromFlags(args, await modelFile(model));
  const codec = await openForeignModel(backend, spec, dataShape);
  return {
    kind: spec.format,
    latentDim: codec.latentDim,
    encode: async (dataset, signal) => (await encodeWithForeign(codec, dataset.x, dataset.count, { signal })).latents,
    dispose: () => codec.dispose(),
  };
}

/** `--model` may name a model folder too: the file in it that the format's loader opens. */
async function modelFile(model: string): Promise<string> {
  const location = await findModel(model);
  if (!location) return model;
  if (location.format === 'checkpoint') throw new UsageError(`${model} is a Latent Lab checkpoint: encode it with --checkpoint ${model}`);
  if (location.format === 'tfjs-layers') return location.modelJson;
  if (location.format === 'savedmodel') return location.folder;
  if (location.files.length > 1) throw new UsageError(`${model} holds several .onnx files (${location.files.map((file) => path.basename(file)).join(', ')}); name the encoder's file with --model`);
  return location.files[0]!;
}
