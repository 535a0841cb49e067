/**
 * Exact k nearest neighbours by brute force on the tensor backend: query rows go in blocks through
 * one matMul against all points and a two-stage top-k, so the native backend does the O(n²·d)
 * work. The tensors only pick candidates; their distances are then recomputed exactly in float64
 * from the data, which also settles the order among candidates that float32 rounding left tied.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../../backend';
import { pause, type ProjectionOptions } from '../progress';

export interface Neighbours {
  /** Row-major [n, k], nearest first; a point is never listed as its own neighbour. */
  indices: Int32Array;
  /** Euclidean distances matching `indices`. */
  distances: Float32Array;
}

/** Bounds the [rows, n] score block of one step (2^24 float32 values: 64 MB). */
const BLOCK_ELEMENTS = 1 << 24;
/** Columns per group in the two-stage top-k. */
const GROUP = 32;

/** The neighbours of every point, or of `rows` only (then row r of the result is rows[r]'s). */
export async function nearestNeighbours(tf: Tf, data: Float32Array, n: number, d: number, k: number, options: ProjectionOptions = {}, rows?: Int32Array): Promise<Neighbours> {
  if (!Number.isInteger(k) || k < 1 || k >= n) throw new RangeError(`k must be an integer from 1 to ${n - 1} (one less than the number of points), got ${k}`);
  const groups = Math.ceil(n / GROUP);
  const chosenGroups = Math.min(groups, k + 1);
  const blockRows = Math.max(1, Math.min(4096, Math.floor(BLOCK_ELEMENTS / (groups * GROUP))));
  const [queries, keys] = tf.tidy(() => {
    const [allQueries, scored] = scoringRows(tf, data, n, d);
    const scoring = rows ? tf.gather(allQueries, rows) : allQueries;
    // Padding columns score −3e38 so that the columns split evenly into groups.
    const padding = tf.concat([tf.zeros([groups * GROUP - n, d]), tf.fill([groups * GROUP - n, 1], -3e38)], 1);
    return [scoring, tf.concat([scored, padding], 0).transpose()];
  });
  const queryCount = rows ? rows.length : n;
  const indices = new Int32Array(queryCount * k);
  const distances = new Float32Array(queryCount * k);
  try {
    for (let start = 0; start < queryCount; start += blockRows) {
      const block = Math.min(blockRows, queryCount - start);
      const [bestGroups, bestInGroups] = tf.tidy(() => topCandidates(tf, tf.matMul(queries.slice([start, 0], [block, d + 1]), keys), block, groups, chosenGroups, k + 1));
      const groupIds = (await bestGroups.data()) as Int32Array;
      const positions = (await bestInGroups.data()) as Int32Array;
      tf.dispose([bestGroups, bestInGroups]);
      const candidates = new Int32Array(k + 1);
      for (let r = 0; r < block; r++) {
        for (let c = 0; c <= k; c++) {
          const position = positions[r * (k + 1) + c]!;
          candidates[c] = groupIds[r * chosenGroups + Math.floor(position / GROUP)]! * GROUP + (position % GROUP);
        }
        keepNearest(data, d, rows ? rows[start + r]! : start + r, candidates, indices, distances, k, (start + r) * k);
      }
      options.onProgress?.((start + block) / queryCount, 'neighbours');
      await pause(options.signal);
    }
  } finally {
    tf.dispose([queries, keys]);
  }
  return { indices, distances };
}

/**
 * Rows [2q, 1] and [x, −‖x‖²] of the centred data, whose products 2q·x − ‖x‖² rank the points x for
 * a query q as −‖q − x‖² does (‖q‖² is the same for all): one matMul scores a block of queries.
 * Centring keeps the norms small, and with them the float32 cancellation.
 */
export function scoringRows(tf: Tf, data: Float32Array, n: number, d: number): [Tensor2D, Tensor2D] {
  return tf.tidy(() => {
    const x = tf.tensor2d(data, [n, d]);
    const centred = tf.sub(x, tf.mean(x, 0));
    return [tf.concat([tf.mul(centred, 2), tf.ones([n, 1])], 1), tf.concat([centred, tf.neg(tf.sum(tf.square(centred), 1, true))], 1)] as [Tensor2D, Tensor2D];
  });
}

/**
 * Top `count` columns of each score row in two stages, because one topk over all n columns is the
 * slowest step: the `count` groups with the highest maxima hold every top-`count` column (a group
 * holding one has its maximum at least the count-th best score, and at most `count` groups can), so
 * topk over the group maxima and then over those groups' columns finds them. Returns the chosen
 * groups [rows, chosen] and positions within their concatenation [rows, count].
 */
function topCandidates(tf: Tf, scores: Tensor, rows: number, groups: number, chosen: number, count: number): [Tensor, Tensor] {
  const grouped = tf.reshape(scores, [rows, groups, GROUP]);
  const bestGroups = tf.topk(tf.max(grouped, 2), chosen).indices;
  const members = tf.reshape(tf.gather(grouped, bestGroups, 1, 1), [rows, chosen * GROUP]);
  return [bestGroups, tf.topk(members, count).indices];
}

/**
 * Writes row `row`'s k nearest of its `candidates` (itself possibly among them: it is skipped) at
 * position `out` (by default the row's own, row·k) of `indices` and `distances`.
 */
export function keepNearest(data: Float32Array, d: number, row: number, candidates: Int32Array, indices: Int32Array, distances: Float32Array, k: number, out = row * k): void {
  let count = 0;
  for (const j of candidates) {
    if (j === row) continue;
    let sum = 0;
    for (let t = 0; t < d; t++) {
      const diff = data[row * d + t]! - data[j * d + t]!;
      sum += diff * diff;
    }
    const distance = Math.sqrt(sum);
    let slot: number;
    if (count < k) slot = count++;
    else if (distance < distances[out + k - 1]!) slot = k - 1;
    else continue;
    for (; slot > 0 && distances[out + slot - 1]! > distance; slot--) {
      distances[out + slot] = distances[out + slot - 1]!;
      indices[out + slot] = indices[out + slot - 1]!;
    }
    distances[out + slot] = distance;
    indices[out + slot] = j;
  }
}
