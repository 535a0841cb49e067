/**
 * Approximate k nearest neighbours for large n, in the spirit of an inverted-file index: k-means on
 * the tensor backend splits the points into clusters of at most about CLUSTER_SIZE (√n of them while
 * that is fewer), and each cluster's points are compared only with the points of the `probes`
 * clusters whose centres lie nearest its own. Capping the cluster size keeps the candidates per
 * point constant, so the search grows as n rather than n^1.5 (√n clusters at a million points
 * meant 16,000 candidates a point, and two thirds of the projection's time went to them). It
 * misses only neighbours that sit across a cluster boundary beyond the probed clusters —
 * umap-learn's NN-descent is approximate too. Distances are recomputed exactly, as in knn.ts.
 * Clusters help only where the points have few directions of their own (recall 0.965 on 70,000
 * MNIST AE latents; 0.76 on one 16-d Gaussian cloud), so the recall is checked on a sample of rows
 * against the exact search; below MIN_RECALL the search is repeated with twice the probes (twice at
 * most), then the exact search runs instead where n allows it.
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../../backend';
import { seededRandom } from '../../training/random';
import { keepNearest, nearestNeighbours, scoringRows, type Neighbours } from './knn';
import { eachRow, pause, subStep, type ProjectionOptions } from '../progress';

/** Clusters searched per cluster: with √n clusters and the join, recall 0.965 on 70,000 MNIST AE latents. */
const PROBES = 16;
/** √70,000 ≈ 265, the cluster size that recall was measured at; larger n gets more clusters instead of larger ones. */
const CLUSTER_SIZE = 256;
const KMEANS_ITERATIONS = 8;
/** k-means fits its centres on this many points per cluster, then assigns every point once. */
const KMEANS_SAMPLE_PER_CLUSTER = 16;
/** Bounds the [rows, clusters] score block of one k-means step (2^22 float32 values: 16 MB). */
const KMEANS_BLOCK_ELEMENTS = 1 << 22;
/** The progress bar of a call: k-means up to KMEANS_SHARE, the first search up to FIRST_SEARCH_END, wider ones after. */
const KMEANS_SHARE = 0.25;
const FIRST_SEARCH_END = 0.97;
/** Within one search: the clusters up to here, the join after. */
const JOIN_FROM = 0.75;
const MIN_RECALL = 0.95;
/** Below MIN_RECALL the probes are doubled at most this many times. */
const MAX_WIDENINGS = 2;
/**
 * Above this many points the exact search, O(n²), would take many minutes (a million points: 10¹²
 * distances), so the widest clustered search is kept even below MIN_RECALL.
 */
const EXACT_SEARCH_MAX = 200_000;
const RECALL_SAMPLE = 128;

export async function clusteredNeighbours(tf: Tf, data: Float32Array, n: number, d: number, k: number, options: ProjectionOptions = {}): Promise<Neighbours> {
  if (!Number.isInteger(k) || k < 1 || k >= n) throw new RangeError(`k must be an integer from 1 to ${n - 1} (one less than the number of points), got ${k}`);
  const clusters = Math.max(1, Math.round(Math.max(Math.sqrt(n), n / CLUSTER_SIZE)));
  const seed = options.seed ?? 0;
  const sorted = await clusterOrder(tf, data, n, d, clusters, seed, subStep(options, 0, KMEANS_SHARE));
  const sample = recallSample(n, seed);
  const exact = await nearestNeighbours(tf, sorted.data, n, d, k, subStep(options, KMEANS_SHARE, KMEANS_SHARE), sample);
  // Each wider try fills half of what is left of the progress bar, so the bar only moves forward.
  let [from, to] = [KMEANS_SHARE, FIRST_SEARCH_END];
  for (let widening = 0, probes = PROBES; ; widening++, probes *= 2) {
    const found = await searchClusters(tf, sorted, n, d, k, probes, subStep(options, from, to));
    if (recall(found, exact, sample, k) >= MIN_RECALL) return inOriginalOrder(found, sorted.original, n, k);
    const wider = 2 * probes * (n / clusters);
    if (widening === MAX_WIDENINGS || wider >= n / 4) {
      if (n > EXACT_SEARCH_MAX) return inOriginalOrder(found, sorted.original, n, k);
      break;
    }
    [from, to] = [to, to + (1 - to) / 2];
  }
  return nearestNeighbours(tf, data, n, d, k, subStep(options, to, 1));
}

/** The data with each cluster's points contiguous, so that a cluster is a slice and neighbours of neighbours share cache lines. */
interface ClusterSorted {
  data: Float32Array;
  /** original[r] is the original number of sorted row r. */
  original: Int32Array;
  /** Cluster c's rows are [clusterStart[c], clusterStart[c + 1]). */
  clusterStart: Int32Array;
  centres: Float32Array;
}

async function clusterOrder(tf: Tf, data: Float32Array, n: number, d: number, clusters: number, seed: number, options: ProjectionOptions): Promise<ClusterSorted> {
  const { assignment, centres } = await kMeans(tf, data, n, d, clusters, seed, options);
  const clusterStart = new Int32Array(clusters + 1);
  for (const cluster of assignment) clusterStart[cluster + 1]!++;
  for (let c = 0; c < clusters; c++) clusterStart[c + 1]! += clusterStart[c]!;
  const cursor = clusterStart.slice(0, clusters);
  const original = new Int32Array(n);
  const sorted = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = cursor[assignment[i]!]!++;
    original[r] = i;
    sorted.set(data.subarray(i * d, (i + 1) * d), r * d);
  }
  return { data: sorted, original, clusterStart, centres };
}

/** RECALL_SAMPLE distinct seeded rows, sorted. */
function recallSample(n: number, seed: number): Int32Array {
  const random = seededRandom(seed + 1);
  const rows = new Set<number>();
  while (rows.size < Math.min(RECALL_SAMPLE, n)) rows.add(Math.floor(random() * n));
  return Int32Array.from(rows).sort();
}

/**
 * The share of the listed neighbours of the sampled rows that lie within the row's exact k-th
 * nearest distance: the recall, and unmoved by ties among equally distant points.
 */
function recall(found: Neighbours, exact: Neighbours, sample: Int32Array, k: number): number {
  let within = 0;
  sample.forEach((row, s) => {
    for (let p = row * k; p < (row + 1) * k; p++) if (found.distances[p]! <= exact.distances[s * k + k - 1]!) within++;
  });
  return within / (sample.length * k);
}

async function searchClusters(tf: Tf, sorted: ClusterSorted, n: number, d: number, k: number, probes: number, options: ProjectionOptions): Promise<Neighbours> {
  const { data, clusterStart, centres } = sorted;
  const clusters = clusterStart.length - 1;
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const [queries, keys] = scoringRows(tf, data, n, d);
  try {
    for (let c = 0; c < clusters; c++) {
      const [first, end] = [clusterStart[c]!, clusterStart[c + 1]!];
      if (first === end) continue;
      const candidates = probedPoints(centres, d, clusterStart, c, probes, k + 1);
      const best = tf.tidy(() => {
        const scores = tf.matMul(queries.slice([first, 0], [end - first, d + 1]), tf.gather(keys, candidates), false, true);
        return tf.topk(scores, k + 1).indices;
      });
      const positions = (await best.data()) as Int32Array;
      best.dispose();
      const chosen = new Int32Array(k + 1);
      for (let row = first; row < end; row++) {
        for (let t = 0; t <= k; t++) chosen[t] = candidates[positions[(row - first) * (k + 1) + t]!]!;
        keepNearest(data, d, row, chosen, indices, distances, k);
      }
      options.onProgress?.((JOIN_FROM * end) / n, 'neighbours');
      await pause(options.signal);
    }
  } finally {
    tf.dispose([queries, keys]);
  }
  await joinNeighboursOfNeighbours(data, n, d, k, indices, distances, subStep(options, JOIN_FROM, 1));
  return { indices, distances };
}

/** Neighbour lists of cluster-sorted rows, renumbered and reordered back to the data's own numbering. */
function inOriginalOrder(found: Neighbours, original: Int32Array, n: number, k: number): Neighbours {
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    const at = original[r]! * k;
    for (let t = 0; t < k; t++) indices[at + t] = original[found.indices[r * k + t]!]!;
    distances.set(found.distances.subarray(r * k, (r + 1) * k), at);
  }
  return { indices, distances };
}

/**
 * One pass of NN-descent's local join: each point also considers its neighbours' neighbours. A
 * neighbour missed across a cluster boundary is usually listed by a neighbour on the other side,
 * so this lifts recall (0.947 → 0.965 on 70,000 MNIST AE latents) for a third of the search's time.
 */
async function joinNeighboursOfNeighbours(data: Float32Array, n: number, d: number, k: number, indices: Int32Array, distances: Float32Array, options: ProjectionOptions): Promise<void> {
  const candidates = new Int32Array(k + k * k);
  const seenBy = new Int32Array(n).fill(-1);
  await eachRow(n, 'neighbours', options, (i) => {
    let count = 0;
    seenBy[i] = i;
    for (let p = i * k; p < (i + 1) * k; p++) {
      seenBy[indices[p]!] = i;
      candidates[count++] = indices[p]!;
    }
    for (let p = i * k; p < (i + 1) * k; p++) {
      for (let q = indices[p]! * k; q < (indices[p]! + 1) * k; q++) {
        const j = indices[q]!;
        if (seenBy[j] === i) continue;
        seenBy[j] = i;
        candidates[count++] = j;
      }
    }
    keepNearest(data, d, i, candidates.subarray(0, count), indices, distances, k);
  });
}

/**
 * Lloyd's k-means from `clusters` distinct random points, fitted on a seeded sample of
 * KMEANS_SAMPLE_PER_CLUSTER points per cluster (the clusters only bound a search, so centres from a
 * sample serve as well), then every point assigned to its nearest centre; a cluster that empties
 * keeps its centre. Returns each point's cluster and the centres, row-major [clusters, d].
 */
async function kMeans(tf: Tf, data: Float32Array, n: number, d: number, clusters: number, seed: number, options: ProjectionOptions): Promise<{ assignment: Int32Array; centres: Float32Array }> {
  const random = seededRandom(seed);
  const picked = new Set<number>();
  while (picked.size < Math.min(n, clusters * KMEANS_SAMPLE_PER_CLUSTER)) picked.add(Math.floor(random() * n));
  const sampleRows = Array.from(picked);
  const sample = new Float32Array(sampleRows.length * d);
  sampleRows.forEach((row, s) => sample.set(data.subarray(row * d, (row + 1) * d), s * d));
  // The first `clusters` picks are distinct random points: the starting centres.
  const centres = sample.slice(0, clusters * d);
  const sampleAssignment = new Int32Array(sampleRows.length);
  // Assigning all n points once costs about as much as the iterations on the sample: half the bar each.
  const fitted = subStep(options, 0, 0.5);
  for (let iteration = 0; iteration < KMEANS_ITERATIONS; iteration++) {
    await assignNearest(tf, sample, sampleRows.length, centres, sampleAssignment, subStep(fitted, iteration / KMEANS_ITERATIONS, (iteration + 1) / KMEANS_ITERATIONS));
    const sums = new Float64Array(clusters * d);
    const counts = new Int32Array(clusters);
    sampleAssignment.forEach((c, s) => {
      counts[c]!++;
      for (let t = 0; t < d; t++) sums[c * d + t]! += sample[s * d + t]!;
    });
    for (let c = 0; c < clusters; c++) if (counts[c]! > 0) for (let t = 0; t < d; t++) centres[c * d + t] = sums[c * d + t]! / counts[c]!;
  }
  const assignment = new Int32Array(n);
  await assignNearest(tf, data, n, centres, assignment, subStep(options, 0.5, 1));
  return { assignment, centres };
}

/**
 * Each row's nearest centre: the largest [x, 1]·[2c, −‖c‖²], one matMul per block of rows and a
 * turn of the event loop between blocks (all n × clusters scores at once would be 16 GB at a
 * million points).
 */
async function assignNearest(tf: Tf, data: Float32Array, n: number, centres: Float32Array, out: Int32Array, options: ProjectionOptions): Promise<void> {
  const d = data.length / n;
  const clusters = centres.length / d;
  const blockRows = Math.max(1, Math.floor(KMEANS_BLOCK_ELEMENTS / clusters));
  const scoring = tf.tidy(() => {
    const c = tf.tensor2d(centres, [clusters, d]);
    return tf.concat([tf.mul(c, 2), tf.neg(tf.sum(tf.square(c), 1, true))], 1) as Tensor2D;
  });
  try {
    for (let start = 0; start < n; start += blockRows) {
      const rows = Math.min(blockRows, n - start);
      const nearest = tf.tidy(() => tf.argMax(tf.matMul(tf.concat([tf.tensor2d(data.subarray(start * d, (start + rows) * d), [rows, d]), tf.ones([rows, 1])], 1), scoring, false, true), 1));
      out.set((await nearest.data()) as Int32Array, start);
      nearest.dispose();
      options.onProgress?.((start + rows) / n, 'neighbours');
      await pause(options.signal);
    }
  } finally {
    scoring.dispose();
  }
}

/** The points of the `probes` clusters nearest cluster c's centre (c among them), and more until there are at least `least`. */
function probedPoints(centres: Float32Array, d: number, clusterStart: Int32Array, c: number, probes: number, least: number): Int32Array {
  const clusters = clusterStart.length - 1;
  const size = (cluster: number) => clusterStart[cluster + 1]! - clusterStart[cluster]!;
  const gaps = Float64Array.from({ length: clusters }, (_, other) => {
    let sum = 0;
    for (let t = 0; t < d; t++) sum += (centres[c * d + t]! - centres[other * d + t]!) ** 2;
    return sum;
  });
  const order = Int32Array.from({ length: clusters }, (_, other) => other).sort((p, q) => gaps[p]! - gaps[q]!);
  let count = 0;
  let used = 0;
  while (used < clusters && (used < probes || count < least)) count += size(order[used++]!);
  const points = new Int32Array(count);
  for (let u = 0, at = 0; u < used; u++) {
    const cluster = order[u]!;
    for (let row = clusterStart[cluster]!; row < clusterStart[cluster + 1]!; row++) points[at++] = row;
  }
  return points;
}
