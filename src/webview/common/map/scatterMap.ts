/**
 * The latent map's drawing surface, shared by the explorer, the compare page and the notebook
 * renderer. regl-scatterplot draws the points: they are uploaded to the GPU once, a pan or zoom only
 * moves the camera (and, where full frames are slow, shows the last one moved until the camera
 * rests: motionFrames.ts), hover asks the scatter's k-d tree for the nearest point without a frame
 * (pointFinder.ts) and a lasso selects without a redraw, which is what keeps a million points
 * interactive (bench/README.md compares it with other scatters). New points reach the screen
 * before the scatter has prepared them: the map draws their first frame itself, the scatter's own
 * frame to the pixel (firstFrame.ts), and the k-d tree is sorted after it (spatialIndex.ts). What
 * must stay readable above the points — the A/B picks, the hovered point, a ring round a lone
 * match, the axis titles and ranges, the colour bar — is DOM and a 2-D layer that follow the camera.
 */
import createScatterplot from 'regl-scatterplot';
import { formatValue } from '../format';
import { continuousGradient, cssRgb, cssToRgba, hexRgb } from '../render/palette';
import { el } from '../ui/dom';
import { onThemeChange, themeColors } from '../plot/theme';
import { type Coloring, pointColors, type PointColors } from './mapColoring';
import { drawFirstFrame } from './firstFrame';
import { type ContextWatch, watchContext } from './lostContext';
import { type FrameState, MotionFrames } from './motionFrames';
import { PointFinder } from './pointFinder';
import { sharedRenderer } from './reglRenderer';
import { methodNames, type Projection } from './projection';
import { SpatialIndex } from './spatialIndex';

type Scatterplot = ReturnType<typeof createScatterplot>;
type Renderer = ReturnType<typeof sharedRenderer>;

/** The part of the map's data space in view: what the manifold grid follows. */
export interface VisibleRegion {
  x: [number, number];
  y: [number, number];
}

export interface MapEvents {
  /** The point under the pointer. */
  hover?: (index: number) => void;
  /** A click on a point. */
  pick?: (index: number) => void;
  /** A box or lasso selection ended, or the selection was cleared ([]). */
  select?: (indices: number[]) => void;
  view?: (region: VisibleRegion) => void;
  /**
   * The points `show` was given are on screen (the scatter's first frame of them). `show` resolves
   * later, once the k-d tree that hover and selection ask is built too.
   */
  painted?: () => void;
}

/** What the map shows, on its element as `latentMap`, for tests, benches and bug reports. */
export interface MapInspection {
  count(): number;
  picks(): number[];
  matches(): number[];
  selection(): number[];
  coloring(): { type: PointColors['type']; palette: string[]; values: number[] } | undefined;
  region(): VisibleRegion | undefined;
  projection(): { x: number[]; y: number[] } | undefined;
  axisTitles(): [string, string] | undefined;
  /** CSS pixels from the map's top left corner. */
  screenPosition(index: number): [number, number] | undefined;
  hovered(): number | undefined;
  /** The point nearest to a canvas position, by a scan: a check on hover's k-d tree. */
  nearest(x: number, y: number): number | undefined;
  context(): WebGLRenderingContext | undefined;
  frames(): FrameState | undefined;
  /** Has the scatter draw a full frame now, the camera where it is; resolves once it is drawn. */
  redraw(): Promise<void>;
}

export interface MapOptions {
  /** In a notebook the wheel scrolls the page past the output; elsewhere it zooms. */
  wheelZoom: boolean;
  /** The pan / box / lasso / reset buttons; maps that only show (compare) go without. */
  tools: boolean;
}

/** The pointer hovers points within their size plus this many CSS pixels of it: regl-scatterplot's own reach. */
const HOVER_REACH = 4;

/** A press and release further apart than this, in CSS pixels, are a drag, not a click (regl-scatterplot's lasso minimum). */
const CLICK_SLOP = 4;

/** Dense maps need small points to show structure; sparse ones need points big enough to hover. */
function pointSize(count: number): number {
  if (count <= 2_000) return 6;
  if (count <= 20_000) return 4;
  return 2.5;
}

/** The part of a d3 scale regl-scatterplot uses: it keeps the domain at the part of data space in view. */
interface Scale {
  domain(): [number, number];
  domain(next: [number, number]): Scale;
  range(): Scale;
}

function linearScale(domain: [number, number]): Scale {
  let current = domain;
  const scale = {
    domain: (next?: [number, number]) => {
      if (next === undefined) return current;
      current = next;
      return scale;
    },
    range: () => scale,
  };
  return scale as Scale;
}

interface Drawn {
  projection: Projection;
  colors: PointColors;
  /** The projection scaled into [-1, 1], where regl-scatterplot places points. */
  x: Float32Array;
  y: Float32Array;
  /** The data range [-1, 1] stands for, on each axis. */
  extent: { x: [number, number]; y: [number, number] };
  /** The scatter's k-d tree over `x`, `y`: one per projection, kept when only the colors change. */
  index: SpatialIndex;
}

export class ScatterMap {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', { class: 'map-canvas' });
  private readonly ringLayer = el('canvas', { class: 'map-rings' });
  private readonly pickLayer = el('div', { class: 'map-picks' });
  private readonly axes = { x: el('div', { class: 'map-axis map-axis-x' }), y: el('div', { class: 'map-axis map-axis-y' }) };
  private readonly colorBar = el('div', { class: 'map-colorbar', hidden: true });
  private readonly boxOutline = el('div', { class: 'map-box', hidden: true });
  private readonly toolButtons = new Map<Tool, HTMLButtonElement>();
  private scatter: Scatterplot | undefined;
  /** The renderer the scatter draws through, without the frame gate. */
  private renderer: Renderer | undefined;
  /** The frame gate of the current scatter (a new one with each, as after a lost context). */
  private motion: MotionFrames | undefined;
  private finder: PointFinder | undefined;
  private drawn: Drawn | undefined;
  /** What the screen shows: `drawn` once a frame has drawn it (the scatter's draw resolves after that frame). */
  private uploaded: Drawn | undefined;
  /** Kept by the scatter at the part of data space in view; fresh for every new scatter or projection. */
  private scales: { x: Scale; y: Scale } | undefined;
  private picks: number[] = [];
  private matches: number[] = [];
  private selection: number[] = [];
  private hovered: number | undefined;
  private tool: Tool = 'pan';
  private layoutFrame = 0;
  private readonly cleanups: (() => void)[] = [];
  private readonly context: ContextWatch;

  constructor(private readonly events: MapEvents, private readonly options: MapOptions) {
    this.element = el('div', { class: 'map-plot', attrs: { role: 'group', 'aria-label': 'Latent map', tabindex: '0' } }, [
      this.canvas,
      this.ringLayer,
      this.pickLayer,
      this.axes.x,
      this.axes.y,
      this.colorBar,
      this.boxOutline,
      options.tools ? this.toolStrip() : undefined,
    ]);
    const resize = new ResizeObserver(() => this.resize());
    resize.observe(this.element);
    this.cleanups.push(() => resize.disconnect(), this.boxSelection(), this.hovering(), this.clicksPick(), this.keyboard(), this.quietLeave());
    this.context = watchContext(this.element, () => this.recreate());
    this.cleanups.push(onThemeChange(() => this.applyTheme()));
    this.cleanups.push(() => this.context.stop());
    // Tests and bug reports read what the map shows without reaching into regl.
    Object.defineProperty(this.element, 'latentMap', { value: this.inspection() });
    // The scatter and its draw programs are made now, before any point arrives (a quarter of a
    // second: regl generates and looks up its precompiled code), not on the way to the first frame.
    // Where there is no WebGL, `show` says so.
    try {
      this.create();
    } catch {
      this.destroyScatter();
    }
    // A mouseup ends a lasso or a box, which ask the scatter's tree: one still being built is
    // finished first (this listener, capturing on the window, runs before theirs).
    const finishIndex = () => this.uploaded?.index.finishNow();
    window.addEventListener('mouseup', finishIndex, true);
    this.cleanups.push(() => window.removeEventListener('mouseup', finishIndex, true));
  }

  /** Draws `projection` colored by `coloring`; the same projection again only recolors (keeps the view and the k-d tree). */
  async show(projection: Projection, coloring: Coloring): Promise<void> {
    const colors = pointColors(coloring);
    const previous = this.drawn;
    const drawn: Drawn = previous?.projection === projection ? { ...previous, colors } : newDrawn(projection, colors);
    if (previous && previous.index !== drawn.index) previous.index.cancel();
    this.drawn = drawn;
    const scatter = this.scatter ?? this.create();
    await this.fitSize(scatter);
    if (!previous || (previous.projection !== projection && !sameExtent(previous.projection.extent, projection.extent))) {
      this.motion?.discard();
      this.scales = scalesFor(drawn);
      await scatter.set({ xScale: this.scales.x as never, yScale: this.scales.y as never });
      // reset() resolves with the next frame, and a scatter without points draws none.
      const reset = scatter.reset();
      if (scatter.get('isPointsDrawn')) await reset;
    }
    let painted = false;
    const paint = () => {
      painted = true;
      this.showColorBar(coloring, colors);
      this.placeNow();
      this.events.painted?.();
    };
    await this.upload(scatter, drawn, paint);
    if (!painted) paint();
    this.layout();
    await drawn.index.ready;
  }

  /** Picked points (A, B) and matches (searched, or hovered in a linked map); cheap: nothing is uploaded again. */
  mark(marks: { picks?: number[]; matches?: number[] }): void {
    if (marks.picks) this.picks = marks.picks;
    if (marks.matches) this.matches = marks.matches;
    this.highlight();
    this.layout();
  }

  clearSelection(): void {
    this.scatter?.deselect({ preventEvent: true });
    this.selection = [];
    this.highlight();
  }

  resize(): void {
    const { clientWidth: width, clientHeight: height } = this.element;
    if (!this.scatter || width === 0 || height === 0) return;
    void this.scatter.set({ width, height });
    this.layout();
  }

  /** The scatter was made before the map was laid out: its first frame must have the map's size, not wait for the resize observer. */
  private async fitSize(scatter: Scatterplot): Promise<void> {
    const { clientWidth: width, clientHeight: height } = this.element;
    if (width === 0 || height === 0 || (scatter.get('width') === width && scatter.get('height') === height)) return;
    await scatter.set({ width, height });
  }

  dispose(): void {
    cancelAnimationFrame(this.layoutFrame);
    for (const cleanup of this.cleanups) cleanup();
    this.destroyScatter();
    this.drawn?.index.cancel();
    this.drawn = undefined;
    this.uploaded = undefined;
  }

  /** The scatter, with the scales of `drawn` where there is one (else set when points come). */
  private create(drawn?: Drawn): Scatterplot {
    this.scales = drawn ? scalesFor(drawn) : { x: linearScale([-1, 1]), y: linearScale([-1, 1]) };
    const motion = new MotionFrames(
      this.canvas,
      () => this.scatter?.get('cameraView') ?? [],
      () => this.scatter?.redraw(),
    );
    const renderer = sharedRenderer();
    const scatter = createScatterplot({
      renderer: motion.renderer(renderer),
      canvas: this.canvas,
      width: Math.max(1, this.element.clientWidth),
      height: Math.max(1, this.element.clientHeight),
      xScale: this.scales.x as never,
      yScale: this.scales.y as never,
      pointSize: pointSize(drawn?.x.length ?? 0),
      pointSizeSelected: 1,
      pointOutlineWidth: 1,
      // The scatter's own hover is off (no point lies within a negative reach; an option its types
      // leave out): it draws a frame of every point to highlight one, where the map hovers through
      // pointFinder.ts and rings the point in its mark layer.
      ...{ pointSizeMouseDetection: -Infinity },
      ...themed(),
      opacityInactiveScale: 0.25,
      backgroundColor: [0, 0, 0, 0],
      lassoMinDist: CLICK_SLOP,
      showReticle: false,
      deselectOnDblClick: true,
      deselectOnEscape: true,
      // The webview's Content Security Policy allows no blob: workers; the k-d tree is built here.
      spatialIndexUseWorker: false,
      // Shift+drag lassoes as in the library, without its Alt+drag rotation: a rotated map misreads its axes.
      ...{ actionKeyMap: { lasso: 'shift', merge: 'meta', remove: 'alt' } },
    });
    if (!this.options.wheelZoom) scatter.get('camera').config({ isZoom: false });
    scatter.subscribe('lassoStart', () => motion.forget());
    scatter.subscribe('select', ({ points }) => {
      motion.forget();
      this.selection = points;
      this.events.select?.(points);
    });
    scatter.subscribe('deselect', () => {
      if (this.selection.length === 0) return;
      this.selection = [];
      this.events.select?.([]);
      this.highlight();
    });
    // In the frame that moved the camera, not a frame later: marks and axes stay with the points.
    scatter.subscribe('drawing', () => {
      if (this.scales) motion.framed(region(this.scales));
      this.placeNow();
    });
    this.context.watch(scatter.get('renderer').canvas);
    this.scatter = scatter;
    this.renderer = renderer;
    this.motion = motion;
    return scatter;
  }

  private destroyScatter(): void {
    this.motion?.dispose();
    this.scatter?.destroy();
    this.scatter = undefined;
    this.renderer = undefined;
    this.motion = undefined;
    this.finder = undefined;
    this.hovered = undefined;
  }

  /**
   * Resolves once the scatter has the points and they are on screen. Where it can, the map draws
   * them first itself (firstFrame.ts), calls `painted` and lets that frame be shown before the
   * scatter prepares them. The scatter gets the k-d tree's buffer before the tree is sorted
   * (spatialIndex.ts): it draws without waiting for it, and the tree is sorted after.
   */
  private async upload(scatter: Scatterplot, drawn: Drawn, painted?: () => void): Promise<void> {
    const { index } = drawn;
    await scatter.set({ colorBy: 'valueA', pointColor: drawn.colors.palette.map(hexRgb), pointSize: pointSize(drawn.x.length) });
    // Newer points came meanwhile (another `show`): they are the scatter's to draw, not these.
    const superseded = () => {
      if (this.drawn === drawn) return false;
      if (this.drawn?.index !== index) index.cancel();
      return true;
    };
    if (painted && superseded()) return;
    // A selection or matches to fade by would change the scatter's frame after this one: the scatter draws then.
    if (painted && this.renderer && this.motion && this.selection.length === 0 && this.matches.length <= 1) {
      const started = performance.now();
      const view = drawFirstFrame(this.renderer, scatter, this.canvas, { x: drawn.x, y: drawn.y, values: drawn.colors.values, type: drawn.colors.type });
      if (view) {
        this.motion.shows(view, performance.now() - started);
        painted();
        // The frame reaches the screen before the scatter's preparation takes the main thread.
        await afterPaint();
        if (superseded()) return;
      }
    }
    await scatter.draw({ x: drawn.x, y: drawn.y, valueA: drawn.colors.values }, { zDataType: drawn.colors.type, spatialIndex: index.buffer });
    this.uploaded = drawn;
    if (!index.done) index.start();
    this.highlight();
  }

  private applyTheme(): void {
    void this.scatter?.set(themed());
    this.layout();
  }

  /** A fresh context after a loss: the scatter is made again and given what it showed. */
  private async recreate(): Promise<void> {
    const drawn = this.drawn;
    // The user's zoom survives the new context.
    const view = this.scatter?.get('cameraView');
    this.destroyScatter();
    this.uploaded = undefined;
    if (!drawn) return;
    const scatter = this.create(drawn);
    await this.upload(scatter, drawn);
    if (view) scatter.view(Array.from(view));
    this.layout();
  }

  /**
   * The user's selection fades the rest; without one, many matches do (a searched label). The
   * scatter's own selection draws either, so nothing is uploaded again.
   */
  private highlight(): void {
    const scatter = this.scatter;
    if (!scatter || !this.drawn) return;
    const shown = this.selection.length > 0 ? this.selection : this.matches.length > 1 ? this.matches : [];
    if (shown.length === 0) scatter.deselect({ preventEvent: true });
    else {
      this.motion?.forget();
      scatter.select(shown, { preventEvent: true });
    }
  }

  private showColorBar(coloring: Coloring, colors: PointColors): void {
    this.colorBar.hidden = coloring.kind !== 'continuous';
    if (coloring.kind !== 'continuous' || !colors.range) return;
    this.colorBar.replaceChildren(
      el('span', { class: 'map-colorbar-title' }, [coloring.title]),
      el('span', { class: 'map-colorbar-value' }, [formatValue(colors.range[1])]),
      el('span', { class: 'map-colorbar-ramp', attrs: { style: `background: ${continuousGradient()}` } }),
      el('span', { class: 'map-colorbar-value' }, [formatValue(colors.range[0])]),
    );
  }

  /** Places what follows the camera, once per frame however many changes arrive. */
  private layout(): void {
    if (this.layoutFrame) return;
    this.layoutFrame = requestAnimationFrame(() => {
      this.layoutFrame = 0;
      this.placeNow();
    });
  }

  private placeNow(): void {
    cancelAnimationFrame(this.layoutFrame);
    this.layoutFrame = 0;
    this.drawRings();
    this.placePicks();
    this.placeAxes();
  }

  /** The 2-D layer over the points: the hovered point, and a ring round a lone match. */
  private drawRings(): void {
    const scatter = this.scatter;
    const drawn = this.drawn;
    const context = this.ringLayer.getContext('2d');
    const { clientWidth: width, clientHeight: height } = this.element;
    const ratio = window.devicePixelRatio;
    // Resized only when the map was (a new size reallocates the canvas); otherwise cleared, as every view change calls this.
    if (this.ringLayer.width !== width * ratio || this.ringLayer.height !== height * ratio) [this.ringLayer.width, this.ringLayer.height] = [width * ratio, height * ratio];
    context?.setTransform(ratio, 0, 0, ratio, 0, 0);
    context?.clearRect(0, 0, width, height);
    if (!scatter || !drawn || !context || !scatter.get('isPointsDrawn')) return;
    const size = pointSize(drawn.x.length);
    const circle = (index: number, radius: number) => {
      const at = scatter.getScreenPosition(index);
      if (!at) return false;
      context.beginPath();
      context.arc(at[0], at[1], radius, 0, 2 * Math.PI);
      return true;
    };
    const colors = this.hovered !== undefined || this.matches.length === 1 ? themeColors() : undefined;
    if (this.hovered !== undefined && colors && circle(this.hovered, size / 2 + 2.5)) {
      context.fillStyle = colors.accent;
      context.fill();
      context.strokeStyle = colors.foreground;
      context.lineWidth = 1;
      context.stroke();
    }
    // One match among thousands of points (a hovered or searched sample) gets a ring that catches
    // the eye; more are shown by fading the rest (highlight).
    const [lone] = this.matches;
    if (this.matches.length === 1 && lone !== undefined && colors && circle(lone, size + 8)) {
      context.strokeStyle = colors.foreground;
      context.lineWidth = 2.5;
      context.stroke();
    }
  }

  private placePicks(): void {
    const scatter = this.scatter;
    if (!scatter || !this.drawn || !scatter.get('isPointsDrawn')) return;
    this.pickLayer.replaceChildren(
      ...this.picks.flatMap((index, n) => {
        const at = scatter.getScreenPosition(index);
        if (!at) return [];
        const mark = el('span', { class: 'map-pick', attrs: { 'data-index': String(index), style: `left: ${at[0]}px; top: ${at[1]}px` } }, ['AB'[n]!]);
        return [mark];
      }),
    );
  }

  private placeAxes(): void {
    const drawn = this.drawn;
    const scales = this.scales;
    if (!drawn || !scales) return;
    const [xTitle, yTitle] = axisTitles(drawn.projection);
    const range = ([low, high]: [number, number]) => `${formatValue(low)} … ${formatValue(high)}`;
    this.axes.x.textContent = `${xTitle}  ${range(scales.x.domain())}`;
    this.axes.y.textContent = `${yTitle}  ${range(scales.y.domain())}`;
    this.events.view?.(region(scales));
  }

  private toolStrip(): HTMLElement {
    const tools: [Tool, string, string][] = [
      ['pan', 'Pan', 'Drag to pan, wheel to zoom'],
      ['box', 'Box', 'Drag a box to select the points in it'],
      ['lasso', 'Lasso', 'Draw round the points to select (or Shift+drag in Pan)'],
    ];
    const strip = el('div', { class: 'map-tools', attrs: { role: 'toolbar', 'aria-label': 'Map tools' } });
    for (const [tool, label, title] of tools) {
      const button = el('button', { class: 'map-tool', title, attrs: { 'aria-pressed': String(tool === this.tool), 'data-tool': tool }, on: { click: () => this.useTool(tool) } }, [label]);
      this.toolButtons.set(tool, button);
      strip.append(button);
    }
    strip.append(el('button', { class: 'map-tool', title: 'Show every point (0)', on: { click: () => void this.scatter?.reset() } }, ['Reset']));
    return strip;
  }

  private useTool(tool: Tool): void {
    this.tool = tool;
    for (const [each, button] of this.toolButtons) button.setAttribute('aria-pressed', String(each === tool));
    void this.scatter?.set({ mouseMode: tool === 'lasso' ? 'lasso' : 'panZoom' });
  }

  /** In box mode a drag draws a rectangle and selects what is inside, through the scatter's own lasso. */
  private boxSelection(): () => void {
    let start: [number, number] | undefined;
    const position = (event: MouseEvent): [number, number] => {
      const bounds = this.canvas.getBoundingClientRect();
      return [event.clientX - bounds.left, event.clientY - bounds.top];
    };
    const down = (event: MouseEvent) => {
      if (this.tool !== 'box' || event.target !== this.canvas || event.button !== 0) return;
      // Captured before the camera hears it, so the drag draws a box instead of panning.
      event.stopPropagation();
      start = position(event);
    };
    const move = (event: MouseEvent) => {
      if (!start) return;
      const [x, y] = position(event);
      Object.assign(this.boxOutline.style, { left: `${Math.min(x, start[0])}px`, top: `${Math.min(y, start[1])}px`, width: `${Math.abs(x - start[0])}px`, height: `${Math.abs(y - start[1])}px` });
      this.boxOutline.hidden = false;
    };
    const up = (event: MouseEvent) => {
      if (!start) return;
      const end = position(event);
      const from = start;
      start = undefined;
      this.boxOutline.hidden = true;
      if (Math.abs(end[0] - from[0]) < 3 || Math.abs(end[1] - from[1]) < 3) return;
      const drawn = this.uploaded;
      if (!drawn) return;
      // In the scatter's own coordinates: given data coordinates, it maps them as if they were the
      // screen's and selects a box stretched by the map's aspect ratio.
      const corners = [from, [end[0], from[1]], end, [from[0], end[1]]].map(([x, y]) => this.scatterAt(drawn, x!, y!));
      this.scatter?.lassoSelect(corners, { isGl: true });
    };
    this.element.addEventListener('mousedown', down, true);
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
    return () => {
      this.element.removeEventListener('mousedown', down, true);
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
    };
  }

  /** Data coordinates under a canvas position, from the range in view. */
  private dataAt(x: number, y: number): [number, number] {
    const { x: xScale, y: yScale } = this.scales!;
    const [x0, x1] = xScale.domain();
    const [y0, y1] = yScale.domain();
    return [x0 + (x / this.canvas.clientWidth) * (x1 - x0), y1 - (y / this.canvas.clientHeight) * (y1 - y0)];
  }

  /** A canvas position in the coordinates the scatter was given ([-1, 1] over `drawn`'s extent). */
  private scatterAt(drawn: Drawn, x: number, y: number): [number, number] {
    const [dx, dy] = this.dataAt(x, y);
    const { x: ex, y: ey } = drawn.extent;
    return [((dx - ex[0]) / (ex[1] - ex[0])) * 2 - 1, ((dy - ey[0]) / (ey[1] - ey[0])) * 2 - 1];
  }

  /** The point drawn under a canvas position, if one is within the pointer's reach. */
  private pointAt(x: number, y: number): number | undefined {
    const drawn = this.uploaded;
    const scales = this.scales;
    if (!drawn || !scales) return undefined;
    // Pointing at the map before its tree is sorted: the rest is sorted now.
    drawn.index.finishNow();
    if (this.finder?.spatialIndex !== drawn.index.buffer) this.finder = new PointFinder(drawn.index.buffer, drawn.x, drawn.y);
    const [y0, y1] = scales.y.domain();
    // The scatter keeps its coordinates square on screen, so one pixel spans as much of x as of y.
    const perPixel = ((y1 - y0) / this.canvas.clientHeight) * (2 / (drawn.extent.y[1] - drawn.extent.y[0]));
    const [sx, sy] = this.scatterAt(drawn, x, y);
    return this.finder.nearest(sx, sy, (pointSize(drawn.x.length) + HOVER_REACH) * perPixel);
  }

  private canvasPosition(event: MouseEvent): [number, number] {
    const bounds = this.canvas.getBoundingClientRect();
    return [event.clientX - bounds.left, event.clientY - bounds.top];
  }

  /** The pointer hovers the nearest point in reach; a drag (pan, box, lasso) hovers nothing new. */
  private hovering(): () => void {
    const move = (event: PointerEvent) => {
      if (event.buttons === 0) this.hover(this.pointAt(...this.canvasPosition(event)));
    };
    const leave = () => this.hover(undefined);
    this.canvas.addEventListener('pointermove', move);
    this.canvas.addEventListener('pointerleave', leave);
    return () => {
      this.canvas.removeEventListener('pointermove', move);
      this.canvas.removeEventListener('pointerleave', leave);
    };
  }

  /**
   * regl-scatterplot draws a frame of every point when the pointer leaves its canvas, to clear its
   * own hover, which this map turns off: half a second at a million points in software WebGL. The
   * map's listener comes first (the scatter is made later) and keeps the event from it.
   */
  private quietLeave(): () => void {
    const swallow = (event: MouseEvent) => event.stopImmediatePropagation();
    this.canvas.addEventListener('mouseleave', swallow);
    return () => this.canvas.removeEventListener('mouseleave', swallow);
  }

  private hover(index: number | undefined): void {
    if (index === this.hovered) return;
    this.hovered = index;
    this.drawRings();
    if (index !== undefined) this.events.hover?.(index);
  }

  /**
   * A click picks the hovered point, the one ringed under the pointer (found from the pointer's
   * fractional position, which a click's whole pixels could resolve to a neighbour); it never
   * changes the selection (box and lasso do). The click that ends a drag (a pan, a box) picks nothing.
   */
  private clicksPick(): () => void {
    let pressed: [number, number] = [NaN, NaN];
    const down = (event: MouseEvent) => {
      pressed = [event.clientX, event.clientY];
    };
    const click = (event: MouseEvent) => {
      if (event.target !== this.canvas) return;
      event.stopPropagation();
      if (Math.hypot(event.clientX - pressed[0], event.clientY - pressed[1]) > CLICK_SLOP) return;
      if (this.hovered !== undefined) this.events.pick?.(this.hovered);
    };
    this.element.addEventListener('mousedown', down, true);
    this.element.addEventListener('click', click, true);
    return () => {
      this.element.removeEventListener('mousedown', down, true);
      this.element.removeEventListener('click', click, true);
    };
  }

  /** Arrows pan, + and − zoom, 0 shows everything (Escape, like a double click, clears the selection). */
  private keyboard(): () => void {
    const key = (event: KeyboardEvent) => {
      const scatter = this.scatter;
      if (!scatter) return;
      const target = scatter.get('cameraTarget');
      const distance = scatter.get('cameraDistance');
      const step = distance * 0.1;
      const moves: Record<string, [number, number, number]> = {
        ArrowLeft: [-step, 0, 1],
        ArrowRight: [step, 0, 1],
        ArrowUp: [0, step, 1],
        ArrowDown: [0, -step, 1],
        '+': [0, 0, 1 / 1.25],
        '=': [0, 0, 1 / 1.25],
        '-': [0, 0, 1.25],
      };
      const move = moves[event.key];
      if (event.key === '0') void scatter.reset();
      else if (move) void scatter.zoomToLocation([target[0] + move[0], target[1] + move[1]], distance * move[2]);
      else return;
      event.preventDefault();
    };
    this.element.addEventListener('keydown', key);
    return () => this.element.removeEventListener('keydown', key);
  }

  /** The point nearest to a canvas position, by a scan (for tests and benches; hover uses the k-d tree). */
  private nearest(x: number, y: number): number | undefined {
    const drawn = this.uploaded;
    if (!drawn) return undefined;
    const [tx, ty] = this.scatterAt(drawn, x, y);
    let best: number | undefined;
    let bestDistance = Infinity;
    drawn.x.forEach((px, i) => {
      const distance = (px - tx) ** 2 + (drawn.y[i]! - ty) ** 2;
      if (distance < bestDistance) [best, bestDistance] = [i, distance];
    });
    return best;
  }

  private inspection(): MapInspection {
    return {
      // Counted once the map is whole: on screen and its k-d tree built (when `show` resolves).
      count: () => (this.uploaded?.index.done ? this.uploaded.x.length : 0),
      picks: () => [...this.picks],
      matches: () => [...this.matches],
      selection: () => [...this.selection],
      coloring: () => this.drawn && { type: this.drawn.colors.type, palette: this.drawn.colors.palette.map(cssRgb), values: Array.from(this.drawn.colors.values.subarray(0, 1000)) },
      region: () => (this.drawn && this.scales ? region(this.scales) : undefined),
      projection: () => this.drawn && { x: Array.from(this.drawn.projection.x), y: Array.from(this.drawn.projection.y) },
      axisTitles: () => this.drawn && axisTitles(this.drawn.projection),
      screenPosition: (index: number) => (this.scatter?.get('isPointsDrawn') ? this.scatter.getScreenPosition(index) : undefined),
      hovered: () => this.hovered,
      nearest: (x: number, y: number) => this.nearest(x, y),
      context: () => this.scatter?.get('renderer').regl._gl,
      frames: () => this.motion?.state(),
      redraw: () => {
        const scatter = this.scatter;
        if (!scatter?.get('isPointsDrawn')) return Promise.resolve();
        this.motion?.forget();
        return new Promise<void>((resolve) => {
          scatter.subscribe('draw', () => resolve(), 1);
          scatter.redraw();
        });
      },
    };
  }
}

type Tool = 'pan' | 'box' | 'lasso';

function axisTitles(projection: Projection): [string, string] {
  if (projection.dims) return [`z${projection.dims[0]}`, `z${projection.dims[1]}`];
  const name = methodNames[projection.method];
  return [`${name} 1`, `${name} 2`];
}

/** The scatter's colors that follow the VS Code theme (the marks above it read the theme when placed). */
function themed() {
  const colors = themeColors();
  return { pointColorActive: cssToRgba(colors.foreground), lassoColor: cssToRgba(colors.accent) };
}

/** A new projection to draw: its points scaled, and a k-d tree for them that is sorted after their first frame. */
function newDrawn(projection: Projection, colors: PointColors): Drawn {
  const points = scaled(projection);
  return { projection, colors, ...points, index: new SpatialIndex(points.x, points.y) };
}

/**
 * The projection scaled into [-1, 1] on each axis, with a margin so the outermost points are not cut
 * by the edge, and the data range that [-1, 1] stands for.
 */
function scaled(projection: Projection): Pick<Drawn, 'x' | 'y' | 'extent'> {
  const fit = (values: Float32Array, given?: [number, number]) => {
    let [low, high] = given ?? [Infinity, -Infinity];
    if (!given) {
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        if (value < low) low = value;
        if (value > high) high = value;
      }
    }
    if (!(low < high)) [low, high] = [low === Infinity ? -1 : low - 1, high === -Infinity ? 1 : high + 1];
    const margin = (high - low) * 0.025;
    const extent: [number, number] = [low - margin, high + margin];
    const span = extent[1] - extent[0];
    // A plain loop: a typed array's map with a callback takes about ten times as long at a million points.
    const scaled = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) scaled[i] = ((values[i]! - extent[0]) / span) * 2 - 1;
    return { scaled, extent };
  };
  const x = fit(projection.x, projection.extent?.x);
  const y = fit(projection.y, projection.extent?.y);
  return { x: x.scaled, y: y.scaled, extent: { x: x.extent, y: y.extent } };
}

/** After the next frame has been painted: its animation frame, then a task after it. */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
}

function sameExtent(a: Projection['extent'], b: Projection['extent']): boolean {
  return a !== undefined && b !== undefined && a.x[0] === b.x[0] && a.x[1] === b.x[1] && a.y[0] === b.y[0] && a.y[1] === b.y[1];
}

function region(scales: { x: Scale; y: Scale }): VisibleRegion {
  return { x: scales.x.domain(), y: scales.y.domain() };
}

function scalesFor(drawn: Drawn): { x: Scale; y: Scale } {
  return { x: linearScale(drawn.extent.x), y: linearScale(drawn.extent.y) };
}
