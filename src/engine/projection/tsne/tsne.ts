/**
 * t-SNE (van der Maaten & Hinton 2008; van der Maaten 2014 for the sparse input affinities):
 * perplexity-calibrated Gaussian affinities over the exact 3·perplexity nearest neighbours,
 * symmetrised and normalised; gradient descent with momentum and per-coordinate gains on the KL
 * divergence, attractive forces summed over the sparse affinities and repulsive ones from the FFT
 * grid of tsneRepulsion.ts. The start is the PCA layout scaled to a standard deviation of 1e-4.
 * Gradients omit the constant factor 4, as bhtsne and FIt-SNE do, which is what their learning
 * rate (here max(200, n/12)) assumes.
 */
import type { Tf } from '../../backend';
import { edgeList, symmetrize, type EdgeList } from '../umap/graph';
import { pcaLayout } from '../init';
import { nearestNeighbours } from '../knn/knn';
import { inLocalOrder, reorderLayout } from '../knn/locality';
import { eachRow, pause, subStep, type ProjectionOptions } from '../progress';
import { Repulsion } from './tsneRepulsion';

export interface TsneOptions extends ProjectionOptions {
  /** Effective number of neighbours (default 30; lowered to (n − 1)/3 for small n). */
  perplexity?: number;
  /** Gradient descent iterations (default 750). */
  iterations?: number;
}

const EXAGGERATION = 12;
const EXAGGERATED_ITERATIONS = 250;
const INITIAL_SCALE = 1e-4;

export async function tsne(tf: Tf, data: Float32Array, n: number, d: number, options: TsneOptions = {}): Promise<Float32Array> {
  const iterations = options.iterations ?? 750;
  const requested = options.perplexity ?? 30;
  if (!(requested > 0)) throw new RangeError(`t-SNE perplexity must be positive, got ${requested}`);
  if (!Number.isInteger(iterations) || iterations < 0) throw new RangeError(`t-SNE iterations must be a non-negative integer, got ${iterations}`);
  if (n < 2) return new Float32Array(n * 2);
  const perplexity = Math.min(requested, (n - 1) / 3);
  const k = Math.max(1, Math.min(n - 1, Math.floor(3 * perplexity)));
  const { indices, distances, order } = inLocalOrder(await nearestNeighbours(tf, data, n, d, k, subStep(options, 0, 0.1)), n, k);
  const conditional = await conditionalAffinities(distances, n, k, perplexity, subStep(options, 0.1, 0.15));
  const affinities = await symmetrize(indices, conditional, n, k, (a, b) => a + b, subStep(options, 0.15, 0.16));
  let total = 0;
  for (const value of affinities.values) total += value;
  for (let p = 0; p < affinities.values.length; p++) affinities.values[p]! /= total;
  const layout = Float64Array.from(reorderLayout(await pcaLayout(tf, data, n, d, options.seed ?? 0), order, true), (value) => value * INITIAL_SCALE);
  // Each pair once: the attraction loop applies it to both ends.
  await descend(layout, edgeList(affinities, (row, column) => row < column), n, iterations, subStep(options, 0.16, 1));
  return reorderLayout(Float32Array.from(layout), order, false);
}

/**
 * p_j|i ∝ exp(−β_i·d_ij²) over each point's neighbours, with β_i found by bisection so that the
 * row's entropy is log(perplexity). Distances are taken relative to the nearest one, which leaves
 * p unchanged and keeps exp from underflowing.
 */
async function conditionalAffinities(distances: Float32Array, n: number, k: number, perplexity: number, options: ProjectionOptions): Promise<Float64Array> {
  const target = Math.log(perplexity);
  const p = new Float64Array(n * k);
  await eachRow(n, 'affinities', options, (i) => {
    const nearest = distances[i * k]! ** 2;
    let beta = 1;
    let low = 0;
    let high = Infinity;
    let sum = 1;
    for (let step = 0; step < 100; step++) {
      sum = 0;
      let weighted = 0;
      for (let t = i * k; t < (i + 1) * k; t++) {
        const excess = distances[t]! ** 2 - nearest;
        const w = Math.exp(-beta * excess);
        p[t] = w;
        sum += w;
        weighted += w * excess;
      }
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      if (Math.abs(entropy - target) < 1e-5) break;
      if (entropy > target) low = beta;
      else high = beta;
      beta = high === Infinity ? beta * 2 : (low + high) / 2;
    }
    for (let t = i * k; t < (i + 1) * k; t++) p[t]! /= sum;
  });
  return p;
}

/** Gradient descent with momentum 0.5 then 0.8, delta-bar-delta gains, and early exaggeration. */
async function descend(layout: Float64Array, pairs: EdgeList, n: number, iterations: number, options: ProjectionOptions): Promise<void> {
  const learningRate = Math.max(200, n / 12);
  const gradient = new Float64Array(2 * n);
  const repulsive = new Float64Array(2 * n);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const repulsion = new Repulsion();
  for (let iteration = 0; iteration < iterations; iteration++) {
    const early = iteration < EXAGGERATED_ITERATIONS;
    const z = repulsion.compute(layout, n, repulsive);
    attract(layout, pairs, early ? EXAGGERATION : 1, gradient);
    const momentum = early ? 0.5 : 0.8;
    let meanX = 0;
    let meanY = 0;
    for (let c = 0; c < 2 * n; c++) {
      const g = gradient[c]! - repulsive[c]! / z;
      gains[c] = Math.max(0.01, Math.sign(g) !== Math.sign(update[c]!) ? gains[c]! + 0.2 : gains[c]! * 0.8);
      update[c] = momentum * update[c]! - learningRate * gains[c]! * g;
      layout[c]! += update[c]!;
      if (c % 2 === 0) meanX += layout[c]!;
      else meanY += layout[c]!;
    }
    // Recentring keeps the grid of the next repulsion step around the points.
    for (let i = 0; i < n; i++) {
      layout[2 * i]! -= meanX / n;
      layout[2 * i + 1]! -= meanY / n;
    }
    options.onProgress?.((iteration + 1) / iterations, 'layout');
    await pause(options.signal);
  }
}

/** The attractive forces exaggeration·Σ_j p_ij·K_ij·(y_i − y_j), written to `out`. */
function attract(layout: Float64Array, pairs: EdgeList, exaggeration: number, out: Float64Array): void {
  const { heads, tails, values } = pairs;
  out.fill(0);
  for (let e = 0; e < heads.length; e++) {
    const i = 2 * heads[e]!;
    const j = 2 * tails[e]!;
    const dx = layout[i]! - layout[j]!;
    const dy = layout[i + 1]! - layout[j + 1]!;
    const strength = (exaggeration * values[e]!) / (1 + dx * dx + dy * dy);
    out[i]! += strength * dx;
    out[i + 1]! += strength * dy;
    out[j]! -= strength * dx;
    out[j + 1]! -= strength * dy;
  }
}
