// regl-scatterplot ships its KDBush 4 class and its shaders as untyped source modules. The map
// builds the scatter's k-d tree with the class (spatialIndex.ts) and reads it back (pointFinder.ts);
// its own first frame draws with the scatter's point fragment shader (firstFrame.ts).
declare module 'regl-scatterplot/src/kdbush-class.js' {
  export interface KDBush {
    /** The tree serialised: a header, the ids, the coordinates. */
    readonly data: ArrayBuffer;
    /** Indices of the points within `radius` of (x, y). */
    within(x: number, y: number, radius: number): number[];
    add(x: number, y: number): number;
    /** Sorts the added points into the tree, in one go. */
    finish(): KDBush;
  }
  export interface KDBushClass {
    new (numItems: number, nodeSize?: number): KDBush;
    from(data: ArrayBuffer): KDBush;
  }
  export default function createKDBushClass(): KDBushClass;
}

/** GLSL source as a module's default export (the file is JavaScript; the bundles load `.fs` as such). */
declare module 'regl-scatterplot/src/point.fs' {
  const source: string;
  export default source;
}
