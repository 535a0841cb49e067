/** Encoder and decoder stacks shared by the kinds, built from stock tfjs layers so they reload anywhere. */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { DataError, sampleSize } from '../data/dataset';

export const activations = ['relu', 'elu', 'tanh', 'sigmoid', 'linear'] as const;
export type Activation = (typeof activations)[number];

/** Seeded initialisers, one seed per layer, so a run with the same seed starts from the same weights. */
export class Initializers {
  private next: number;
  constructor(private readonly tf: Tf, seed: number) {
    this.next = seed * 7919 + 1;
  }
  kernel(): ReturnType<Tf['initializers']['glorotUniform']> {
    return this.tf.initializers.glorotUniform({ seed: this.next++ });
  }
}

export interface DenseStackOptions {
  name: string;
  inputShape: readonly number[];
  hidden: readonly number[];
  activation: Activation;
  /** Output heads: one dense layer of `units` each (two for a VAE encoder: mean and log-variance). */
  heads: { name: string; units: number; activation: Activation }[];
  init: Initializers;
  /** Reshape the last head to this shape (decoders restore the image shape). */
  outputShape?: readonly number[];
}

export function denseStack(tf: Tf, options: DenseStackOptions): tfTypes.LayersModel {
  const input = tf.input({ shape: [...options.inputShape], name: `${options.name}_input` });
  let h: tfTypes.SymbolicTensor = options.inputShape.length > 1 ? (tf.layers.flatten({ name: `${options.name}_flatten` }).apply(input) as tfTypes.SymbolicTensor) : input;
  options.hidden.forEach((units, index) => {
    h = tf.layers.dense({ units, activation: options.activation, kernelInitializer: options.init.kernel(), name: `${options.name}_dense${index}` }).apply(h) as tfTypes.SymbolicTensor;
  });
  const outputs = options.heads.map((head) => {
    let out = tf.layers.dense({ units: head.units, activation: head.activation, kernelInitializer: options.init.kernel(), name: `${options.name}_${head.name}` }).apply(h) as tfTypes.SymbolicTensor;
    if (options.outputShape && options.outputShape.length > 1) {
      out = tf.layers.reshape({ targetShape: [...options.outputShape], name: `${options.name}_reshape` }).apply(out) as tfTypes.SymbolicTensor;
    }
    return out;
  });
  return tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0]! : outputs, name: options.name });
}

/** Mirror of a dense encoder: code units through the hidden sizes in reverse to the input shape (linear output). */
export function denseDecoder(tf: Tf, codeUnits: number, inputShape: readonly number[], hidden: readonly number[], activation: Activation, init: Initializers): tfTypes.LayersModel {
  return denseStack(tf, {
    name: 'decoder',
    inputShape: [codeUnits],
    hidden: [...hidden].reverse(),
    activation,
    heads: [{ name: 'out', units: sampleSize(inputShape), activation: 'linear' }],
    init,
    outputShape: inputShape,
  });
}

export interface ConvOptions {
  filters: readonly number[];
  kernelSize: number;
  activation: Activation;
  init: Initializers;
}

/** Strided convolutions halve the image per filter stage; the sizes must divide evenly to mirror back. */
export function checkConvInput(inputShape: readonly number[], stages: number): [number, number, number] {
  const factor = 2 ** stages;
  if (inputShape.length !== 3) {
    throw new DataError(`conv models need image data of shape [height, width, channels]; this dataset has samples of shape [${inputShape.join(', ')}] — use a dense kind (ae, vae) instead`);
  }
  const [h, w, c] = inputShape as [number, number, number];
  if (h % factor !== 0 || w % factor !== 0) {
    throw new DataError(`conv models with ${stages} stride-2 stages need height and width divisible by ${factor}; got ${h}×${w} — resize the images or change the filters`);
  }
  return [h, w, c];
}

/** Conv encoder body: stride-2 convolutions, then flatten. Returns the symbolic features. */
export function convEncoderBody(tf: Tf, input: tfTypes.SymbolicTensor, name: string, options: ConvOptions): tfTypes.SymbolicTensor {
  let h = input;
  options.filters.forEach((filters, index) => {
    h = tf.layers.conv2d({ filters, kernelSize: options.kernelSize, strides: 2, padding: 'same', activation: options.activation, kernelInitializer: options.init.kernel(), name: `${name}_conv${index}` }).apply(h) as tfTypes.SymbolicTensor;
  });
  return tf.layers.flatten({ name: `${name}_flatten` }).apply(h) as tfTypes.SymbolicTensor;
}

/** Mirror of convEncoderBody: dense to the smallest feature map, stride-2 transposed convs, then a conv to the channels. */
export function convDecoder(tf: Tf, name: string, latentDim: number, inputShape: readonly number[], options: ConvOptions): tfTypes.LayersModel {
  const [h, w, c] = checkConvInput(inputShape, options.filters.length);
  const factor = 2 ** options.filters.length;
  const reversed = [...options.filters].reverse();
  const input = tf.input({ shape: [latentDim], name: `${name}_input` });
  const smallest = [h / factor, w / factor, reversed[0]!];
  let x = tf.layers.dense({ units: sampleSize(smallest), activation: options.activation, kernelInitializer: options.init.kernel(), name: `${name}_dense` }).apply(input) as tfTypes.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: smallest, name: `${name}_reshape` }).apply(x) as tfTypes.SymbolicTensor;
  reversed.forEach((filters, index) => {
    x = tf.layers.conv2dTranspose({ filters, kernelSize: options.kernelSize, strides: 2, padding: 'same', activation: options.activation, kernelInitializer: options.init.kernel(), name: `${name}_deconv${index}` }).apply(x) as tfTypes.SymbolicTensor;
  });
  const output = tf.layers.conv2d({ filters: c, kernelSize: options.kernelSize, padding: 'same', kernelInitializer: options.init.kernel(), name: `${name}_out` }).apply(x) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name });
}

export function convEncoder(tf: Tf, name: string, inputShape: readonly number[], options: ConvOptions, heads: { name: string; units: number }[]): tfTypes.LayersModel {
  checkConvInput(inputShape, options.filters.length);
  const input = tf.input({ shape: [...inputShape], name: `${name}_input` });
  const features = convEncoderBody(tf, input, name, options);
  const outputs = heads.map((head) => tf.layers.dense({ units: head.units, kernelInitializer: options.init.kernel(), name: `${name}_${head.name}` }).apply(features) as tfTypes.SymbolicTensor);
  return tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0]! : outputs, name });
}
