/**
 * Opens a foreign model for data of a given sample shape: the format's loader, then the adapter
 * that maps the data's layout and range to the model's, so callers see a model that takes and
 * returns samples exactly as Latent Lab's readers give them.
 */
import type { ForeignModelSpec } from '../../shared/foreignModel';
import type { Backend } from '../backend';
import { CheckpointError, firstLine } from '../checkpoint/errors';
import { DataError, sampleSize } from '../data/dataset';
import { inputAdapter } from './adapt';
import { describeShape, type LoadedForeignModel } from './foreignModel';
import { loadOnnx } from './onnx';
import { loadSavedModel } from './savedModel';
import { loadTfjsLayers } from './tfjsLayers';

export interface ForeignCodec {
  latentDim: number;
  /** The data's per-sample shape, which decode returns too. */
  sampleShape: number[];
  /** Rows of samples in the data's layout → latent rows [rows, latentDim]. */
  encode(x: Float32Array, rows: number): Promise<Float32Array>;
  decode?(z: Float32Array, rows: number): Promise<Float32Array>;
  noDecoderReason?: string;
  dispose(): void;
}

export function loadForeignModel(backend: Backend, spec: ForeignModelSpec): Promise<LoadedForeignModel> {
  if (spec.format === 'tfjs-layers') return loadTfjsLayers(backend.tf, spec);
  if (spec.format === 'onnx') return loadOnnx(spec);
  return loadSavedModel(backend, spec);
}

export async function openForeignModel(backend: Backend, spec: ForeignModelSpec, dataShape: readonly number[]): Promise<ForeignCodec> {
  const model = await loadForeignModel(backend, spec);
  try {
    const adapter = inputAdapter(dataShape, model.inputShape, spec.input ?? {}, spec.model);
    const size = sampleSize(dataShape);
    const failed = (what: string, error: unknown) =>
      error instanceof CheckpointError || error instanceof DataError ? error : new CheckpointError(`${spec.model}: ${what} failed (${firstLine(error)}); check that the data fits the model`);
    const decode = model.decode;
    return {
      latentDim: model.latentDim,
      sampleShape: [...dataShape],
      encode: async (x, rows) => {
        const latents = await model.encode(adapter.toModel(x, rows), adapter.modelShape, rows).catch((error: unknown) => Promise.reject(failed('encoding', error)));
        if (latents.length !== rows * model.latentDim) throw new CheckpointError(`${spec.model}: the encoder gave ${latents.length / rows} values per sample where it declares ${model.latentDim}; export it with a fixed latent size`);
        return latents;
      },
      ...(decode
        ? {
            decode: async (z: Float32Array, rows: number) => {
              const { values, sampleShape } = await decode(z, rows).catch((error: unknown) => Promise.reject(failed('decoding', error)));
              if (values.length !== rows * size) {
                throw new DataError(`${spec.model}: the decoder gives samples of shape ${describeShape(sampleShape)} but the data's are ${describeShape([...dataShape])}; pick the decoder that matches the encoder and the data`);
              }
              return adapter.fromModel(values, rows);
            },
          }
        : { noDecoderReason: model.noDecoderReason ?? 'the model cannot decode' }),
      dispose: () => model.dispose(),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
