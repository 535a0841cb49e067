/**
 * The maths of an attribute direction (latent arithmetic): the mean latent of a set A minus that of
 * a set B, and a point moved along it. Sets come from the map's search syntax, so "7",
 * "label:7", "column:value" or "score>0.5" each name the points they match.
 *
 * For VAEs the session's latents are already the posterior means (the engine encodes with the mean
 * head, never a sample), so a direction between them is one between posterior means.
 */
import type { Session } from '../../../shared/protocol';
import { formatCount, plural } from '../../common/format';
import { search } from '../../common/map/search';

/** A set of samples and how to name it in a note ("label 7", "map selection"). */
export interface PointSet {
  indices: readonly number[];
  name: string;
}

/** The steps the strip decodes at, as multiples of the direction. */
export const STRIP_STEPS = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2] as const;

type Searchable = Pick<Session, 'count' | 'labels' | 'labelNames' | 'metadata'>;

const QUERY_HELP = 'type a label (e.g. 7), column:value or column>number';

/**
 * The points a query names, or why it names none. `label:7` (or `label=7`) means the label 7 only —
 * never sample #7 — unless the session has a metadata column called `label`, which then answers.
 */
export function querySet(session: Searchable, query: string): PointSet | { problem: string } {
  const text = query.trim();
  if (!text) return { problem: QUERY_HELP };
  const labelPrefix = /^label\s*[:=]\s*(.*)$/i.exec(text);
  const hasLabelColumn = (session.metadata ?? []).some((column) => column.name.toLowerCase() === 'label');
  if (labelPrefix && !hasLabelColumn) {
    const wanted = labelPrefix[1]!.trim();
    // Labels alone: no sample indices, no columns.
    const result = wanted ? search({ count: 0, labels: session.labels, labelNames: session.labelNames, metadata: [] }, wanted) : undefined;
    if (!result || result.indices.length === 0) return { problem: `no label "${wanted}"${session.labels ? '' : ' (these points have no labels)'} — ${QUERY_HELP}` };
    return { indices: result.indices, name: setName(result.description) };
  }
  const result = search(session, text);
  if (!result || result.malformed) return { problem: result?.description ?? QUERY_HELP };
  if (result.indices.length === 0) return { problem: result.description.startsWith('no ') ? `${result.description} — ${QUERY_HELP}` : `${result.description.replace(/: 0 points$/, '')}: no points match` };
  return { indices: result.indices, name: setName(result.description) };
}

/** The search's description without its count, which the note states separately: 'label "7": 412 points' → 'label 7'. */
function setName(description: string): string {
  return description.replace(/: [\d,]+ points?$/, '').replace(/^label "(.*)"$/, 'label $1');
}

/** Mean latent row over `indices` of `latents` ([count, dim] row-major), in double precision. */
export function setMean(latents: Float32Array, dim: number, indices: readonly number[]): Float32Array {
  const sum = new Float64Array(dim);
  for (const index of indices) {
    const row = index * dim;
    for (let d = 0; d < dim; d++) sum[d]! += latents[row + d]!;
  }
  return Float32Array.from(sum, (value) => value / indices.length);
}

/** mean(A) − mean(B): adding it moves a point of B's kind toward A's. */
export function meanDifference(latents: Float32Array, dim: number, a: readonly number[], b: readonly number[]): Float32Array {
  const meanA = setMean(latents, dim, a);
  const meanB = setMean(latents, dim, b);
  return meanA.map((value, d) => value - meanB[d]!);
}

export function norm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return Math.sqrt(sum);
}

/** z + t·d for each t, as rows [steps.length, dim] ready to decode. */
export function movedRows(z: Float32Array, direction: ArrayLike<number>, steps: readonly number[]): Float32Array {
  const dim = z.length;
  const rows = new Float32Array(steps.length * dim);
  steps.forEach((t, row) => {
    for (let d = 0; d < dim; d++) rows[row * dim + d] = z[d]! + t * direction[d]!;
  });
  return rows;
}

/** What the note saved with a direction says of how it was made: "label 7 − label 1 (412 vs 398 points)". */
export function directionNote(a: PointSet, b: PointSet): string {
  return `${a.name} − ${b.name} (${formatCount(a.indices.length)} vs ${plural(b.indices.length, 'point')})`;
}

/** A multiple of the direction as the slider and the strip label it: "+1.50 × d". */
export function stepText(t: number): string {
  return `${t > 0 ? '+' : t < 0 ? '−' : '±'}${Math.abs(t).toFixed(2)} × d`;
}
