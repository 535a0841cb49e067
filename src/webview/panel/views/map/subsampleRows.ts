/**
 * A map of some of the session's points (t-SNE of a stated random subsample): the scatter draws rows,
 * row r being sample `samples[r]`. Everything else in the explorer speaks in sample indices, so the
 * map view turns picks, matches and colors into rows on the way in, and hovers, clicks and
 * selections into samples on the way out.
 */
import type { Coloring } from '../../../common/map/mapColoring';

export class SubsampleRows {
  /** Per sample: its row, or -1 when it is not on the map. */
  private readonly rowOf: Int32Array;

  constructor(readonly samples: Int32Array, count: number) {
    this.rowOf = new Int32Array(count).fill(-1);
    samples.forEach((sample, row) => (this.rowOf[sample] = row));
  }

  sample(row: number): number {
    return this.samples[row]!;
  }

  /** The rows of those samples that are on the map, in the samples' order. */
  rows(samples: ArrayLike<number>): number[] {
    const rows: number[] = [];
    for (let i = 0; i < samples.length; i++) {
      const row = this.rowOf[samples[i]!] ?? -1;
      if (row >= 0) rows.push(row);
    }
    return rows;
  }

  coloring(coloring: Coloring): Coloring {
    return coloring.kind === 'label'
      ? { kind: 'label', categories: this.pick(coloring.categories) }
      : { ...coloring, values: this.pick(coloring.values) };
  }

  private pick<T extends Int32Array | Float32Array>(perSample: T): T {
    const rows = perSample.slice(0, this.samples.length) as T;
    this.samples.forEach((sample, row) => (rows[row] = perSample[sample]!));
    return rows;
  }
}
