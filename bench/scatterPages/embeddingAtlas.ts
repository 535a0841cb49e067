/**
 * Embedding Atlas's EmbeddingView, the plain one (typed arrays in, no Mosaic/DuckDB): points mode at
 * the map's point size, automatic labels off since the other contenders draw none. One page for the
 * versions the bench carries, bundled against each: 0.26.0 renders with WebGPU only and says so in
 * the page when it cannot ("WebGPU is unavailable. This view requires …"); 0.23.0, the last with a
 * WebGL 2 renderer, asks for WebGPU first and falls back to WebGL 2 when it gets no device ("WebGPU is
 * unavailable. Falling back to WebGL."), which is how it draws here (SwiftShader's WebGPU adapter has
 * no `shader-f16`, which both versions require).
 */
import { EmbeddingView, type ViewportState } from 'embedding-atlas';
import { type Camera, CATEGORY_HEX, mountBench, POINT_SIZE, VIEW_SIZE } from './harness';

/** How long the view may take to get a WebGPU device, or to say it has none. */
const READY_MS = 10_000;

/** The view scales data to [-1, 1] across its longer side; the harness's scale 1 fits the height. */
function viewport(camera: Camera): ViewportState {
  return { x: camera.x, y: camera.y, scale: (camera.scale * VIEW_SIZE.height) / Math.max(VIEW_SIZE.width, VIEW_SIZE.height) };
}

/**
 * The view reports neither its renderer's set-up nor its frames, so both are counted from the
 * outside: WebGPU's canvas configured and queue submissions, or a WebGL 2 context made and the
 * point passes drawn into it (one `drawArrays(POINTS, …)` a frame in 0.23's points mode).
 */
const configured = countCalls('GPUCanvasContext', 'configure');
const submitted = countCalls('GPUQueue', 'submit');
const webgl2 = countCalls('HTMLCanvasElement', 'getContext', (kind) => kind === 'webgl2');
const pointPasses = countCalls('WebGL2RenderingContext', 'drawArrays', (mode) => mode === WebGL2RenderingContext.POINTS);
const frames = () => submitted() + pointPasses();

mountBench(async (host) => {
  const target = document.createElement('div');
  host.append(target);
  const view = new EmbeddingView(target, {
    data: { x: new Float32Array(0), y: new Float32Array(0), category: new Uint8Array(0) },
    categoryColors: CATEGORY_HEX,
    width: VIEW_SIZE.width,
    height: VIEW_SIZE.height,
    pixelRatio: 1,
    config: { mode: 'points', pointSize: POINT_SIZE, autoLabelEnabled: false },
    viewportState: viewport({ x: 0, y: 0, scale: 1 }),
  });
  // The fallback's notice is no problem; the notice that there is no fallback is.
  const problem = () => (/WebGPU is unavailable\.(?! Falling back)[^.]*\./.exec(target.textContent ?? '') ?? [])[0];
  await until(() => problem() !== undefined || configured() > 0 || webgl2() > 0, READY_MS);
  return {
    get canvas() {
      return target.querySelector('canvas')!;
    },
    async draw(points) {
      const before = frames();
      view.update({ data: points });
      await until(() => problem() !== undefined || frames() > before, READY_MS);
    },
    look(camera) {
      view.update({ viewportState: viewport(camera) });
    },
    redraws: frames,
    problem,
  };
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => requestAnimationFrame(resolve));
}

/** Counts calls of a method on every object of its class (those whose first argument passes `counts`); always 0 where the browser has no such class. */
function countCalls(className: string, method: string, counts: (first: unknown) => boolean = () => true): () => number {
  let calls = 0;
  const prototype = (globalThis as unknown as Record<string, { prototype: Record<string, (...args: unknown[]) => unknown> } | undefined>)[className]?.prototype;
  const original = prototype?.[method];
  if (prototype && original) {
    prototype[method] = function (this: unknown, ...args: unknown[]) {
      if (counts(args[0])) calls++;
      return original.apply(this, args);
    };
  }
  return () => calls;
}
