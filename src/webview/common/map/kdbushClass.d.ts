// regl-scatterplot ships its KDBush 4 class as untyped source; the map reads the scatter's own k-d
// tree (its serialised buffer) back with it, in pointFinder.ts.
declare module 'regl-scatterplot/src/kdbush-class.js' {
  export interface KDBush {
    /** Indices of the points within `radius` of (x, y). */
    within(x: number, y: number, radius: number): number[];
  }
  export default function createKDBushClass(): { from(data: ArrayBuffer): KDBush };
}
