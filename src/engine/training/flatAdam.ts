/**
 * Adam (Kingma & Ba 2015) with the arithmetic of tfjs' `tf.train.adam`, op for op, applied to all
 * variables at once as one flat vector. The stock optimiser runs about fourteen kernels per
 * variable per step, each converting its JavaScript constants to tensors: a conv VAE's sixteen
 * weight tensors cost ~230 kernel launches per batch for a few hundred thousand numbers. Flat, the
 * update is a fixed ~20 kernels plus two reshapes and one add per variable, with the same results.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from '../backend';

type Variable = tfTypes.Variable;

const BETA1 = 0.9;
const BETA2 = 0.999;

interface Moments {
  variables: Variable[];
  sizes: number[];
  first: Variable;
  second: Variable;
}

export class FlatAdam {
  private moments?: Moments;
  private readonly accBeta1: Variable;
  private readonly accBeta2: Variable;

  constructor(
    private readonly tf: Tf,
    private readonly learningRate: number,
  ) {
    this.accBeta1 = tf.tidy(() => tf.variable(tf.scalar(BETA1), false));
    this.accBeta2 = tf.tidy(() => tf.variable(tf.scalar(BETA2), false));
  }

  /** One update from `grads` (by variable name, as `tf.variableGrads` returns them); like tfjs, variables without a gradient are left alone. */
  apply(variables: readonly Variable[], grads: tfTypes.NamedTensorMap): void {
    const { tf } = this;
    const moments = this.momentsFor(variables.filter((variable) => grads[variable.name] !== undefined));
    tf.tidy(() => {
      // Made inside the step (as tfjs does) so a traced step holds them as graph constants; same float32 values.
      const c = {
        one: tf.scalar(1),
        beta1: tf.scalar(BETA1),
        oneMinusBeta1: tf.scalar(1 - BETA1),
        beta2: tf.scalar(BETA2),
        oneMinusBeta2: tf.scalar(1 - BETA2),
        epsilon: tf.scalar(tf.backend().epsilon()),
        negLearningRate: tf.scalar(-this.learningRate),
      };
      const gradient = tf.concat(moments.variables.map((variable) => tf.reshape(grads[variable.name]!, [-1])));
      const oneMinusAccBeta1 = tf.sub(c.one, this.accBeta1);
      const oneMinusAccBeta2 = tf.sub(c.one, this.accBeta2);
      const first = tf.add(tf.mul(moments.first, c.beta1), tf.mul(gradient, c.oneMinusBeta1));
      const second = tf.add(tf.mul(moments.second, c.beta2), tf.mul(tf.square(gradient), c.oneMinusBeta2));
      const correctedFirst = tf.div(first, oneMinusAccBeta1);
      const correctedSecond = tf.div(second, oneMinusAccBeta2);
      moments.first.assign(first);
      moments.second.assign(second);
      const update = tf.mul(tf.div(correctedFirst, tf.add(tf.sqrt(correctedSecond), c.epsilon)), c.negLearningRate);
      tf.split(update, moments.sizes).forEach((piece, i) => {
        const variable = moments.variables[i]!;
        variable.assign(tf.add(tf.reshape(piece, variable.shape), variable));
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, c.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, c.beta2));
    });
  }

  dispose(): void {
    this.tf.dispose([this.accBeta1, this.accBeta2]);
    if (this.moments) this.tf.dispose([this.moments.first, this.moments.second]);
  }

  /** The moment vectors are laid out on the first step; which variables get gradients is fixed by the model. */
  private momentsFor(variables: Variable[]): Moments {
    if (!this.moments) {
      const sizes = variables.map((variable) => variable.size);
      const total = sizes.reduce((sum, size) => sum + size, 0);
      const zeros = () => this.tf.tidy(() => this.tf.variable(this.tf.zeros([total]), false));
      this.moments = { variables, sizes, first: zeros(), second: zeros() };
    } else if (variables.length !== this.moments.variables.length || variables.some((variable, i) => variable !== this.moments!.variables[i])) {
      throw new Error(`the variables that receive gradients changed between steps (${variables.length} now, ${this.moments.variables.length} before); the flat Adam state cannot follow`);
    }
    return this.moments;
  }
}
