/**
 * A checkpoint expects inputs scaled by the normalisation it was trained with, not by the new
 * dataset's own range: rescale x from the dataset's min/max to the checkpoint's.
 */
import type { Dataset, Normalization } from './dataset';
import { DataError, sampleSize } from './dataset';

export function renormalize(dataset: Dataset, target: Normalization): Float32Array {
  const source = dataset.normalization;
  if (sameNormalization(source, target)) return dataset.x;
  const features = sampleSize(dataset.shape);
  for (const n of [source, target]) {
    if (n.min.length !== 1 && n.min.length !== features) {
      throw new DataError(`${dataset.source}: the normalisation has ${n.min.length} entries but samples have ${features} features — the data does not match the model`);
    }
  }
  const out = new Float32Array(dataset.x.length);
  const at = (values: number[], feature: number) => values[values.length === 1 ? 0 : feature]!;
  for (let i = 0; i < out.length; i++) {
    const feature = i % features;
    const raw = dataset.x[i]! * (at(source.max, feature) - at(source.min, feature)) + at(source.min, feature);
    out[i] = (raw - at(target.min, feature)) / (at(target.max, feature) - at(target.min, feature));
  }
  return out;
}

function sameNormalization(a: Normalization, b: Normalization): boolean {
  return a.min.length === b.min.length && a.min.every((value, i) => value === b.min[i] && a.max[i] === b.max[i]);
}
