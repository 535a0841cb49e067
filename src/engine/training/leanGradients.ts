/**
 * Gradients that replace tfjs' stock ones with the same values from fewer kernels. Training runs
 * every op eagerly, so each full-size intermediate costs a kernel launch and a buffer per batch.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from '../backend';

/**
 * The stock ReLU gradient multiplies by `step(x)`, which tfjs-node assembles from six full-size ops
 * (isNaN, greater, a ones tensor filled in JavaScript, fill, two selects) for every ReLU layer of
 * every batch. The factor, 1 where x > 0 and else 0, is the sign of the output relu(x) ≥ 0: one op.
 */
export function useLeanGradients(tf: Tf): void {
  tf.registerGradient({
    kernelName: 'Relu',
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tfTypes.Tensor, tf.sign(saved[0]!)) }),
  });
}
