/**
 * What keeps projections usable on large sessions: t-SNE refused above its limit with the ways on,
 * subsamples that say so, progress that an ETA can be drawn from, prompt cancels, and the clustered
 * neighbour search past the size where its clusters stop growing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError, engineMethods, tsneMaxPoints } from '../../src/shared/protocol';
import { loadBackend } from '../../src/engine/backend';
import { clusteredNeighbours } from '../../src/engine/projection/knn/clusteredKnn';
import { nearestNeighbours } from '../../src/engine/projection/knn/knn';
import { projectLatents } from '../../src/engine/projection/projectLatents';
import { seededRandom } from '../../src/engine/training/random';

/** n points in ten clusters, each a random 3-d sheet in d dimensions plus a little noise: latent-like. */
function sheets(n: number, d: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Float64Array.from({ length: 10 * d }, () => 3 * gaussian());
  const axes = Float64Array.from({ length: 10 * d * 3 }, () => gaussian() / 2);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const [c, u] = [i % 10, [gaussian(), gaussian(), gaussian()]];
    for (let t = 0; t < d; t++) out[i * d + t] = centres[c * d + t]! + 0.05 * gaussian() + u.reduce((sum, value, a) => sum + axes[(c * d + t) * 3 + a]! * value, 0);
  }
  return out;
}

test('t-SNE above tsneMaxPoints is refused at once, in one line that offers UMAP and a subsample', { timeout: 60_000 }, async () => {
  const { tf } = await loadBackend();
  const n = tsneMaxPoints + 1;
  const progress: number[] = [];
  const refusal = await projectLatents(tf, sheets(n, 4, 1), n, 4, 'tsne', { onProgress: (fraction) => progress.push(fraction) }).then(
    () => assert.fail('t-SNE ran above its limit'),
    (error: unknown) => error,
  );
  assert.ok(refusal instanceof EngineError && refusal.code === 'bad-request', String(refusal));
  assert.doesNotMatch(refusal.message, /\n/);
  assert.match(refusal.message, /at most 100,000 points/);
  assert.match(refusal.message, /these latents have 100,001/);
  assert.match(refusal.message, /UMAP/);
  assert.match(refusal.message, /random subsample of 100,000/);
  assert.deepEqual(progress, [], 'refused before any work');
});

test('a subsample projection lists its points, says so in its note, and is the projection of those points', { timeout: 60_000 }, async () => {
  const { tf } = await loadBackend();
  const [n, d, count] = [3000, 8, 400];
  const data = sheets(n, d, 2);
  const result = await projectLatents(tf, data, n, d, 'tsne', { subsample: count, seed: 5, iterations: 200 });
  const rows = result.subsample;
  assert.ok(rows instanceof Int32Array && rows.length === count);
  assert.equal(new Set(rows).size, count, 'distinct points');
  assert.ok(rows.every((row, r) => row >= 0 && row < n && (r === 0 || row > rows[r - 1]!)), 'in the data’s order');
  assert.equal(result.coordinates.length, 2 * count);
  assert.match(result.note ?? '', /^t-SNE of a random subsample of 400 of the 3,000 points \(seed 5\); the others are not on this map$/);
  // Row r of the coordinates belongs to point rows[r]: the same seed on those points alone gives the same map.
  const alone = new Float32Array(count * d);
  rows.forEach((row, r) => alone.set(data.subarray(row * d, (row + 1) * d), r * d));
  assert.deepEqual(result.coordinates, (await projectLatents(tf, alone, count, d, 'tsne', { seed: 5, iterations: 200 })).coordinates);
  // The answer crosses the engine's boundary as the protocol describes it, the sample rows with it.
  assert.deepEqual(engineMethods.project.result.parse(result).subsample, rows);
  assert.equal(engineMethods.project.params.parse({ sessionId: 's', method: 'tsne', subsample: tsneMaxPoints }).subsample, tsneMaxPoints);
  assert.throws(() => engineMethods.project.params.parse({ sessionId: 's', method: 'tsne', subsample: 0.5 }));
  const whole = await projectLatents(tf, data.subarray(0, 300 * d), 300, d, 'pca', { subsample: 300 });
  assert.equal(whole.subsample, undefined, 'a subsample of every point is no subsample');
  assert.equal(whole.note, undefined);
});

test('UMAP progress at 40,000 points only moves forward, reaches 1, and names every stage', { timeout: 120_000 }, async () => {
  const { tf } = await loadBackend();
  const n = 40_000;
  const events: { fraction: number; stage: string }[] = [];
  await projectLatents(tf, sheets(n, 16, 3), n, 16, 'umap', { onProgress: (fraction, stage) => events.push({ fraction, stage }) });
  assert.ok(
    events.every(({ fraction }, e) => fraction >= 0 && fraction <= 1 && fraction >= (events[e - 1]?.fraction ?? 0)),
    'fractions stay in [0, 1] and never go back',
  );
  assert.equal(events.at(-1)!.fraction, 1);
  assert.deepEqual([...new Set(events.map(({ stage }) => stage))], ['neighbours', 'affinities', 'graph', 'start', 'layout']);
  // Enough steps for a bar and an ETA: the search and the layout each report dozens of times.
  for (const stage of ['neighbours', 'layout']) assert.ok(events.filter((event) => event.stage === stage).length >= 50, `${stage} reports often`);
  // The shares follow the measured times: the layout, most of the work, fills most of the bar.
  const layoutStart = events.find(({ stage }) => stage === 'layout')!.fraction;
  assert.ok(layoutStart > 0.15 && layoutStart < 0.5, `the layout starts at ${layoutStart}`);
});

test('UMAP at 40,000 points rejects within a second of a cancel in each stage and leaves no tensors', { timeout: 180_000 }, async () => {
  const { tf } = await loadBackend();
  const n = 40_000;
  const data = sheets(n, 16, 4);
  const before = tf.memory().numTensors;
  for (const stage of ['neighbours', 'affinities', 'graph', 'start', 'layout']) {
    const controller = new AbortController();
    let abortedAt = 0;
    const onProgress = (_fraction: number, current: string) => {
      if (current !== stage || abortedAt) return;
      abortedAt = performance.now();
      controller.abort();
    };
    await assert.rejects(projectLatents(tf, data, n, 16, 'umap', { signal: controller.signal, onProgress, epochs: 500 }), { name: 'AbortError' });
    const latency = performance.now() - abortedAt;
    assert.ok(abortedAt > 0, `cancelled in ${stage}`);
    assert.ok(latency < 1000, `${stage}: rejected ${latency.toFixed(0)} ms after the abort`);
    assert.equal(tf.memory().numTensors, before, `no tensors left after a cancel in ${stage}`);
  }
});

test('clusteredNeighbours past 65,536 points (clusters capped in size) finds 95 % of the exact neighbours of sampled rows', { timeout: 180_000 }, async () => {
  const { tf } = await loadBackend();
  const [n, d, k] = [80_000, 16, 14];
  const data = sheets(n, d, 6);
  const found = await clusteredNeighbours(tf, data, n, d, k);
  const random = seededRandom(11);
  const rows = Int32Array.from({ length: 200 }, () => Math.floor(random() * n));
  const exact = await nearestNeighbours(tf, data, n, d, k, {}, rows);
  let within = 0;
  rows.forEach((row, r) => {
    for (let t = 0; t < k; t++) {
      assert.notEqual(found.indices[row * k + t], row, `row ${row} excludes itself`);
      if (found.distances[row * k + t]! <= exact.distances[r * k + k - 1]!) within++;
    }
  });
  assert.ok(within / (rows.length * k) >= 0.95, `recall ${within / (rows.length * k)}`);
});

test('nearestNeighbours of chosen rows equals those rows of the full search', { timeout: 60_000 }, async () => {
  const { tf } = await loadBackend();
  const [n, d, k] = [600, 5, 7];
  const data = sheets(n, d, 8);
  const all = await nearestNeighbours(tf, data, n, d, k);
  const rows = Int32Array.from([599, 0, 17, 17, 300]);
  const some = await nearestNeighbours(tf, data, n, d, k, {}, rows);
  rows.forEach((row, r) => {
    assert.deepEqual(some.indices.subarray(r * k, (r + 1) * k), all.indices.subarray(row * k, (row + 1) * k), `row ${row}`);
    assert.deepEqual(some.distances.subarray(r * k, (r + 1) * k), all.distances.subarray(row * k, (row + 1) * k), `row ${row}`);
  });
});
