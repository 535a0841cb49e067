/**
 * Keeps a pan or zoom smooth when a full frame of the map is slow. Software WebGL (SwiftShader:
 * VS Code without a usable GPU, headless Chromium) spends a good part of a second on the vertex
 * work of a million points, every frame. While the camera moves, such a map shows its last full
 * frame moved and scaled to the new view (a 2-D copy, a few milliseconds), and draws a full frame
 * once the camera has rested. Maps whose full frames are cheap draw every frame, as before.
 *
 * The gate sits in the renderer's `render`, which regl-scatterplot calls from its frame loop after
 * ticking the camera, so the scatter's own bookkeeping goes on unchanged: its scales follow the
 * camera, `view` events fire, screen positions of points are those of the frame on screen.
 */
import type { createRenderer } from 'regl-scatterplot';
import type { VisibleRegion } from './scatterMap';

type Renderer = ReturnType<typeof createRenderer>;

/** A map's frames so far, for tests and benches. */
export interface FrameState {
  /** Full frames drawn. */
  full: number;
  /** What the last full frame cost, in ms. */
  fullMs: number;
  /** The canvas shows the last full frame moved to the current view, not a full frame. */
  moved: boolean;
  /** The canvas shows a full frame drawn by the first frame path (firstFrame.ts), which the scatter's own first frame of the points matched. */
  first: boolean;
}

/**
 * Full frames slower than this are replaced by moved copies while the camera moves: one frame at
 * 30 fps, the pan target, which a map with faster full frames meets by drawing them. In software
 * WebGL the full frame has a fixed cost of its own (the window-sized context), so only small maps
 * stay under it there (bench/README.md has the figures by point count).
 */
export const SLOW_FRAME_MS = 33;
/** How long the camera rests before the full frame replaces the moved copy. */
const REST_MS = 120;

export class MotionFrames {
  private view: number[] = [];
  private fullFrameMs = 0;
  private fullFrames = 0;
  /** The last full frame, kept only while full frames are slow, and the region it shows. */
  private kept: { image: HTMLCanvasElement; region: VisibleRegion } | undefined;
  private drew: 'full' | 'moved' | undefined;
  private showsMoved = false;
  private rest: ReturnType<typeof setTimeout> | undefined;
  /** A full frame drawn onto the canvas outside the scatter (firstFrame.ts), and the camera view it shows. */
  private drawnOutside: { view: number[]; width: number; height: number } | undefined;
  private showsFirst = false;

  /**
   * `target` is the map's canvas; `camera` reads the scatter's camera view (ticked when a frame
   * renders); `redraw` asks the scatter for a frame.
   */
  constructor(
    private readonly target: HTMLCanvasElement,
    private readonly camera: () => ArrayLike<number>,
    private readonly redraw: () => void,
  ) {}

  /** `shared` as this map renders through it: its frames pass this gate. */
  renderer(shared: Renderer): Renderer {
    const render = (draw: () => void, target: HTMLCanvasElement) => this.render(() => shared.render(draw, target));
    return Object.create(shared, { render: { value: render } }) as Renderer;
  }

  /** Called once the scatter finished a frame, when its scales hold the region that frame shows. */
  framed(region: VisibleRegion): void {
    if (this.drew === 'moved') this.paintMoved(region);
    else if (this.drew === 'full') this.keep(region);
    this.drew = undefined;
  }

  /** The kept frame shows points the map no longer draws (a new projection): frames are full until one is kept again. */
  discard(): void {
    this.kept = undefined;
  }

  /**
   * The canvas shows the scatter's full frame at camera `view` already, drawn in `ms` by the first
   * frame path: the scatter's next frame, if it is at the same view and size, is not drawn again
   * (the same picture, a second time). Anything the scatter draws beside its points (a selection,
   * a lasso) comes with a later frame; the map draws outside only when there is none.
   */
  shows(view: number[], ms: number): void {
    this.drawnOutside = { view, width: this.target.width, height: this.target.height };
    this.fullFrameMs = ms;
    this.fullFrames++;
    this.showsMoved = false;
    this.showsFirst = true;
  }

  /** The scatter's picture changes beside the camera (a selection): its next frame is drawn. */
  forget(): void {
    this.drawnOutside = undefined;
  }

  state(): FrameState {
    return { full: this.fullFrames, fullMs: this.fullFrameMs, moved: this.showsMoved, first: this.showsFirst };
  }

  dispose(): void {
    clearTimeout(this.rest);
  }

  private render(full: () => void): void {
    const view = Array.from(this.camera());
    const moving = view.some((value, i) => value !== this.view[i]);
    this.view = view;
    const { kept, target, drawnOutside } = this;
    this.drawnOutside = undefined;
    if (drawnOutside && drawnOutside.width === target.width && drawnOutside.height === target.height && view.length === drawnOutside.view.length && view.every((value, i) => value === drawnOutside.view[i])) {
      clearTimeout(this.rest);
      this.drew = 'full';
      return;
    }
    if (moving && this.fullFrameMs > SLOW_FRAME_MS && kept && kept.image.width === target.width && kept.image.height === target.height) {
      this.drew = 'moved';
      this.showsFirst = false;
      clearTimeout(this.rest);
      this.rest = setTimeout(this.redraw, REST_MS);
      return;
    }
    clearTimeout(this.rest);
    this.showsFirst = false;
    const start = performance.now();
    full();
    this.fullFrameMs = performance.now() - start;
    this.fullFrames++;
    this.drew = 'full';
  }

  private keep(region: VisibleRegion): void {
    this.showsMoved = false;
    if (this.fullFrameMs <= SLOW_FRAME_MS) {
      this.kept = undefined;
      return;
    }
    const image = this.kept?.image ?? document.createElement('canvas');
    if (image.width !== this.target.width || image.height !== this.target.height) [image.width, image.height] = [this.target.width, this.target.height];
    const context = image.getContext('2d');
    if (!context) return;
    context.clearRect(0, 0, image.width, image.height);
    context.drawImage(this.target, 0, 0);
    this.kept = { image, region: { x: [...region.x], y: [...region.y] } };
  }

  /** The kept frame, moved and scaled so that its points lie where the camera now puts them. */
  private paintMoved(region: VisibleRegion): void {
    const context = this.target.getContext('2d');
    if (!context || !this.kept) return;
    const { image, region: from } = this.kept;
    const { width, height } = this.target;
    const spanX = region.x[1] - region.x[0];
    const spanY = region.y[1] - region.y[0];
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, width, height);
    // Screen x grows with data x, screen y with the distance below the top of the region.
    context.setTransform((from.x[1] - from.x[0]) / spanX, 0, 0, (from.y[1] - from.y[0]) / spanY, ((from.x[0] - region.x[0]) / spanX) * width, ((region.y[1] - from.y[1]) / spanY) * height);
    context.drawImage(image, 0, 0);
    context.setTransform(1, 0, 0, 1, 0, 0);
    this.showsMoved = true;
  }
}
