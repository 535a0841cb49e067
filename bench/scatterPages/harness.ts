/**
 * The page side of bench/scatterComparison.ts, bundled into every contender's page: the points,
 * the camera path and the clocks are here, once, so each contender's entry only says how its
 * library takes points and moves its camera.
 */
import { seededRandom } from '../../src/engine/training/random';
import { categoryRgb, hexRgb, type Rgb } from '../../src/webview/common/render/palette';

/** The map's size in CSS pixels; the bench gives the page a device pixel ratio of 1. */
export const VIEW_SIZE = { width: 800, height: 600 };

/** Pan/zoom frames drawn before the measured ones, so programs compiled on the first move do not count. */
const WARM_FRAMES = 2;

/** Fewer painted pixels than this and the frame counts as blank. */
export const MIN_PAINTED_PIXELS = 1000;

export const CATEGORIES = 10;

/** The latent map's own colours for ten classes. */
export const CATEGORY_RGB: Rgb[] = Array.from({ length: CATEGORIES }, (_, category) => categoryRgb(category));
export const CATEGORY_HEX = CATEGORY_RGB.map(hexRgb);

/** The point diameter the latent map uses above 20,000 points. */
export const POINT_SIZE = 2.5;

export interface Points {
  /** Both coordinates lie in [-1, 1], as a normalized projection does. */
  x: Float32Array<ArrayBuffer>;
  y: Float32Array<ArrayBuffer>;
  /** The class of each point, 0–9. */
  category: Uint8Array<ArrayBuffer>;
}

/** What is in view: `scale` 1 fits [-1, 1] into the map's height, centred on (x, y). */
export interface Camera {
  x: number;
  y: number;
  scale: number;
}

/** One library on the page, as its entry wraps it. */
export interface ScatterView {
  /** What the library paints, read back to check that a frame really has points in it. */
  readonly canvas: HTMLCanvasElement;
  /** Hands the points over; resolves once the library says it has taken them (it may draw later). */
  draw(points: Points): Promise<void>;
  /** Moves the library's own camera; it redraws on a frame of its own choosing. */
  look(camera: Camera): void;
  /** Frames the library says it has drawn, so a pan that redraws nothing shows as such. */
  redraws(): number;
  /** Of those, the full frames, where a library shows some frames without drawing every point (the latent map's moved frames). */
  fullRedraws?(): number;
  /** After the pan's last frame: ends what the moves began (the latent map's drag), or throws if the view did not follow them. */
  release?(): void;
  /** Why the library shows nothing, where it says so itself (Embedding Atlas writes it into the page). */
  problem?(): string | undefined;
}

export interface Prepared {
  /** Creating the view before any point arrives: context, programs the library builds up front. */
  initMs: number;
}

export interface Drawn {
  /** Points handed over → the second animation frame after, with the GPU's work for it done. */
  drawMs: number;
  /**
   * Read back from the library's canvas right after. A canvas that keeps no drawing buffer once
   * shown (WebGL without preserveDrawingBuffer, WebGPU) reads back blank: the bench then counts a
   * screenshot of `canvasBox` instead.
   */
  paintedPixels: number;
  canvasBox: { x: number; y: number; width: number; height: number };
}

export interface Panned {
  /** Animation frame to animation frame, the camera moved once in each. */
  frameMs: number[];
  redraws: number;
  /** Where the view says (`fullRedraws`): the redraws that drew every point. */
  fullRedraws?: number;
}

/** What the bench calls on the page. */
export interface ScatterBench {
  prepare(count: number): Promise<Prepared>;
  draw(): Promise<Drawn>;
  /** Stops early, after the frame that passes `budgetMs`, where frames take seconds. */
  pan(frames: number, budgetMs: number): Promise<Panned>;
}

declare global {
  interface Window {
    scatterBench?: ScatterBench;
  }
}

export function mountBench(create: (host: HTMLElement) => Promise<ScatterView>): void {
  let view: ScatterView | undefined;
  let points: Points | undefined;
  window.scatterBench = {
    prepare: (count) => ownTask(async () => {
      points = latentLikePoints(count);
      const host = document.getElementById('host')!;
      const started = performance.now();
      view = await create(host);
      return { initMs: performance.now() - started };
    }),
    draw: () => ownTask(async () => {
      if (!view || !points) throw new Error('draw before prepare');
      const started = performance.now();
      await view.draw(points);
      await nextFrame();
      await nextFrame();
      finishGpuWork(view.canvas);
      const drawMs = performance.now() - started;
      const problem = view.problem?.();
      if (problem) throw new Error(problem);
      const { x, y, width, height } = view.canvas.getBoundingClientRect();
      return { drawMs, paintedPixels: readBackPaintedPixels(view.canvas), canvasBox: { x, y, width, height } };
    }),
    pan: (frames, budgetMs) => ownTask(async () => {
      if (!view) throw new Error('pan before prepare');
      const redrawsBefore = view.redraws();
      const fullBefore = view.fullRedraws?.();
      const frameMs: number[] = [];
      let last = await nextFrame();
      let deadline = Infinity;
      for (let i = -WARM_FRAMES; i < frames && last < deadline; i++) {
        if (i === 0) deadline = last + budgetMs;
        view.look(cameraAt(i, frames));
        const now = await nextFrame();
        if (i >= 0) frameMs.push(now - last);
        last = now;
      }
      // The last move is drawn on a frame after the loop, if the library draws a frame late.
      await nextFrame();
      view.release?.();
      const fullAfter = view.fullRedraws?.();
      return { frameMs, redraws: view.redraws() - redrawsBefore, ...(fullBefore === undefined || fullAfter === undefined ? {} : { fullRedraws: fullAfter - fullBefore }) };
    }),
  };
}

/**
 * Runs a step in a task of the page's own: what the bench evaluates through DevTools is exempt from
 * the page's CSP check on eval, so a library's `Function(…)` called inside it would go unreported.
 */
function ownTask<T>(step: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => setTimeout(() => step().then(resolve, reject)));
}

/** One loop around the middle of the map while zooming in to 2× and back; warm-up frames lead into it. */
function cameraAt(i: number, frames: number): Camera {
  const turn = (2 * Math.PI * i) / frames;
  return { x: 0.25 * Math.sin(turn), y: 0.125 * Math.sin(2 * turn), scale: 1.5 - 0.5 * Math.cos(turn) };
}

function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}

/**
 * Reading one pixel back waits for the GPU (here SwiftShader, on the CPU) to finish what it was
 * given, so a library that only queues its draw calls is not timed as done before it is.
 */
function finishGpuWork(canvas: HTMLCanvasElement): void {
  const probe = document.createElement('canvas');
  probe.width = 1;
  probe.height = 1;
  const context = probe.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(canvas, 0, 0, 1, 1);
  context.getImageData(0, 0, 1, 1);
}

function readBackPaintedPixels(canvas: HTMLCanvasElement): number {
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const context = copy.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(canvas, 0, 0);
  return countPaintedPixels(new Uint32Array(context.getImageData(0, 0, copy.width, copy.height).data.buffer));
}

/** RGBA pixels that differ from the commonest colour, which is the background whatever a library clears to. */
export function countPaintedPixels(pixels: Uint32Array): number {
  const counts = new Map<number, number>();
  for (const pixel of pixels) counts.set(pixel, (counts.get(pixel) ?? 0) + 1);
  return pixels.length - Math.max(0, ...counts.values());
}

/**
 * A seeded mixture of 10 anisotropic, rotated Gaussians of unequal weight, some overlapping, scaled
 * into [-1, 1]: the shape of a 2-D latent map of ten classes. The same seed gives every page the
 * same points.
 */
export function latentLikePoints(count: number, seed = 15): Points {
  const random = seededRandom(seed);
  const clusters = Array.from({ length: CATEGORIES }, (_, k) => {
    const around = (2 * Math.PI * k) / CATEGORIES + 0.4 * (random() - 0.5);
    const spread = 0.05 + 0.1 * random();
    const angle = Math.PI * random();
    return {
      cx: (0.35 + 0.35 * random()) * Math.cos(around),
      cy: (0.35 + 0.35 * random()) * Math.sin(around),
      major: spread,
      minor: spread * (0.2 + 0.5 * random()),
      cos: Math.cos(angle),
      sin: Math.sin(angle),
      weight: 0.4 + random(),
    };
  });
  const total = clusters.reduce((sum, cluster) => sum + cluster.weight, 0);
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  const category = new Uint8Array(count);
  let extent = 0;
  for (let i = 0; i < count; i++) {
    let pick = random() * total;
    let k = 0;
    while (k < clusters.length - 1 && (pick -= clusters[k]!.weight) > 0) k++;
    const cluster = clusters[k]!;
    // Box–Muller: two uniform draws give two independent standard normals.
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const theta = 2 * Math.PI * random();
    const along = cluster.major * radius * Math.cos(theta);
    const across = cluster.minor * radius * Math.sin(theta);
    x[i] = cluster.cx + cluster.cos * along - cluster.sin * across;
    y[i] = cluster.cy + cluster.sin * along + cluster.cos * across;
    category[i] = k;
    extent = Math.max(extent, Math.abs(x[i]!), Math.abs(y[i]!));
  }
  for (let i = 0; i < count; i++) {
    x[i] = x[i]! / extent;
    y[i] = y[i]! / extent;
  }
  return { x, y, category };
}
