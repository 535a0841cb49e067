/**
 * Keeps a WebGL plot drawn when the browser takes its graphics context away. Browsers keep about 16
 * live WebGL contexts per renderer process and take the oldest away beyond that (plotly.js#337); in
 * VS Code every webview and notebook output shares one process, and each scattergl plot holds two
 * (its context and focus layers). Plotly never draws into a lost context again, so the plot says so
 * over itself and is plotted anew — fresh canvases, fresh contexts — when it is in view again, when
 * the pointer comes to it, or when the browser offers the context back.
 */
import { notice } from '../ui/controls';
import { type Config, Plotly, type PlotlyHTMLElement } from './plotly';

const LOST = "The map's graphics context was lost (too many views open); it redraws when this view is visible again or you point at it.";

/** A page still creating plots would take a re-plot's contexts straight back: re-plots in view wait until losses stop this long. */
const QUIET_MS = 500;
/**
 * Re-plots of a plot lost while it stays in view. With more maps in view than the browser keeps
 * contexts for, each re-plot takes another's, without end; past this the plot waits to be shown again.
 */
const IN_VIEW_REPLOTS = 3;

/** When a plot of this page last lost its context. */
let lastLoss = -Infinity;

/**
 * Watches `plot` (after its first Plotly.newPlot) until the returned function is called, which also
 * gives the plot's contexts back to the browser: call it before Plotly.purge, which leaves them to
 * the garbage collector, still counted against the page's 16 until then. Losses and recoveries are
 * counted on the plot as data-gl-lost and data-gl-recovered, for tests and bug reports.
 */
/** Dispatched on `document` when the host says the panel came to the front. */
export const PANEL_SHOWN = 'latent-lab-panel-shown';

export function redrawAfterContextLoss(plot: PlotlyHTMLElement, config: Partial<Config>): () => void {
  const message = notice(LOST);
  message.classList.add('context-lost');
  const counts = { lost: 0, recovered: 0 };
  let lost = false;
  let intersecting = false;
  let inViewReplots = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const visible = () => intersecting && document.visibilityState === 'visible';
  const count = (what: keyof typeof counts) => {
    counts[what]++;
    plot.setAttribute(`data-gl-${what}`, String(counts[what]));
  };
  const replot = () => {
    if (!lost || !visible()) return;
    // Cleared first: a context lost again while re-plotting is a new loss, not this one.
    lost = false;
    clearTimeout(timer);
    message.remove();
    // The old canvases leave the page in newPlot; their contexts, some perhaps restored, go with them now.
    release(plot);
    Plotly.newPlot(plot, plot.data, plot.layout, config).then(
      () => count('recovered'),
      () => {
        lost = true;
        plot.append(message);
      },
    );
  };
  const replotInView = () => {
    const wait = lastLoss + QUIET_MS - performance.now();
    if (wait > 0) timer = setTimeout(replotInView, wait);
    else if (lost && visible() && inViewReplots < IN_VIEW_REPLOTS) {
      inViewReplots++;
      replot();
    }
  };
  // WebGL context events do not bubble; capturing on the plot hears every canvas Plotly puts in it.
  const onLost = (event: Event) => {
    // Without this the browser never offers the context back (webglcontextrestored).
    event.preventDefault();
    lastLoss = performance.now();
    if (lost) return;
    lost = true;
    count('lost');
    plot.append(message);
    clearTimeout(timer);
    timer = setTimeout(replotInView, QUIET_MS);
  };
  // The canvas is replaced rather than restored: regl's own restore throws on the extensions it
  // asks for again ("error restoring extension angle_instanced_arrays"), so it never hears of it.
  const onRestored = (event: Event) => {
    event.stopPropagation();
    replot();
  };
  const onVisibility = () => {
    if (!visible()) inViewReplots = 0;
    replot();
  };
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) intersecting = entry.isIntersecting;
    onVisibility();
  });
  observer.observe(plot);
  plot.addEventListener('webglcontextlost', onLost, true);
  plot.addEventListener('webglcontextrestored', onRestored, true);
  // VS Code hides a panel kept in the background with `visibility: hidden`, which neither the
  // observer nor visibilitychange reports: a user pointing at the map is looking at it.
  plot.addEventListener('pointerenter', replot);
  document.addEventListener('visibilitychange', onVisibility);
  document.addEventListener(PANEL_SHOWN, onVisibility);
  return () => {
    clearTimeout(timer);
    observer.disconnect();
    plot.removeEventListener('webglcontextlost', onLost, true);
    plot.removeEventListener('webglcontextrestored', onRestored, true);
    plot.removeEventListener('pointerenter', replot);
    document.removeEventListener('visibilitychange', onVisibility);
    document.removeEventListener(PANEL_SHOWN, onVisibility);
    message.remove();
    release(plot);
  };
}

/** Loses the contexts of the layers Plotly draws with WebGL (its pick layer has none), freeing their slots at once. */
function release(plot: HTMLElement): void {
  for (const canvas of plot.querySelectorAll<HTMLCanvasElement>('canvas.gl-canvas-context, canvas.gl-canvas-focus')) {
    canvas.getContext('webgl')?.getExtension('WEBGL_lose_context')?.loseContext();
  }
}
