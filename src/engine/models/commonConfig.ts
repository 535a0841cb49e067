/** Config fields and helpers every kind shares. */
import type * as tfTypes from '@tensorflow/tfjs';
import { arr, num, oneOf } from '../../shared/schema';
import type { Tf } from '../backend';
import { nextTurn } from '../eventLoop';
import { activations } from './layers';
import type { ModelParts } from './modelKind';
import { reconstructionKinds } from './losses';

export const commonFields = {
  latentDim: num({ integer: true, min: 1, max: 4096 }),
  learningRate: num({ min: 1e-7, max: 1 }),
  /** Seeds the initialisers and the noise (reparameterisation, corruption), so runs repeat. */
  seed: num({ integer: true, min: 0, max: 2 ** 31 - 1 }),
};

export const denseFields = {
  hidden: arr(num({ integer: true, min: 1, max: 16384 }), { maxLength: 8 }),
  activation: oneOf(activations),
  reconstruction: oneOf(reconstructionKinds),
};

export const convFields = {
  filters: arr(num({ integer: true, min: 1, max: 1024 }), { maxLength: 5 }),
  kernelSize: num({ integer: true, min: 1, max: 9 }),
};

export function layerVariables(model: tfTypes.LayersModel): tfTypes.Variable[] {
  // LayerVariable.read() hands back the underlying tf.Variable the optimiser needs.
  return model.trainableWeights.map((weight) => weight.read() as tfTypes.Variable);
}

export function partsVariables(parts: ModelParts): tfTypes.Variable[] {
  return [...layerVariables(parts.encoder), ...layerVariables(parts.decoder), ...Object.values(parts.extraVariables)];
}

/** A per-step seed for noise ops: different every step, identical across runs with the same seed. */
export function stepSeed(seed: number, step: number, stream: number): number {
  return (seed * 1_000_003 + step * 31 + stream) % 2 ** 31;
}

/** tfjs takes a seed of 0 for none (a fresh random one); requests' seeds run 0 to 2³¹ − 1, so 2³¹ stands in for 0. */
export function drawSeed(seed: number): number {
  return seed === 0 ? 2 ** 31 : seed;
}

/** A tensor's values, freeing the tensor: for results that leave the engine as typed arrays. */
export async function takeData<T extends Float32Array | Int32Array = Float32Array>(tensor: tfTypes.Tensor): Promise<T> {
  try {
    return (await tensor.data()) as T;
  } finally {
    tensor.dispose();
  }
}

/** Rows encoded per piece of a diagnostic pass: a forward pass over four default batches holds the loop less than one training step. */
const DIAGNOSTIC_ROWS = 512;

/**
 * The column sums `sums(rows)` gives for each piece of `x`'s rows, added up over all of them in
 * float64: a diagnostic pass over thousands of samples takes a turn of the event loop between
 * pieces (a cancel, an explorer request are read meanwhile) and still yields whole-batch sums.
 */
export async function sumOverRows(tf: Tf, x: tfTypes.Tensor, sums: (rows: tfTypes.Tensor) => tfTypes.Tensor): Promise<Float64Array> {
  const count = x.shape[0]!;
  let total = new Float64Array(0);
  for (let start = 0; start < count; start += DIAGNOSTIC_ROWS) {
    if (start > 0) await nextTurn('diagnostics');
    const piece = await takeData(tf.tidy(() => sums(x.slice(start, Math.min(DIAGNOSTIC_ROWS, count - start)))));
    if (start === 0) total = new Float64Array(piece.length);
    for (let i = 0; i < piece.length; i++) total[i]! += piece[i]!;
  }
  return total;
}

/** The one model output as a tensor (LayersModel.apply is typed for many outputs). */
export function applyOne(model: tfTypes.LayersModel, x: tfTypes.Tensor): tfTypes.Tensor {
  return model.apply(x) as tfTypes.Tensor;
}
