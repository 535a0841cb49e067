import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBackend } from '../../src/engine/backend';
import { projectLatents } from '../../src/engine/projection/projectLatents';
import { trustworthiness } from '../../src/engine/projection/quality';
import { tsne } from '../../src/engine/projection/tsne/tsne';
import { umap } from '../../src/engine/projection/umap/umap';
import { seededRandom } from '../../src/engine/training/random';

/** Gaussian blobs of unit spread whose centres lie about 10·√d apart: clearly separated. */
function blobs(n: number, d: number, clusters: number, seed: number) {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: clusters * d }, () => 10 * gaussian());
  const labels = Int32Array.from({ length: n }, (_, i) => i % clusters);
  const data = Float32Array.from({ length: n * d }, (_, v) => centres[labels[Math.floor(v / d)]! * d + (v % d)]! + gaussian());
  return { data, labels };
}

/** The share of each point's k nearest layout neighbours that carry its label, averaged over points. */
function labelAgreement(layout: Float32Array, labels: Int32Array, k: number): number {
  const n = labels.length;
  let agreeing = 0;
  for (let i = 0; i < n; i++) {
    const nearest = Array.from({ length: n }, (_, j) => ({ j, d: (layout[2 * i]! - layout[2 * j]!) ** 2 + (layout[2 * i + 1]! - layout[2 * j + 1]!) ** 2 }))
      .filter(({ j }) => j !== i)
      .sort((a, b) => a.d - b.d)
      .slice(0, k);
    agreeing += nearest.filter(({ j }) => labels[j] === labels[i]).length / k;
  }
  return agreeing / n;
}

const methods = {
  umap: (tf: Parameters<typeof umap>[0], data: Float32Array, n: number, d: number, options: Parameters<typeof umap>[4] = {}) => umap(tf, data, n, d, options),
  tsne: (tf: Parameters<typeof tsne>[0], data: Float32Array, n: number, d: number, options: Parameters<typeof tsne>[4] = {}) => tsne(tf, data, n, d, { iterations: 300, ...options }),
};

for (const [name, run] of Object.entries(methods)) {
  test(`${name} keeps well-separated blobs apart and is trustworthy`, async () => {
    const { tf } = await loadBackend();
    const [n, d] = [1500, 16];
    const { data, labels } = blobs(n, d, 5, 1);
    const before = tf.memory().numTensors;
    const layout = await run(tf, data, n, d, { seed: 3 });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    assert.equal(layout.length, n * 2);
    assert.ok(layout.every(Number.isFinite), 'finite coordinates');
    const agreement = labelAgreement(layout, labels, 10);
    assert.ok(agreement >= 0.95, `label agreement of 2-D neighbours ${agreement}`);
    const trust = trustworthiness(data, layout, n, d, 10);
    assert.ok(trust >= 0.9, `trustworthiness ${trust}`);
  });

  test(`${name} is deterministic for a seed`, async () => {
    const { tf } = await loadBackend();
    const { data } = blobs(300, 8, 3, 2);
    const first = await run(tf, data, 300, 8, { seed: 5, epochs: 50, iterations: 60 });
    const second = await run(tf, data, 300, 8, { seed: 5, epochs: 50, iterations: 60 });
    assert.deepEqual(second, first);
  });

  test(`${name} rejects promptly when cancelled mid-run and leaves no tensors`, async () => {
    const { tf } = await loadBackend();
    const { data } = blobs(4000, 16, 5, 3);
    const before = tf.memory().numTensors;
    for (const stage of ['neighbours', 'affinities', 'layout']) {
      // The abort arrives from outside the computation, as a cancel message would, shortly after
      // the stage has started.
      const controller = new AbortController();
      let abortedAt = 0;
      const onProgress = (_fraction: number, current: string) => {
        if (current === stage && !abortedAt) {
          abortedAt = -1;
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
          }, 20);
        }
      };
      await assert.rejects(run(tf, data, 4000, 16, { signal: controller.signal, onProgress, epochs: 1000, iterations: 1000 }), { name: 'AbortError' });
      assert.ok(abortedAt > 0, `aborted after ${stage} started`);
      assert.ok(performance.now() - abortedAt < 1000, `rejected ${performance.now() - abortedAt} ms after the abort`);
      assert.equal(tf.memory().numTensors, before, `no tensors left after cancelling once ${stage} started`);
    }
  });
}

test('projectLatents: raw picks dimensions, pca projects, one-dimensional latents are padded with a note', async () => {
  const { tf } = await loadBackend();
  const { data } = blobs(200, 4, 2, 4);
  const before = tf.memory().numTensors;
  const raw = await projectLatents(tf, data, 200, 4, 'raw', { dims: [3, 1] });
  assert.deepEqual([raw.coordinates[0], raw.coordinates[1], raw.coordinates[2]], [data[3], data[1], data[7]]);
  assert.equal((await projectLatents(tf, data, 200, 4, 'raw')).coordinates[1], data[1]);
  const pca = await projectLatents(tf, data, 200, 4, 'pca');
  assert.equal(pca.method, 'pca');
  assert.equal(pca.coordinates.length, 400);
  let [varianceX, varianceY] = [0, 0];
  for (let i = 0; i < 200; i++) {
    varianceX += pca.coordinates[2 * i]! ** 2;
    varianceY += pca.coordinates[2 * i + 1]! ** 2;
  }
  assert.ok(varianceX >= varianceY, 'the first axis carries the most variance');
  for (const method of ['raw', 'pca'] as const) {
    const line = await projectLatents(tf, Float32Array.from([1, 2, 3]), 3, 1, method);
    assert.deepEqual(Array.from(line.coordinates), [1, 0, 2, 0, 3, 0]);
    assert.match(line.note ?? '', /one dimension/);
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  await assert.rejects(projectLatents(tf, data, 200, 4, 'raw', { dims: [0, 4] }), /two latent dimensions from 0 to 3/);
  await assert.rejects(projectLatents(tf, data, 100, 4, 'pca'), /cannot project/);
});

test('projectLatents: umap and tsne leave no tensors and handle tiny and one-dimensional inputs', async () => {
  const { tf } = await loadBackend();
  const before = tf.memory().numTensors;
  for (const method of ['umap', 'tsne'] as const) {
    const line = Float32Array.from({ length: 60 }, (_, i) => i % 3);
    const result = await projectLatents(tf, line, 60, 1, method, { epochs: 20, iterations: 20 });
    assert.equal(result.method, method);
    assert.ok(result.coordinates.length === 120 && result.coordinates.every(Number.isFinite), `${method} on 1-d latents`);
    for (const n of [0, 1, 2, 3]) {
      const tiny = await projectLatents(tf, Float32Array.from({ length: n * 2 }, (_, v) => v), n, 2, method, { epochs: 20, iterations: 20 });
      assert.ok(tiny.coordinates.length === n * 2 && tiny.coordinates.every(Number.isFinite), `${method} on ${n} points`);
    }
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});
