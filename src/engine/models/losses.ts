/** Loss pieces shared by the model kinds. All return per-sample values [n] unless named *Mean. */
import type { Tf } from '../backend';
import type { Tensor } from './modelKind';

export const reconstructionKinds = ['bce', 'mse'] as const;
export type Reconstruction = (typeof reconstructionKinds)[number];

/**
 * Per-sample reconstruction error summed over features. `bce` takes decoder logits: sigmoid
 * cross-entropy as softplus(l) − l·x, which equals the textbook stable max(l,0) − l·x + log(1+e^−|l|)
 * (softplus is computed stably) in three ops instead of seven, each a full pass per training batch;
 * `mse` takes the decoder output as is.
 */
export function reconstructionPerSample(tf: Tf, kind: Reconstruction, x: Tensor, decoderOutput: Tensor): Tensor {
  const flatX = x.reshape([x.shape[0]!, -1]);
  const flatOut = decoderOutput.reshape([x.shape[0]!, -1]);
  if (kind === 'mse') return tf.sum(tf.squaredDifference(flatOut, flatX), 1);
  return tf.sum(tf.sub(tf.softplus(flatOut), tf.mul(flatOut, flatX)), 1);
}

/** What users compare across kinds: mean squared error per element in the model's input range. */
export function mseMean(tf: Tf, x: Tensor, reconstruction: Tensor): Tensor {
  return tf.mean(tf.squaredDifference(x.reshape([x.shape[0]!, -1]), reconstruction.reshape([x.shape[0]!, -1])));
}

/** Maps decoder outputs into the data range: logits through a sigmoid for bce, identity for mse. */
export function outputTransform(tf: Tf, kind: Reconstruction, decoderOutput: Tensor): Tensor {
  return kind === 'bce' ? tf.sigmoid(decoderOutput) : decoderOutput;
}

/** KL(q(z|x) ‖ N(0, I)) per latent dimension, [n, d]. */
export function gaussianKlPerDim(tf: Tf, mean: Tensor, logVar: Tensor): Tensor {
  return tf.mul(-0.5, tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar)));
}

/**
 * Applies `fn` as one opaque op with a zero gradient. Ops inside a custom gradient are not taped,
 * so `fn` may use kernels that have no gradient (TopK) on a path to trainable weights.
 */
export function withoutGradient(tf: Tf, x: Tensor, fn: (input: Tensor) => Tensor): Tensor {
  return tf.customGrad((...inputs) => {
    const input = inputs[0] as Tensor;
    // The input must be saved to be alive when the gradient runs.
    (inputs[1] as (tensors: Tensor[]) => void)([input]);
    return { value: fn(input), gradFunc: (_dy: Tensor, saved: Tensor[]) => tf.zerosLike(saved[0]!) };
  })(x);
}

/** Identity forward, zero gradient backward: tfjs has no stop_gradient op. */
export function stopGradient(tf: Tf, x: Tensor): Tensor {
  return withoutGradient(tf, x, (input) => input.clone());
}
