/**
 * UMAP (McInnes, Healy & Melville 2018), written from the paper: the fuzzy simplicial set of the
 * exact kNN graph, joined by fuzzy union, then laid out in 2-D by stochastic gradient descent with
 * negative sampling. The start is the PCA layout scaled to ±10 (not the spectral one of
 * umap-learn): deterministic, cheap, and it keeps the global arrangement.
 */
import type { Tf } from '../backend';
import { seededRandom } from '../training/random';
import { edgeList, symmetrize, type SparseGraph } from './graph';
import { pcaLayout } from './init';
import { nearestNeighbours } from './knn';
import { inLocalOrder, reorderLayout } from './locality';
import { eachRow, pause, subStep, type ProjectionOptions } from './progress';
import { curveParameters } from './umapCurve';

export interface UmapOptions extends ProjectionOptions {
  /** Neighbours per point in the graph (default 15). */
  neighbors?: number;
  /** Passes of the layout optimisation (default 200 above 10,000 points, else 500). */
  epochs?: number;
  /** How tightly points may pack in the layout (default 0.1). */
  minDist?: number;
}

const NEGATIVE_SAMPLES = 5;
const CLIP = 4;
const INITIAL_EXTENT = 10;

export async function umap(tf: Tf, data: Float32Array, n: number, d: number, options: UmapOptions = {}): Promise<Float32Array> {
  const neighbors = options.neighbors ?? 15;
  const epochs = options.epochs ?? (n > 10_000 ? 200 : 500);
  const minDist = options.minDist ?? 0.1;
  if (!Number.isInteger(neighbors) || neighbors < 1) throw new RangeError(`UMAP neighbors must be a positive integer, got ${neighbors}`);
  if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`UMAP epochs must be a non-negative integer, got ${epochs}`);
  if (!(minDist >= 0)) throw new RangeError(`UMAP minDist must be at least 0, got ${minDist}`);
  const k = Math.min(neighbors, n - 1);
  if (k < 1) return new Float32Array(n * 2);
  const seed = options.seed ?? 0;
  const { indices, distances, order } = inLocalOrder(await nearestNeighbours(tf, data, n, d, k, subStep(options, 0, 0.2)), n, k);
  const memberships = await fuzzyMembership(distances, n, k, subStep(options, 0.2, 0.25));
  const graph = symmetrize(indices, memberships, n, k, (a, b) => a + b - a * b);
  const layout = reorderLayout(await pcaLayout(tf, data, n, d, seed), order, true);
  let extent = 0;
  for (const value of layout) extent = Math.max(extent, Math.abs(value));
  for (let p = 0; p < layout.length; p++) layout[p]! *= INITIAL_EXTENT / (extent || 1);
  await optimizeLayout(layout, graph, n, epochs, curveParameters(minDist), seed, subStep(options, 0.25, 1));
  return reorderLayout(layout, order, false);
}

/**
 * Membership strength exp(−(d − ρ)/σ) of each kNN edge: ρ is the distance to the nearest
 * (non-identical) neighbour, so every point is fully connected to at least one other, and σ is
 * found by bisection so that a row sums to log2(k), giving every point the same effective degree.
 */
async function fuzzyMembership(distances: Float32Array, n: number, k: number, options: ProjectionOptions): Promise<Float64Array> {
  const target = Math.log2(k);
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
 * 1 / (1 + a·r^(2b)): each sampled edge pulls its ends together, and NEGATIVE_SAMPLES random points
 * per sample push its head away. The learning rate decays linearly to 0 and every gradient
 * component is clipped to ±4.
 */
async function optimizeLayout(layout: Float32Array, graph: SparseGraph, n: number, epochs: number, curve: { a: number; b: number }, seed: number, options: ProjectionOptions): Promise<void> {
  const { a, b } = curve;
  // Each directed entry is an edge, sampled every max(w)/w epochs; edges too weak to be sampled
  // even once in `epochs` are dropped.
  let strongest = 0;
  for (const value of graph.values) strongest = Math.max(strongest, value);
  const { heads, tails, values } = edgeList(graph, (_row, _column, value) => value >= strongest / epochs);
  const epochsPerSample = values.map((value) => strongest / value);
  const epochsPerNegative = epochsPerSample.map((value) => value / NEGATIVE_SAMPLES);
  const nextSample = Float64Array.from(epochsPerSample);
  const nextNegative = Float64Array.from(epochsPerNegative);
  // xorshift32 picks the negative samples: inline, so the innermost loop calls nothing.
  let state = Math.floor(seededRandom(seed)() * 0xffffffff) | 1;
  const toVertex = n / 4294967296;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const alpha = 1 - epoch / epochs;
    for (let e = 0; e < heads.length; e++) {
      if (nextSample[e]! > epoch) continue;
      const head = heads[e]!;
      const i = 2 * head;
      const j = 2 * tails[e]!;
      let dx = layout[i]! - layout[j]!;
      let dy = layout[i + 1]! - layout[j + 1]!;
      let d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        // exp(b·ln r²) is r²ᵇ at well under half the cost of Math.pow in V8.
        const power = Math.exp(b * Math.log(d2));
        const coefficient = (-2 * a * b * power) / (d2 * (a * power + 1));
        const gx = clip(coefficient * dx) * alpha;
        const gy = clip(coefficient * dy) * alpha;
        layout[i]! += gx;
        layout[i + 1]! += gy;
        layout[j]! -= gx;
        layout[j + 1]! -= gy;
      }
      nextSample[e]! += epochsPerSample[e]!;
      const negatives = Math.floor((epoch - nextNegative[e]!) / epochsPerNegative[e]!);
      for (let s = 0; s < negatives; s++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        // Scaling beats `%`, which V8 does in floating point for values past 2³¹.
        const other = Math.floor((state >>> 0) * toVertex);
        if (other === head) continue;
        dx = layout[i]! - layout[2 * other]!;
        dy = layout[i + 1]! - layout[2 * other + 1]!;
        d2 = dx * dx + dy * dy;
        if (d2 === 0) continue;
        const coefficient = (2 * b) / ((0.001 + d2) * (a * Math.exp(b * Math.log(d2)) + 1));
        layout[i]! += clip(coefficient * dx) * alpha;
        layout[i + 1]! += clip(coefficient * dy) * alpha;
      }
      nextNegative[e]! += negatives * epochsPerNegative[e]!;
    }
    options.onProgress?.((epoch + 1) / epochs, 'layout');
    await pause(options.signal);
  }
}

function clip(value: number): number {
  return value > CLIP ? CLIP : value < -CLIP ? -CLIP : value;
}
