/**
 * UMAP (McInnes, Healy & Melville 2018), written from the paper: the fuzzy simplicial set of the
 * kNN graph (exact, or from 20,000 points searched by clusters with a checked recall), joined by
 * fuzzy union, then laid out in 2-D by stochastic gradient descent with negative sampling, in
 * worker threads for large n. The start is the PCA layout scaled to ±10 (not the spectral one of
 * umap-learn): deterministic, cheap, and it keeps the global arrangement.
 */
import { availableParallelism } from 'node:os';
import type { Tf } from '../../backend';
import { seededRandom } from '../../training/random';
import { edgeList, symmetrize, type SparseGraph } from './graph';
import { pcaLayout } from '../init';
import { clusteredNeighbours } from '../knn/clusteredKnn';
import { nearestNeighbours } from '../knn/knn';
import { inLocalOrder, reorderLayout } from '../knn/locality';
import { eachRow, pause, stagesOf, type ProjectionOptions } from '../progress';
import { curveParameters } from './umapCurve';
import { powerTable, type EpochShare } from './umapEpoch';
import { runLayoutEpochs } from './umapThreads';

export interface UmapOptions extends ProjectionOptions {
  /**
   * Size of each point's neighbourhood, counting the point itself as umap-learn's n_neighbors does
   * (default 15: the point and its 14 nearest others).
   */
  neighbors?: number;
  /** Passes of the layout optimisation (default 200 above 10,000 points, else 500). */
  epochs?: number;
  /** How tightly points may pack in the layout (default 0.1). */
  minDist?: number;
}

const NEGATIVE_SAMPLES = 5;
/** Below this many points the layout runs in this thread: starting workers would cost more than they save. */
const THREADED_FROM = 10_000;
const MAX_THREADS = 4;
/** From this many points the neighbours are searched by clusters (clusteredKnn.ts), not exactly. */
const CLUSTERED_SEARCH_FROM = 20_000;
const INITIAL_EXTENT = 10;

/**
 * umap-learn runs 200 epochs above 10,000 points (500 below). Measured on MNIST latents (bench/README.md),
 * 100 epochs cost at most 0.0016 of trustworthiness (k = 10) at 12k, 30k and 70k points and halve
 * the layout, the slow step: the map comes in half the time, just as faithful up close.
 */
export function defaultEpochs(n: number): number {
  return n > 10_000 ? 100 : 500;
}

export async function umap(tf: Tf, data: Float32Array, n: number, d: number, options: UmapOptions = {}): Promise<Float32Array> {
  const neighbors = options.neighbors ?? 15;
  const epochs = options.epochs ?? defaultEpochs(n);
  const minDist = options.minDist ?? 0.1;
  if (!Number.isInteger(neighbors) || neighbors < 2) throw new RangeError(`UMAP neighbors must be an integer of at least 2, got ${neighbors}`);
  if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`UMAP epochs must be a non-negative integer, got ${epochs}`);
  if (!(minDist >= 0)) throw new RangeError(`UMAP minDist must be at least 0, got ${minDist}`);
  const k = Math.min(neighbors - 1, n - 1);
  if (k < 1) return new Float32Array(n * 2);
  const seed = options.seed ?? 0;
  const [searching, weighing, joining, starting, laying] = stagesOf(options, stageWeights(epochs));
  const search = n >= CLUSTERED_SEARCH_FROM ? clusteredNeighbours : nearestNeighbours;
  const { indices, distances, order } = inLocalOrder(await search(tf, data, n, d, k, searching), n, k);
  // umap-learn's target, log2(n_neighbors), counts the point itself among its neighbours.
  const memberships = await fuzzyMembership(distances, n, k, Math.log2(k + 1), weighing);
  const graph = await symmetrize(indices, memberships, n, k, (a, b) => a + b - a * b, joining);
  starting.onProgress?.(0, 'start');
  const layout = reorderLayout(await pcaLayout(tf, data, n, d, seed), order, true);
  let extent = 0;
  for (const value of layout) extent = Math.max(extent, Math.abs(value));
  for (let p = 0; p < layout.length; p++) layout[p]! *= INITIAL_EXTENT / (extent || 1);
  starting.onProgress?.(1, 'start');
  await pause(options.signal);
  await optimizeLayout(layout, graph, n, epochs, curveParameters(minDist), seed, laying);
  return reorderLayout(layout, order, false);
}

/**
 * The expected time of each step (neighbours, memberships, graph, start, layout) relative to the
 * others, as measured at a million points (bench/README.md): the search about 1, the memberships
 * 0.2, the graph 0.06, the start 0.04 and each epoch 0.023 of the clustered search; the exact
 * search below CLUSTERED_SEARCH_FROM costs about what the clustered one does there.
 */
function stageWeights(epochs: number): [number, number, number, number, number] {
  return [1, 0.2, 0.06, 0.04, 0.023 * epochs];
}

/**
 * Membership strength exp(−(d − ρ)/σ) of each kNN edge: ρ is the distance to the nearest
 * (non-identical) neighbour, so every point is fully connected to at least one other, and σ is
 * found by bisection so that a row sums to `target`, giving every point the same effective degree.
 */
async function fuzzyMembership(distances: Float32Array, n: number, k: number, target: number, options: ProjectionOptions): Promise<Float64Array> {
  let total = 0;
  for (const distance of distances) total += distance;
  const meanDistance = total / distances.length;
  const weights = new Float64Array(n * k);
  await eachRow(n, 'affinities', options, (i) => {
    const row = distances.subarray(i * k, (i + 1) * k);
    const rho = row.find((distance) => distance > 0) ?? 0;
    let low = 0;
    let high = Infinity;
    let sigma = 1;
    for (let step = 0; step < 64; step++) {
      let sum = 0;
      for (const distance of row) sum += distance > rho ? Math.exp(-(distance - rho) / sigma) : 1;
      if (Math.abs(sum - target) < 1e-5) break;
      if (sum > target) high = sigma;
      else low = sigma;
      sigma = high === Infinity ? sigma * 2 : (low + high) / 2;
    }
    // As in umap-learn, a floor keeps σ from collapsing where the row cannot reach the target.
    let rowSum = 0;
    for (const distance of row) rowSum += distance;
    sigma = Math.max(sigma, 1e-3 * (rho > 0 ? rowSum / k : meanDistance));
    for (let p = 0; p < k; p++) weights[i * k + p] = Math.exp(-Math.max(0, row[p]! - rho) / sigma);
  });
  return weights;
}

/**
 * Stochastic gradient descent on the cross-entropy between the graph and the layout's similarities
 * 1 / (1 + a·r^(2b)) (umapEpoch.ts), with NEGATIVE_SAMPLES random pushes per sampled edge. Large
 * layouts are split into one share per core, of contiguous points (the local order keeps most
 * edges inside a share) with about equal numbers of edges.
 */
async function optimizeLayout(result: Float32Array, graph: SparseGraph, n: number, epochs: number, curve: { a: number; b: number }, seed: number, options: ProjectionOptions): Promise<void> {
  // Each directed entry is an edge, sampled every max(w)/w epochs; edges too weak to be sampled
  // even once in `epochs` are dropped.
  let strongest = 0;
  for (const value of graph.values) strongest = Math.max(strongest, value);
  const edges = edgeList(graph, (_row, _column, value) => value >= strongest / epochs);
  const m = edges.heads.length;
  const heads = shared(Int32Array, m);
  const tails = shared(Int32Array, m);
  heads.set(edges.heads);
  tails.set(edges.tails);
  const epochsPerSample = shared(Float64Array, m);
  for (let e = 0; e < m; e++) epochsPerSample[e] = strongest / edges.values[e]!;
  const nextSample = shared(Float64Array, m);
  const nextNegative = shared(Float64Array, m);
  nextSample.set(epochsPerSample);
  for (let e = 0; e < m; e++) nextNegative[e] = epochsPerSample[e]! / NEGATIVE_SAMPLES;
  // Float64 so that the hundreds of millions of small updates are neither rounded nor converted.
  const live = shared(Float64Array, 2 * n);
  live.set(result);
  const common = { live, start: shared(Float32Array, 2 * n), heads, tails, epochsPerSample, nextSample, nextNegative, n, epochs, ...curve, powers: powerTable(curve.b), negativeSamples: NEGATIVE_SAMPLES };
  const random = seededRandom(seed);
  const count = n >= THREADED_FROM ? Math.min(MAX_THREADS, availableParallelism()) : 1;
  const shares: EpochShare[] = [];
  for (let s = 0, edgeFrom = 0; s < count; s++) {
    let edgeTo = s === count - 1 ? m : Math.max(edgeFrom, Math.floor((m * (s + 1)) / count));
    while (edgeTo < m && heads[edgeTo] === heads[edgeTo - 1]) edgeTo++;
    const pointFrom = edgeFrom < m ? heads[edgeFrom]! : n;
    const pointTo = s === count - 1 ? n : edgeTo < m ? heads[edgeTo]! : n;
    shares.push({ ...common, edgeFrom, edgeTo, pointFrom: s === 0 ? 0 : pointFrom, pointTo, random: Math.floor(random() * 0xffffffff) | 1 });
    edgeFrom = edgeTo;
  }
  await runLayoutEpochs(shares, epochs, options);
  result.set(live);
}

function shared<T extends Int32Array | Float32Array | Float64Array>(Type: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T {
  return new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT));
}
