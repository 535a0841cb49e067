import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBackend } from '../../src/engine/backend';

const requireNative = process.env.LATENT_LAB_REQUIRE_NATIVE === '1';

test(`a small conv model trains a step on the chosen backend${requireNative ? ' (native required)' : ''}`, async () => {
  const backend = await loadBackend();
  if (requireNative) {
    assert.equal(backend.name, 'tensorflow', `LATENT_LAB_REQUIRE_NATIVE=1 but the backend is ${backend.name}: ${backend.fallbackReason}`);
    assert.equal(backend.tf.getBackend(), 'tensorflow');
  }
  const { tf } = backend;
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  const x = tf.randomUniform([16, 8, 8, 1], 0, 1, 'float32', 7);
  const before = model.getWeights().map((w) => w.dataSync().slice());
  const history = await model.fit(x, x, { epochs: 1, batchSize: 16, verbose: 0 });
  const loss = history.history.loss![0] as number;
  assert.ok(Number.isFinite(loss) && loss > 0);
  const changed = model.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== before[i]![j]));
  assert.ok(changed, 'a training step updates the conv weights');
  x.dispose();
  model.dispose();
});
