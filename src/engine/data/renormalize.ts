/**
 * A checkpoint expects inputs scaled by the normalisation it was trained with, not by the new
 * dataset's own range: rescale x from the dataset's min/max to the checkpoint's.
 */
import type { Dataset, Normalization } from './dataset';
import { sampleSize } from './dataset';
import { checkNormalization } from './normalize';

export function renormalize(dataset: Dataset, target: Normalization): Float32Array {
  return renormalizeRows(dataset.x, sampleSize(dataset.shape), dataset.normalization, target, dataset.source);
}

/**
 * Rows of `features` values normalised by `source`, rescaled to `target`: `x` itself when the two
 * agree, so callers must not write into the result.
 */
export function renormalizeRows(x: Float32Array, features: number, source: Normalization, target: Normalization, where: string): Float32Array {
  if (sameNormalization(source, target)) return x;
  for (const n of [source, target]) checkNormalization(n, features, where);
  const out = new Float32Array(x.length);
  const at = (values: number[], feature: number) => values[values.length === 1 ? 0 : feature]!;
  for (let i = 0; i < out.length; i++) {
    const feature = i % features;
    const raw = x[i]! * (at(source.max, feature) - at(source.min, feature)) + at(source.min, feature);
    out[i] = (raw - at(target.min, feature)) / (at(target.max, feature) - at(target.min, feature));
  }
  return out;
}

function sameNormalization(a: Normalization, b: Normalization): boolean {
  return a.min.length === b.min.length && a.min.every((value, i) => value === b.min[i] && a.max[i] === b.max[i]);
}
