/** Sparse symmetric matrices built from kNN lists, in CSR form with both (i, j) and (j, i) stored. */
import { eachRow, stagesOf, type ProjectionOptions } from '../progress';
export interface SparseGraph {
  /** Row i's entries are at [rowStart[i], rowStart[i + 1]). */
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/**
 * W_ij = combine(w_ij, w_ji) for every pair joined in either direction, where w_ij is the weight at
 * the position of j in i's neighbour list, or 0 when j is not there. `combine` must be symmetric.
 * The passes over the lists go a block of rows per turn of the event loop: at a million points
 * they take seconds.
 */
export async function symmetrize(neighbours: Int32Array, weights: Float64Array, n: number, k: number, combine: (a: number, b: number) => number, options: ProjectionOptions = {}): Promise<SparseGraph> {
  const [reversing, filling] = stagesOf(options, [2, 1]);
  const reverse = await reverseEdges(neighbours, n, k, reversing);
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = k;
  for (let p = 0; p < n * k; p++) if (reverse[p]! < 0) rowStart[neighbours[p]! + 1]!++;
  for (let i = 0; i < n; i++) rowStart[i + 1]! += rowStart[i]!;
  const columns = new Int32Array(rowStart[n]!);
  const values = new Float64Array(rowStart[n]!);
  const cursor = rowStart.slice(0, n);
  await eachRow(n, 'graph', filling, (i) => {
    for (let p = i * k; p < (i + 1) * k; p++) {
      const j = neighbours[p]!;
      const partner = reverse[p]!;
      const value = combine(weights[p]!, partner < 0 ? 0 : weights[partner]!);
      columns[cursor[i]!] = j;
      values[cursor[i]!++] = value;
      // A one-way edge also fills its mirror; a mutual one is filled from both lists.
      if (partner < 0) {
        columns[cursor[j]!] = i;
        values[cursor[j]!++] = value;
      }
    }
  });
  return { rowStart, columns, values };
}

/** For each edge p = (i → j) of the lists, the position of (j → i), or −1: O(n·k) by way of a transpose. */
async function reverseEdges(neighbours: Int32Array, n: number, k: number, options: ProjectionOptions): Promise<Int32Array> {
  const inStart = new Int32Array(n + 1);
  for (let p = 0; p < n * k; p++) inStart[neighbours[p]! + 1]!++;
  for (let i = 0; i < n; i++) inStart[i + 1]! += inStart[i]!;
  const incoming = new Int32Array(n * k);
  const cursor = inStart.slice(0, n);
  for (let p = 0; p < n * k; p++) incoming[cursor[neighbours[p]!]!++] = p;
  const reverse = new Int32Array(n * k).fill(-1);
  // While row j is visited, at[t] is the position of (j → t); entries left from earlier rows fall
  // outside row j's range and so read as absent.
  const at = new Int32Array(n).fill(-1);
  await eachRow(n, 'graph', options, (j) => {
    for (let p = j * k; p < (j + 1) * k; p++) at[neighbours[p]!] = p;
    for (let e = inStart[j]!; e < inStart[j + 1]!; e++) {
      const q = incoming[e]!;
      const p = at[Math.floor(q / k)]!;
      if (p >= j * k && p < (j + 1) * k) reverse[q] = p;
    }
  });
  return reverse;
}

export interface EdgeList {
  heads: Int32Array;
  tails: Int32Array;
  values: Float64Array;
}

/** The entries (row, column, value) of `graph` that `keep` accepts, as parallel arrays. */
export function edgeList(graph: SparseGraph, keep: (row: number, column: number, value: number) => boolean): EdgeList {
  const { rowStart, columns, values } = graph;
  const heads = new Int32Array(values.length);
  const tails = new Int32Array(values.length);
  const kept = new Float64Array(values.length);
  let count = 0;
  for (let i = 0; i + 1 < rowStart.length; i++) {
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) {
      if (!keep(i, columns[p]!, values[p]!)) continue;
      heads[count] = i;
      tails[count] = columns[p]!;
      kept[count++] = values[p]!;
    }
  }
  return { heads: heads.slice(0, count), tails: tails.slice(0, count), values: kept.slice(0, count) };
}
