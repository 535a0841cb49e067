/**
 * The point under the pointer, looked up in the k-d tree regl-scatterplot built when the points were
 * drawn. The scatter's own hover renders a frame of every point to highlight one (a good part of a
 * second at a million points in software WebGL); the map finds the point here and rings it in its
 * 2-D mark layer.
 */
import createKDBushClass, { type KDBush } from 'regl-scatterplot/src/kdbush-class.js';

const KDBushClass = createKDBushClass();

export class PointFinder {
  private readonly tree: KDBush;

  /** `spatialIndex` is the scatter's tree over (`x`, `y`), the coordinates it was given. */
  constructor(
    readonly spatialIndex: ArrayBuffer,
    private readonly x: Float32Array,
    private readonly y: Float32Array,
  ) {
    this.tree = KDBushClass.from(spatialIndex);
  }

  /** The point nearest to (x, y) and no further than `radius`, in the scatter's coordinates. */
  nearest(x: number, y: number, radius: number): number | undefined {
    let best: number | undefined;
    let bestDistance = Infinity;
    for (const index of this.tree.within(x, y, radius)) {
      const distance = (this.x[index]! - x) ** 2 + (this.y[index]! - y) ** 2;
      if (distance < bestDistance) [best, bestDistance] = [index, distance];
    }
    return best;
  }
}
