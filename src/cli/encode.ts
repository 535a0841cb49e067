import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Backend } from '../engine/backend';
import { DataError } from '../engine/data/dataset';
import { openSampleRows } from '../engine/data/loadDataset';
import { encodeNpy } from '../engine/data/readers/npy';
import type { SampleRows } from '../engine/data/sampleRows';
import { encodeRowsWithForeign } from '../engine/foreign/encodeForeign';
import { findModel } from '../engine/foreign/findModel';
import { openForeignModel } from '../engine/foreign/openForeign';
import { encodeDataset } from '../engine/models/encodeAll';
import { openCheckpoint } from '../engine/models/openCheckpoint';
import { type ParsedArgs, intFlag, stringFlag, UsageError } from './args';
import { type CliCommand, table } from './command';
import { foreignFlagNames, foreignSpecFromFlags, foreignUsage } from './foreignFlags';

/**
 * What encodes the dataset: a Latent Lab checkpoint or a model made elsewhere. The rows are read in
 * batches (from the file where it lies, for .npy and IDX), so a dataset larger than memory encodes.
 */
interface Encoder {
  kind: string;
  latentDim: number;
  /** Opens the data in the normalisation the model reads. */
  open(data: string, limit: number | undefined, signal: AbortSignal): Promise<SampleRows>;
  encode(rows: SampleRows, signal: AbortSignal): Promise<Float32Array>;
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
    let rows: SampleRows | undefined;
    let chosen: Encoder | undefined;
    try {
      rows = await (encoder ?? dataOnly).open(data, limit, signal);
      chosen = encoder ?? (await foreignEncoder(backend, args, model!, rows.shape));
      const latents = await chosen.encode(rows, signal);
      const target = path.resolve(out);
      await fs.writeFile(target, encodeNpy(latents, [rows.count, chosen.latentDim]));
      const result = { latents: target, count: rows.count, latentDim: chosen.latentDim, kind: chosen.kind };
      return { result, human: table([['latents', target], ['shape', `${rows.count} × ${chosen.latentDim}`], ['model', chosen.kind]]) };
    } finally {
      (chosen ?? encoder)?.dispose();
      await rows?.close();
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
      open: async (data, limit, signal) => {
        const rows = await openSampleRows(data, { limit, signal, normalization: meta.normalization });
        if (rows.shape.join('×') !== meta.inputShape.join('×')) {
          await rows.close();
          throw new DataError(`${rows.source}: samples have shape ${rows.shape.join('×')} but the model expects ${meta.inputShape.join('×')} — encode data like the training data`);
        }
        return rows;
      },
      encode: async (rows, signal) => (await encodeDataset(tf, model, rows, { k, signal })).latents,
      dispose: () => model.dispose(),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** A model made elsewhere reads the data as it is stored; it is opened once the data's shape is known. */
const dataOnly: Pick<Encoder, 'open'> = { open: (data, limit, signal) => openSampleRows(data, { limit, signal }) };

async function foreignEncoder(backend: Backend, args: ParsedArgs, model: string, dataShape: readonly number[]): Promise<Encoder> {
  if (args.flags.has('k')) throw new UsageError('--k applies to Latent Lab checkpoints whose number of active units can change (k-sparse), not to models made elsewhere');
  const spec = foreignSpecFromFlags(args, await modelFile(model));
  const codec = await openForeignModel(backend, spec, dataShape);
  return {
    kind: spec.format,
    latentDim: codec.latentDim,
    open: dataOnly.open,
    encode: async (rows, signal) => (await encodeRowsWithForeign(codec, rows, { signal })).latents,
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
