/**
 * tfjs layers models (model.json + shards, e.g. Keras .h5 through tensorflowjs_converter): separate
 * encoder and decoder files, or one whole autoencoder cut at its bottleneck layer. Files are read
 * with the checkpoint loader's confinement (weights inside the model's folder, sizes checked first).
 */
import * as path from 'node:path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { ForeignModelSpec, LayerInfo } from '../../shared/foreignModel';
import type { Tf } from '../backend';
import { buildLayersModel } from '../checkpoint/buildModel';
import { describeModelJson } from '../checkpoint/describe';
import { CheckpointError } from '../checkpoint/errors';
import { readModelFolder } from '../checkpoint/folderIO';
import { describeShape, knownSize, type DeclaredShape, type LoadedForeignModel } from './foreignModel';
import { cutAtLayer } from './layerCut';

type TfjsSpec = Extract<ForeignModelSpec, { format: 'tfjs-layers' }>;

async function readLayersModel(tf: Tf, modelJson: string): Promise<LayersModel> {
  const file = path.resolve(modelJson);
  return buildLayersModel(tf, await readModelFolder(path.dirname(file), path.basename(file)), file);
}

/** Every layer with its output shape (batch dimension dropped), for a bottleneck picker. */
export async function listLayers(tf: Tf, modelJson: string): Promise<LayerInfo[]> {
  const { layers } = await describeModelJson(tf, modelJson);
  return layers.map(({ name, className, outputShape }) => ({
    name,
    className,
    outputShape: outputShape === null || Array.isArray(outputShape[0]) ? null : (outputShape as DeclaredShape).slice(1),
  }));
}

export async function loadTfjsLayers(tf: Tf, spec: TfjsSpec): Promise<LoadedForeignModel> {
  if (spec.latentLayer !== undefined && spec.decoder !== undefined) {
    throw new CheckpointError(`${spec.model}: give either a latent layer (a whole autoencoder) or a separate decoder, not both`);
  }
  const owned: LayersModel[] = [await readLayersModel(tf, spec.model)];
  try {
    const parts = spec.latentLayer === undefined ? await separateParts(tf, spec, owned) : cutAtLayer(tf, owned[0]!, spec.latentLayer, spec.model);
    // The cut decoder re-applied shared layers, which counts them again: disposing it releases that count.
    if (parts.decoder && !owned.includes(parts.decoder)) owned.push(parts.decoder);
    return wrap(tf, parts.encoder, spec, parts.decoder, parts.noDecoderReason, () => owned.forEach((model) => model.dispose()));
  } catch (error) {
    owned.forEach((model) => model.dispose());
    throw error;
  }
}

async function separateParts(tf: Tf, spec: TfjsSpec, owned: LayersModel[]): Promise<{ encoder: LayersModel; decoder?: LayersModel; noDecoderReason?: string }> {
  if (spec.decoder === undefined) return { encoder: owned[0]!, noDecoderReason: 'no decoder was given with this encoder, so it can only encode' };
  const decoder = await readLayersModel(tf, spec.decoder);
  owned.push(decoder);
  return { encoder: owned[0]!, decoder };
}

function wrap(tf: Tf, encoder: LayersModel, spec: TfjsSpec, decoder: LayersModel | undefined, noDecoderReason: string | undefined, dispose: () => void): LoadedForeignModel {
  if (encoder.inputs.length !== 1) throw new CheckpointError(`${spec.model}: the encoder has ${encoder.inputs.length} inputs; only single-input encoders are supported`);
  const outputIndex = outputIndexOf(encoder, spec);
  const latentShape = encoder.outputs[outputIndex]!.shape.slice(1);
  const latentDim = knownSize(latentShape);
  if (latentDim === undefined) throw new CheckpointError(`${spec.model}: the latent has shape ${describeShape(latentShape)}, with free sizes; export a model whose latent has a fixed size`);
  const run = async (model: LayersModel, x: Float32Array, shape: number[], pick: (out: Tensor | Tensor[]) => Tensor) => {
    const out = tf.tidy(() => pick(model.predict(tf.tensor(x, shape)) as Tensor | Tensor[]).clone());
    try {
      return { values: (await out.data()) as Float32Array, shape: out.shape };
    } finally {
      out.dispose();
    }
  };
  return {
    inputShape: encoder.inputs[0]!.shape.slice(1),
    latentDim,
    encode: async (x, sampleShape, rows) => (await run(encoder, x, [rows, ...sampleShape], (out) => (Array.isArray(out) ? out[outputIndex]! : out))).values,
    ...(decoder
      ? {
          decode: async (z: Float32Array, rows: number) => {
            const { values, shape } = await run(decoder, z, [rows, ...(latentShape as number[])], (out) => (Array.isArray(out) ? out[0]! : out));
            return { values, sampleShape: shape.slice(1) };
          },
        }
      : { noDecoderReason: noDecoderReason ?? 'the model cannot decode' }),
    dispose,
  };
}

function outputIndexOf(encoder: LayersModel, spec: TfjsSpec): number {
  if (spec.encoderOutput === undefined) return 0;
  const names = encoder.outputs.map((output) => output.sourceLayer.name);
  const index = names.indexOf(spec.encoderOutput);
  if (index === -1) throw new CheckpointError(`${spec.model}: the encoder has no output ${JSON.stringify(spec.encoderOutput)}; its outputs are ${names.join(', ')}`);
  return index;
}
