import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBackend } from '../../src/engine/backend';
import { clusteredNeighbours } from '../../src/engine/projection/knn/clusteredKnn';
import { GridFft, smoothAtLeast } from '../../src/engine/projection/tsne/fft';
import { symmetrize } from '../../src/engine/projection/umap/graph';
import { nearestNeighbours } from '../../src/engine/projection/knn/knn';
import { trustworthiness } from '../../src/engine/projection/quality';
import { Repulsion } from '../../src/engine/projection/tsne/tsneRepulsion';
import { curveParameters } from '../../src/engine/projection/umap/umapCurve';
import { seededRandom } from '../../src/engine/training/random';

function uniform(count: number, seed: number, scale = 1): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: count }, () => random() * scale);
}

test('nearestNeighbours matches brute force: same neighbour sets, distances within 1e-4', async () => {
  const { tf } = await loadBackend();
  const [n, d, k] = [500, 8, 10];
  const data = uniform(n * d, 1);
  const before = tf.memory().numTensors;
  const { indices, distances } = await nearestNeighbours(tf, data, n, d, k);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  for (let i = 0; i < n; i++) {
    const reference = Array.from({ length: n }, (_, j) => {
      let sum = 0;
      for (let t = 0; t < d; t++) sum += (data[i * d + t]! - data[j * d + t]!) ** 2;
      return { j, distance: Math.sqrt(sum) };
    })
      .filter(({ j }) => j !== i)
      .sort((a, b) => a.distance - b.distance)
      .slice(0, k);
    const row = Array.from(indices.subarray(i * k, (i + 1) * k));
    assert.deepEqual([...row].sort((a, b) => a - b), reference.map(({ j }) => j).sort((a, b) => a - b), `row ${i}`);
    for (let p = 0; p < k; p++) assert.ok(Math.abs(distances[i * k + p]! - reference[p]!.distance) < 1e-4, `row ${i} distance ${p}`);
  }
});

test('nearestNeighbours never lists a point as its own neighbour, even among exact duplicates', async () => {
  const { tf } = await loadBackend();
  const n = 40;
  // Four groups of ten identical points: every point has more than k = 3 neighbours at distance 0.
  const data = Float32Array.from({ length: n * 2 }, (_, v) => Math.floor(v / 2 / 10) * 5);
  const { indices, distances } = await nearestNeighbours(tf, data, n, 2, 3);
  for (let i = 0; i < n; i++) {
    const row = Array.from(indices.subarray(i * 3, i * 3 + 3));
    assert.ok(!row.includes(i), `row ${i} excludes itself`);
    assert.equal(new Set(row).size, 3);
    assert.ok(row.every((j) => Math.floor(j / 10) === Math.floor(i / 10)));
    assert.deepEqual(Array.from(distances.subarray(i * 3, i * 3 + 3)), [0, 0, 0]);
  }
  await assert.rejects(nearestNeighbours(tf, data, n, 2, n), RangeError);
});

test('clusteredNeighbours lists at least 95 % of the exact neighbours, with exact distances, clustered data or not', async () => {
  const { tf } = await loadBackend();
  const [n, d, k] = [8000, 16, 14];
  const random = seededRandom(9);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 20 * d }, () => 0.5 * gaussian());
  // Twenty overlapping Gaussian clusters, where many neighbours sit across the k-means boundaries,
  // and one Gaussian cloud with no clusters at all, where the search has to fall back to exact.
  for (const spread of [0.3, 5]) {
    const data = Float32Array.from({ length: n * d }, (_, v) => centres[(Math.floor(v / d) % 20) * d + (v % d)]! + spread * gaussian());
    const before = tf.memory().numTensors;
    const fractions: number[] = [];
    const approximate = await clusteredNeighbours(tf, data, n, d, k, { onProgress: (fraction, stage) => fractions.push(stage === 'neighbours' ? fraction : NaN) });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    assert.ok(fractions.every((fraction, f) => fraction >= (fractions[f - 1] ?? 0) && fraction <= 1), 'progress only moves forward');
    const exact = await nearestNeighbours(tf, data, n, d, k);
    let found = 0;
    for (let i = 0; i < n; i++) {
      const truth = new Set(exact.indices.subarray(i * k, (i + 1) * k));
      for (let p = i * k; p < (i + 1) * k; p++) {
        const j = approximate.indices[p]!;
        if (truth.has(j)) found++;
        assert.notEqual(j, i, `row ${i} excludes itself`);
        let sum = 0;
        for (let t = 0; t < d; t++) sum += (data[i * d + t]! - data[j * d + t]!) ** 2;
        assert.ok(Math.abs(approximate.distances[p]! - Math.sqrt(sum)) < 1e-5, `row ${i}: distance to ${j}`);
        if (p > i * k) assert.ok(approximate.distances[p]! >= approximate.distances[p - 1]!, `row ${i} nearest first`);
      }
    }
    assert.ok(found / (n * k) >= 0.95, `spread ${spread}: recall ${found / (n * k)}`);
  }
});

test('symmetrize joins both directions of every edge with the combining rule', async () => {
  // 0 → 1 (0.5), 1 → 0 (0.25), 2 → 0 (1): the pair 0–1 is mutual, 0–2 one-way.
  const graph = await symmetrize(Int32Array.from([1, 0, 0]), Float64Array.from([0.5, 0.25, 1]), 3, 1, (a, b) => a + b - a * b);
  const entries = (i: number) =>
    Array.from({ length: graph.rowStart[i + 1]! - graph.rowStart[i]! }, (_, e) => [graph.columns[graph.rowStart[i]! + e]!, graph.values[graph.rowStart[i]! + e]!]).sort((a, b) => a[0]! - b[0]!);
  assert.deepEqual(entries(0), [
    [1, 0.625],
    [2, 1],
  ]);
  assert.deepEqual(entries(1), [[0, 0.625]]);
  assert.deepEqual(entries(2), [[0, 1]]);
});

test('trustworthiness follows the definition on a hand-checked example', () => {
  // Gaps 1, 2, 3, 4 along a line; the layout swaps the two end points. Worked by hand, the
  // intrusions' rank excesses are 2 + 3 + 2 = 7, so T = 1 − 2·7 / (5·1·(10 − 3 − 1)).
  const high = Float32Array.from([0, 1, 3, 6, 10]);
  const low = Float32Array.from([10, 0, 1, 0, 3, 0, 6, 0, 0, 0]);
  assert.ok(Math.abs(trustworthiness(high, low, 5, 1, 1) - (1 - 14 / 30)) < 1e-12);
  const plane = uniform(200 * 2, 4);
  assert.equal(trustworthiness(plane, plane, 200, 2, 10), 1);
  assert.ok(trustworthiness(plane, uniform(200 * 2, 5), 200, 2, 10) < 0.7, 'an unrelated layout scores low');
});

test('curveParameters reproduces umap-learn’s a, b for min_dist 0.1', () => {
  const { a, b } = curveParameters(0.1);
  assert.ok(Math.abs(a - 1.577) < 1e-3 && Math.abs(b - 0.895) < 1e-3, `a = ${a}, b = ${b}`);
});

test('smoothAtLeast picks the smallest 2^a·3^b at or above a count', () => {
  assert.deepEqual([1, 5, 7, 33, 179, 355, 513].map(smoothAtLeast), [1, 6, 8, 36, 192, 384, 576]);
});

test('GridFft agrees with a direct DFT on mixed-radix sizes and inverts (unscaled) back to the input', () => {
  // Radix 4 alone, 4 then 2, 2 then 3, 4 then 3, and 3 alone (an odd count of stages).
  for (const size of [16, 8, 6, 12, 27]) {
    const re = Float64Array.from(uniform(size * size, 6));
    const im = Float64Array.from(uniform(size * size, 7));
    const [fr, fi] = [re.slice(), im.slice()];
    const fft = new GridFft(size);
    fft.transform(fr, fi, size, false);
    for (let u = 0; u < size; u++) {
      for (let v = 0; v < size; v++) {
        let sr = 0;
        let si = 0;
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            const angle = (-2 * Math.PI * (u * y + v * x)) / size;
            sr += re[y * size + x]! * Math.cos(angle) - im[y * size + x]! * Math.sin(angle);
            si += re[y * size + x]! * Math.sin(angle) + im[y * size + x]! * Math.cos(angle);
          }
        }
        assert.ok(Math.abs(fr[u * size + v]! - sr) < 1e-9 && Math.abs(fi[u * size + v]! - si) < 1e-9, `size ${size}, frequency (${u}, ${v})`);
      }
    }
    fft.transform(fr, fi, size, true);
    for (let c = 0; c < size * size; c++) assert.ok(Math.abs(fr[c]! / (size * size) - re[c]!) < 1e-12 && Math.abs(fi[c]! / (size * size) - im[c]!) < 1e-12, `size ${size}, cell ${c}`);
  }
  assert.throws(() => new GridFft(10), RangeError);
});

test('the FFT-interpolated t-SNE repulsion is close to the exact O(n²) sums', () => {
  // Enough points that the grid, not the direct sum kept for small n, does the work.
  const n = 1200;
  // Ten clusters spread over about ±45 (a 2·3⁵-cell FFT) or ±75 (3·2⁸ cells, at the widest node
  // spacing allowed), like a t-SNE layout in progress.
  for (const radius of [40, 70]) {
    const random = seededRandom(8);
    const layout = Float64Array.from({ length: 2 * n }, (_, c) => radius * (c % 2 ? Math.sin(Math.floor(c / 2) % 10) : Math.cos(Math.floor(c / 2) % 10)) + (random() - 0.5) * 8);
    const exact = new Float64Array(2 * n);
    let exactZ = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const dx = layout[2 * i]! - layout[2 * j]!;
        const dy = layout[2 * i + 1]! - layout[2 * j + 1]!;
        const kernel = 1 / (1 + dx * dx + dy * dy);
        exactZ += kernel;
        exact[2 * i]! += kernel * kernel * dx;
        exact[2 * i + 1]! += kernel * kernel * dy;
      }
    }
    const forces = new Float64Array(2 * n);
    const z = new Repulsion().compute(layout, n, forces);
    let error = 0;
    let norm = 0;
    for (let c = 0; c < 2 * n; c++) {
      error += (forces[c]! - exact[c]!) ** 2;
      norm += exact[c]! ** 2;
    }
    assert.ok(Math.abs(z - exactZ) / exactZ < 5e-3, `radius ${radius}: Z relative error ${Math.abs(z - exactZ) / exactZ}`);
    assert.ok(Math.sqrt(error / norm) < 0.02, `radius ${radius}: force relative error ${Math.sqrt(error / norm)}`);
  }
});
