/**
 * Keeps a map drawn when the browser takes its graphics context away. Browsers keep about 16 live
 * WebGL contexts per renderer process and take the oldest away beyond that (plotly.js#337); in VS
 * Code every webview shares one process. A lost context never draws again, so the map says so over
 * itself and is made anew — a fresh context — when it is in view again, when the pointer comes to
 * it, or when the browser offers the context back.
 */
import { notice } from '../ui/controls';

const LOST = "The map's graphics context was lost (too many views open); it redraws when this view is visible again or you point at it.";

/** A page still creating maps would take a redraw's context straight back: redraws in view wait until losses stop this long. */
const QUIET_MS = 500;
/**
 * Redraws of a map lost while it stays in view. With more maps in view than the browser keeps
 * contexts for, each redraw takes another's, without end; past this the map waits to be shown again.
 */
const IN_VIEW_REDRAWS = 3;

/** When a map of this page last lost its context. */
let lastLoss = -Infinity;

/** Dispatched on `document` when the host says the panel came to the front. */
export const PANEL_SHOWN = 'latent-lab-panel-shown';

export interface ContextWatch {
  /** Listens to the canvas that owns the WebGL context the map draws with now. */
  watch(glCanvas: HTMLCanvasElement): void;
  stop(): void;
}

/**
 * Watches the context of the map in `host` and calls `redraw` (which makes a new context) when the
 * map can be seen again. Losses and recoveries are counted on `host` as data-gl-lost and
 * data-gl-recovered, for tests and bug reports.
 */
export function watchContext(host: HTMLElement, redraw: () => Promise<void>): ContextWatch {
  const message = notice(LOST);
  message.classList.add('context-lost');
  const counts = { lost: 0, recovered: 0 };
  let lost = false;
  let intersecting = false;
  let inViewRedraws = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watched: HTMLCanvasElement | undefined;

  const visible = () => intersecting && document.visibilityState === 'visible';
  const count = (what: keyof typeof counts) => {
    counts[what]++;
    host.setAttribute(`data-gl-${what}`, String(counts[what]));
  };
  const recover = () => {
    if (!lost || !visible()) return;
    // Cleared first: a context lost again while redrawing is a new loss, not this one.
    lost = false;
    clearTimeout(timer);
    message.remove();
    redraw().then(
      () => count('recovered'),
      () => {
        lost = true;
        host.append(message);
      },
    );
  };
  const recoverInView = () => {
    const wait = lastLoss + QUIET_MS - performance.now();
    if (wait > 0) timer = setTimeout(recoverInView, wait);
    else if (lost && visible() && inViewRedraws < IN_VIEW_REDRAWS) {
      inViewRedraws++;
      recover();
    }
  };
  const onLost = (event: Event) => {
    // Without this the browser never offers the context back (webglcontextrestored).
    event.preventDefault();
    lastLoss = performance.now();
    if (lost) return;
    lost = true;
    count('lost');
    host.append(message);
    clearTimeout(timer);
    timer = setTimeout(recoverInView, QUIET_MS);
  };
  // A new context rather than the restored one: regl's own restore throws on the extensions it asks
  // for again ("error restoring extension angle_instanced_arrays").
  const onRestored = () => recover();
  const onVisibility = () => {
    if (!visible()) inViewRedraws = 0;
    recover();
  };
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) intersecting = entry.isIntersecting;
    onVisibility();
  });
  observer.observe(host);
  // VS Code hides a panel kept in the background with `visibility: hidden`, which neither the
  // observer nor visibilitychange reports: a user pointing at the map is looking at it.
  host.addEventListener('pointerenter', recover);
  document.addEventListener('visibilitychange', onVisibility);
  document.addEventListener(PANEL_SHOWN, onVisibility);
  const unwatch = () => {
    watched?.removeEventListener('webglcontextlost', onLost);
    watched?.removeEventListener('webglcontextrestored', onRestored);
    watched = undefined;
  };
  return {
    watch(glCanvas) {
      unwatch();
      watched = glCanvas;
      glCanvas.addEventListener('webglcontextlost', onLost);
      glCanvas.addEventListener('webglcontextrestored', onRestored);
    },
    stop() {
      clearTimeout(timer);
      observer.disconnect();
      unwatch();
      host.removeEventListener('pointerenter', recover);
      document.removeEventListener('visibilitychange', onVisibility);
      document.removeEventListener(PANEL_SHOWN, onVisibility);
      message.remove();
    },
  };
}
