/**
 * Renumbering points in breadth-first order of their kNN graph, so that neighbours get nearby
 * numbers. The layout loops of UMAP and t-SNE read and write both ends of every edge; with graph
 * neighbours close in memory those accesses mostly hit the cache, which made t-SNE's attraction
 * loop two to three times faster at 70,000 points than in the data's own order.
 */
import type { Neighbours } from './knn';

export interface LocalNeighbours extends Neighbours {
  /** order[r] is the original number of the point numbered r. */
  order: Int32Array;
}

export function inLocalOrder(neighbours: Neighbours, n: number, k: number): LocalNeighbours {
  const order = new Int32Array(n);
  const seen = new Uint8Array(n);
  let tail = 0;
  for (let start = 0; start < n; start++) {
    if (seen[start]) continue;
    seen[start] = 1;
    order[tail++] = start;
    for (let head = tail - 1; head < tail; head++) {
      for (let p = order[head]! * k; p < (order[head]! + 1) * k; p++) {
        const j = neighbours.indices[p]!;
        if (seen[j]) continue;
        seen[j] = 1;
        order[tail++] = j;
      }
    }
  }
  const number = new Int32Array(n);
  for (let r = 0; r < n; r++) number[order[r]!] = r;
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < k; t++) {
      indices[r * k + t] = number[neighbours.indices[order[r]! * k + t]!]!;
      distances[r * k + t] = neighbours.distances[order[r]! * k + t]!;
    }
  }
  return { indices, distances, order };
}

/** Rows of a [n, 2] layout moved from the original numbering to the local one, or back. */
export function reorderLayout(layout: Float32Array, order: Int32Array, toLocal: boolean): Float32Array {
  const out = new Float32Array(layout.length);
  for (let r = 0; r < order.length; r++) {
    const [from, to] = toLocal ? [order[r]!, r] : [r, order[r]!];
    out[2 * to] = layout[2 * from]!;
    out[2 * to + 1] = layout[2 * from + 1]!;
  }
  return out;
}
