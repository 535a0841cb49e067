/** The training shortcuts change how many kernels run, not what is computed: the same numbers as the stock formulations. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import { type Backend, loadBackend } from '../../src/engine/backend';
import { loadDataset } from '../../src/engine/data/loadDataset';
import { reconstructionPerSample } from '../../src/engine/models/losses';
import { type BuiltModel, eagerContext } from '../../src/engine/models/modelKind';
import { modelKind } from '../../src/engine/models/registry';
import { FlatAdam } from '../../src/engine/training/flatAdam';
import { useLeanGradients } from '../../src/engine/training/leanGradients';

let backend: Backend;
let x: tfTypes.Tensor;

before(async () => {
  backend = await loadBackend();
  const data = await loadDataset('sample', { limit: 64 });
  x = backend.tf.tensor(data.x, [data.count, ...data.shape]);
});

/** A small conv VAE: ReLU convolutions, transposed convolutions and dense heads, the layers the shortcuts touch. */
function convVae(): BuiltModel<unknown> {
  const spec = modelKind('vae');
  const config = spec.configSchema.parse({ ...(spec.defaults([28, 28, 1], 4) as object), encoder: 'conv', filters: [4, 8], seed: 5 });
  return spec.build(backend.tf, config as never, [28, 28, 1]);
}

async function weightsOf(model: BuiltModel<unknown>): Promise<Float32Array[]> {
  return Promise.all(model.trainableVariables().map(async (variable) => (await variable.data()) as Float32Array));
}

test('FlatAdam updates every weight bit for bit as tf.train.adam does, without leaking tensors', async () => {
  const { tf } = backend;
  const stock = convVae();
  const flat = convVae();
  const adam = tf.train.adam(2e-3);
  const flatAdam = new FlatAdam(tf, 2e-3);
  const loss = (model: BuiltModel<unknown>, step: number) => () => model.lossTerms(x, eagerContext(true, step)).loss;
  let tensorsAfterFirstStep = 0;
  for (let step = 0; step < 4; step++) {
    adam.minimize(loss(stock, step), true, stock.trainableVariables())!.dispose();
    tf.tidy(() => flatAdam.apply(flat.trainableVariables(), tf.variableGrads(loss(flat, step), flat.trainableVariables()).grads));
    if (step === 0) tensorsAfterFirstStep = tf.memory().numTensors;
  }
  assert.equal(tf.memory().numTensors, tensorsAfterFirstStep, 'no tensor survives a step but the moments');
  assert.deepEqual(await weightsOf(flat), await weightsOf(stock));
  for (const disposable of [adam, flatAdam, stock, flat]) disposable.dispose();
});

test('the lean ReLU gradient equals the stock one, at 0 too', () => {
  const { tf } = backend;
  const input = tf.tensor1d([-2, -0.5, 0, 0.25, 3]);
  const upstream = tf.tensor1d([1, 2, 3, 4, 5]);
  const gradient = () => Array.from(tf.tidy(() => tf.grad((v: tfTypes.Tensor) => tf.sum(tf.mul(tf.relu(v), upstream)))(input).dataSync() as Float32Array));
  const stock = gradient();
  useLeanGradients(tf);
  assert.deepEqual(gradient(), stock);
  assert.deepEqual(stock, [0, 0, 0, 4, 5]);
  tf.dispose([input, upstream]);
});

test('binary cross-entropy on logits matches its textbook stable form, in value and gradient', () => {
  const { tf } = backend;
  const logits = tf.tensor2d([[-30, -2.5, -0.1, 0, 0.1, 2.5, 30, 7]]);
  const targets = tf.tensor2d([[0, 1, 0.5, 1, 0, 0.25, 1, 0]]);
  const textbook = (l: tfTypes.Tensor) => tf.sum(tf.add(tf.sub(tf.relu(l), tf.mul(l, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(l))))), 1);
  const ours = (l: tfTypes.Tensor) => reconstructionPerSample(tf, 'bce', targets, l);
  const [value, expectedValue, gradient, expectedGradient] = tf.tidy(() => [ours(logits), textbook(logits), tf.grad((l: tfTypes.Tensor) => tf.sum(ours(l)))(logits), tf.grad((l: tfTypes.Tensor) => tf.sum(textbook(l)))(logits)].map((t) => Array.from(t.dataSync())));
  assert.ok(Math.abs(value![0]! - expectedValue![0]!) < 1e-4, `${value} vs ${expectedValue}`);
  gradient!.forEach((g, i) => assert.ok(Math.abs(g - expectedGradient![i]!) < 1e-6, `gradient ${i}: ${g} vs ${expectedGradient![i]}`));
  tf.dispose([logits, targets]);
});
