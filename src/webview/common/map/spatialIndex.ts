/**
 * The k-d tree over the map's points (hover, box and lasso ask it), built after the first frame
 * rather than before it. regl-scatterplot builds its tree in `draw` and draws nothing until it
 * exists — a quarter of a second at a million points, on the main thread since the webview's CSP
 * allows no blob: worker. Given a tree's buffer instead (`draw(points, { spatialIndex })`), it reads
 * the buffer as a finished tree and draws at once; this class hands it one whose header and size
 * are final from the start and sorts it in place afterwards, in slices between frames, so the
 * scatter's tree and ours are one buffer. Until `done`, the buffer is no tree yet: the map asks
 * nothing of it, and an interaction that needs it (a lasso or box ending, a hover) finishes it
 * first with `finishNow`.
 *
 * The layout is KDBush 4's (regl-scatterplot's, with its defaults: 64 points a node, Float64
 * coordinates): each range is split at its middle index, on x and y by turns, with nothing on the
 * left above the middle item and nothing on the right below it. KDBush's queries need only that,
 * not its own choice among equal items, so the splits are made here by a selection of our own,
 * from an explicit stack instead of recursion so the work can stop between ranges.
 */
import createKDBushClass from 'regl-scatterplot/src/kdbush-class.js';

const KDBush = createKDBushClass();

/** regl-scatterplot's node size (KDBush's default; its own `draw` builds with it). */
const NODE_SIZE = 64;
/** Work between yields, in ms: short enough that frames and input keep their pace. */
const SLICE_MS = 8;

type Ids = Uint16Array | Uint32Array;

export class SpatialIndex {
  /** The tree in KDBush's serialised form; sorted in place until `done`. */
  readonly buffer: ArrayBuffer;
  /** Resolves once the tree is sorted, or once it is no longer wanted (`cancel`). */
  readonly ready: Promise<void>;
  private readonly ids: Ids;
  private readonly coords: Float64Array;
  /** Ranges still to split (left, right, axis); undefined until the points are in. */
  private stack: number[] | undefined;
  private finished = false;
  private cancelled = false;
  private resolve!: () => void;

  /** The tree's buffer for (`x`, `y`), its header final; the points go in when the work starts. */
  constructor(
    private readonly x: Float32Array,
    private readonly y: Float32Array,
  ) {
    const index = new KDBush(x.length, NODE_SIZE) as unknown as { data: ArrayBuffer; ids: Ids; coords: Float64Array };
    this.buffer = index.data;
    this.ids = index.ids;
    this.coords = index.coords;
    this.ready = new Promise((resolve) => (this.resolve = resolve));
  }

  get done(): boolean {
    return this.finished;
  }

  /** Sorts in slices, each in a task of its own after the frames and input waiting. */
  start(): void {
    const step = () => {
      if (this.cancelled || this.finished) return;
      this.work(performance.now() + SLICE_MS);
      if (!this.finished) yieldTask(step);
    };
    yieldTask(step);
  }

  /** Sorts what is left now, for an interaction that needs the tree in this task (also after `cancel`: the points may still be on screen). */
  finishNow(): void {
    this.work(Infinity);
  }

  /** Newer points are coming: the slices stop (`finishNow` still sorts on demand). */
  cancel(): void {
    this.cancelled = true;
    this.resolve();
  }

  private fill(): number[] {
    const { ids, coords, x, y } = this;
    for (let i = 0; i < x.length; i++) {
      ids[i] = i;
      coords[2 * i] = x[i]!;
      coords[2 * i + 1] = y[i]!;
    }
    return x.length > 0 ? [0, x.length - 1, 0] : [];
  }

  private work(deadline: number): void {
    const { ids, coords } = this;
    const stack = (this.stack ??= this.fill());
    while (stack.length > 0) {
      const axis = stack.pop()!;
      const right = stack.pop()!;
      const left = stack.pop()!;
      if (right - left <= NODE_SIZE) continue;
      const middle = (left + right) >> 1;
      select(ids, coords, middle, left, right, axis);
      stack.push(left, middle - 1, 1 - axis, middle + 1, right, 1 - axis);
      if (performance.now() > deadline) return;
    }
    if (!this.finished) {
      this.finished = true;
      this.resolve();
    }
  }
}

/**
 * A task of its own, without setTimeout's 4 ms floor for nested timers: a message to ourselves
 * (scheduled like input and rendering, not held back like timers in a busy page).
 */
function yieldTask(task: () => void): void {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    task();
  };
  channel.port2.postMessage(undefined);
}

/**
 * Reorders [left, right] so that the item at k is in its sorted place on `axis`: nothing before it
 * is greater, nothing after it smaller. Quickselect with Hoare's partition, whose two scans stop on
 * items equal to the pivot, so the repeated coordinates of projections (clumps, rounding) still
 * split evenly; the pivot is the median of the range's two ends and middle, which keeps sorted
 * runs from going quadratic.
 */
function select(ids: Ids, coords: Float64Array, k: number, left: number, right: number, axis: number): void {
  while (right > left) {
    const pivot = medianOfThree(coords[2 * left + axis]!, coords[2 * ((left + right) >> 1) + axis]!, coords[2 * right + axis]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (coords[2 * i + axis]! < pivot) i++;
      while (coords[2 * j + axis]! > pivot) j--;
      if (i <= j) swapItem(ids, coords, i++, j--);
    }
    // Now [left, j] ≤ pivot ≤ [i, right], and anything between j and i equals the pivot.
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function medianOfThree(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

function swapItem(ids: Ids, coords: Float64Array, i: number, j: number): void {
  const id = ids[i]!;
  ids[i] = ids[j]!;
  ids[j] = id;
  const x = coords[2 * i]!;
  coords[2 * i] = coords[2 * j]!;
  coords[2 * j] = x;
  const y = coords[2 * i + 1]!;
  coords[2 * i + 1] = coords[2 * j + 1]!;
  coords[2 * j + 1] = y;
}
