/** Summaries for the CLI `inspect` command: full validation by loading, then nothing kept in memory. */
import * as path from 'node:path';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import type { TensorSummary } from '../foreign/foreignModel';
import { buildLayersModel } from './buildModel';
import { disposeModelParts } from '../models/modelKind';
import { loadCheckpoint } from './checkpoint';
import { readModelFolder } from './folderIO';

type LayerShape = (number | null)[];

export interface LayerSummary {
  name: string;
  className: string;
  /** null for a layer shared between several calls, which has no single output shape. */
  outputShape: LayerShape | LayerShape[] | null;
}

export interface CheckpointDescription {
  kind: string;
  inputShape: number[];
  latentDim: number;
  epoch: number;
  layers: { encoder: LayerSummary[]; decoder: LayerSummary[] };
  /** Encoder, decoder and extra variables together. */
  params: number;
  metrics: Record<string, number>;
  labelNames?: string[];
}

export interface ModelJsonSummary {
  generatedBy?: string;
  convertedBy?: string | null;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  layers: LayerSummary[];
  params: number;
}

export async function describeCheckpoint(tf: Tf, location: string): Promise<CheckpointDescription> {
  const { meta, parts } = await loadCheckpoint(tf, location);
  try {
    const extraParams = Object.values(parts.extraVariables).reduce((sum, variable) => sum + variable.size, 0);
    return {
      kind: meta.kind,
      inputShape: meta.inputShape,
      latentDim: meta.latentDim,
      epoch: meta.epoch,
      layers: { encoder: summarizeLayers(parts.encoder), decoder: summarizeLayers(parts.decoder) },
      params: parts.encoder.countParams() + parts.decoder.countParams() + extraParams,
      metrics: meta.metrics,
      ...(meta.labelNames === undefined ? {} : { labelNames: meta.labelNames }),
    };
  } finally {
    disposeModelParts(parts);
  }
}

/** A bare model.json (tfjs or tensorflowjs converter output), with the same confinement as checkpoints. */
export async function describeModelJson(tf: Tf, modelJsonPath: string): Promise<ModelJsonSummary> {
  const file = path.resolve(modelJsonPath);
  const artifacts = await readModelFolder(path.dirname(file), path.basename(file));
  const model = await buildLayersModel(tf, artifacts, file);
  try {
    return {
      ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
      ...(artifacts.convertedBy === undefined ? {} : { convertedBy: artifacts.convertedBy }),
      inputs: model.inputs.map(tensorSummary),
      outputs: model.outputs.map(tensorSummary),
      layers: summarizeLayers(model),
      params: model.countParams(),
    };
  } finally {
    model.dispose();
  }
}

/** Named by its layer, as Keras names a model's inputs and outputs. */
function tensorSummary(tensor: SymbolicTensor): TensorSummary {
  return { name: tensor.sourceLayer.name, shape: tensor.shape, dtype: tensor.dtype };
}

function summarizeLayers(model: LayersModel): LayerSummary[] {
  return model.layers.map((layer) => ({ name: layer.name, className: layer.getClassName(), outputShape: outputShapeOf(layer) }));
}

function outputShapeOf(layer: LayersModel['layers'][number]): LayerSummary['outputShape'] {
  try {
    return layer.outputShape;
  } catch {
    // tfjs throws for a layer called on several inputs instead of picking one shape.
    return null;
  }
}
