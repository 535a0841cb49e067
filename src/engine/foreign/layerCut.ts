/**
 * Splits a whole Keras/tfjs autoencoder at its bottleneck layer: the encoder is the graph up to that
 * layer; the decoder re-applies the layers after it to a new input of the bottleneck's shape, so it
 * shares their weights. A graph whose output also reads tensors from before the bottleneck (a skip
 * connection) cannot decode from the latent alone and is cut encode-only, with the reason.
 */
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { CheckpointError } from '../checkpoint/errors';

export interface CutModel {
  encoder: LayersModel;
  decoder?: LayersModel;
  noDecoderReason?: string;
}

type Layer = LayersModel['layers'][number];

export function cutAtLayer(tf: Tf, model: LayersModel, layerName: string, file: string): CutModel {
  const layer = model.layers.find((candidate) => candidate.name === layerName);
  if (!layer) {
    const names = model.layers.map((candidate) => candidate.name).join(', ');
    throw new CheckpointError(`${file} has no layer ${JSON.stringify(layerName)}; its layers are ${names} — pass the bottleneck's name as the latent layer`);
  }
  if (layer.getClassName() === 'InputLayer') throw new CheckpointError(`${file}: ${JSON.stringify(layerName)} is the input layer, not a bottleneck — pass the layer whose output is the latent`);
  if (layer.inboundNodes.length !== 1 || Array.isArray(layer.output)) {
    throw new CheckpointError(`${file}: layer ${JSON.stringify(layerName)} has several outputs or is used more than once, so it has no single latent — pick a layer with one output`);
  }
  const latent = layer.output;
  if (model.outputs.length !== 1) return { encoder: encoderOf(tf, model, latent), noDecoderReason: `${file} has ${model.outputs.length} outputs; only a single-output model can be cut into a decoder` };
  const output = model.outputs[0]!;
  const reason = latent === output ? `${JSON.stringify(layerName)} is the model's output, so there is nothing after it to decode with` : blockerOf(output, latent, layerName);
  if (reason) return { encoder: encoderOf(tf, model, latent), noDecoderReason: reason };
  return { encoder: encoderOf(tf, model, latent), decoder: decoderAfter(tf, output, latent) };
}

function encoderOf(tf: Tf, model: LayersModel, latent: SymbolicTensor): LayersModel {
  return tf.model({ inputs: model.inputs, outputs: latent });
}

function inputsOf(tensor: SymbolicTensor): SymbolicTensor[] {
  const layer = tensor.sourceLayer as Layer;
  // An input layer's node lists its own output as its input.
  if (layer.getClassName() === 'InputLayer') return [];
  return layer.inboundNodes[tensor.nodeIndex]?.inputTensors ?? [];
}

/** Why the output cannot be computed from `latent` alone, or undefined when it can. */
function blockerOf(output: SymbolicTensor, latent: SymbolicTensor, layerName: string): string | undefined {
  const reaches = new Map<SymbolicTensor, boolean>();
  const dependsOnLatent = (tensor: SymbolicTensor): boolean => {
    if (tensor === latent) return true;
    let known = reaches.get(tensor);
    if (known === undefined) {
      known = inputsOf(tensor).some(dependsOnLatent);
      reaches.set(tensor, known);
    }
    return known;
  };
  if (!dependsOnLatent(output)) return `the model's output does not depend on ${JSON.stringify(layerName)} (it is a side branch), so it cannot decode from it`;
  const visited = new Set<SymbolicTensor>();
  const find = (tensor: SymbolicTensor): string | undefined => {
    if (tensor === latent || visited.has(tensor)) return undefined;
    visited.add(tensor);
    for (const input of inputsOf(tensor)) {
      if (!dependsOnLatent(input)) {
        return `the layers after ${JSON.stringify(layerName)} also read ${JSON.stringify(input.sourceLayer.name)}, which comes before it (a skip connection), so the latent alone cannot be decoded`;
      }
      const found = find(input);
      if (found) return found;
    }
    return undefined;
  };
  return find(output);
}

function decoderAfter(tf: Tf, output: SymbolicTensor, latent: SymbolicTensor): LayersModel {
  const start = tf.input({ shape: latent.shape.slice(1) as number[] });
  const rebuilt = new Map<SymbolicTensor, SymbolicTensor>([[latent, start]]);
  const rebuild = (tensor: SymbolicTensor): SymbolicTensor => {
    const done = rebuilt.get(tensor);
    if (done) return done;
    const inputs = inputsOf(tensor).map(rebuild);
    const applied = tensor.sourceLayer.apply(inputs.length === 1 ? inputs[0]! : inputs) as SymbolicTensor | SymbolicTensor[];
    const result = Array.isArray(applied) ? applied[tensor.tensorIndex]! : applied;
    rebuilt.set(tensor, result);
    return result;
  };
  return tf.model({ inputs: start, outputs: rebuild(output) });
}
