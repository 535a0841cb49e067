/**
 * The latent map's own component, `ScatterMap` (src/webview/common/map/scatterMap.ts), as the
 * explorer's map view makes it (mapView.ts: wheel zoom on, the pan / box / lasso tools) and feeds it
 * (a PCA `Projection` of the points, a `label` Coloring of their classes), with the map's own
 * stylesheet and renderer: the shared WebGL context, regl aliased to @plotly/regl running the
 * precompiled draw code (reglCode.generated.ts), the moved-frame pan (motionFrames.ts).
 *
 * What is measured differs from the other pages in one way, on purpose: the camera is moved the way
 * a user moves it, not through an API. The pointer comes onto the map's canvas in the pan's first
 * warm-up frame and presses in the second; from then on each frame one `mousemove` drags it and one `wheel` where the pointer is zooms, by what
 * takes the view from the last camera of the harness's path to the next (dom-2d-camera inside
 * regl-scatterplot pans by the drag, then scales by exp(−deltaY / height) about the pointer). The
 * scatter's frame loop ticks its camera from these events, so every frame of the pan passes the
 * map's frame gate as a user's drag does: where full frames are slow (more than
 * 33 ms, as in software WebGL at a million points) it shows the last full frame moved, and draws a
 * full frame only once the camera rests 120 ms (after the pan: not timed here; bench/scaleMap.ts
 * times that settle). The pan's frame times are thus what a user sees while dragging; `redraws`
 * counts every frame the map drew (moved or full, its `view` event), `fullRedraws` the full ones.
 * After the pan the view must be where the harness's path ends, or the page says it did not follow.
 *
 * The first draw ends when the map says its points are on screen (its `painted` event: a full frame
 * of every point on the map's canvas, which the harness then reads back — drawn by the map's first
 * frame path, firstFrame.ts, pixel for pixel the scatter's own frame, or by the scatter where that
 * path does not apply). The scatter's preparation of the points and the k-d tree that hover and
 * selection ask come after that frame, and `show` resolves once they are done (an error there is
 * the page's problem, reported as such); the harness's two animation frames after `painted` wait
 * for the first part of that work.
 */
import mapStyles from '../../src/webview/common/map.css';
import type { Coloring } from '../../src/webview/common/map/mapColoring';
import type { Projection } from '../../src/webview/common/map/projection';
import { type MapInspection, ScatterMap, type VisibleRegion } from '../../src/webview/common/map/scatterMap';
import { type Camera, mountBench, VIEW_SIZE } from './harness';

/** How far the view may end from the path's last camera, as a share of the view's height. */
const FOLLOW_TOLERANCE = 0.02;

mountBench(async (host) => {
  const style = document.createElement('style');
  style.textContent = mapStyles;
  document.head.append(style);
  let views = 0;
  let painted: (() => void) | undefined;
  let failure: string | undefined;
  const map = new ScatterMap({ view: () => views++, painted: () => painted?.() }, { wheelZoom: true, tools: true });
  Object.assign(map.element.style, { width: `${VIEW_SIZE.width}px`, height: `${VIEW_SIZE.height}px` });
  host.append(map.element);
  const inspect = (map.element as HTMLElement & { latentMap: MapInspection }).latentMap;
  const canvas = map.element.querySelector<HTMLCanvasElement>('.map-canvas')!;
  /** During a pan: the camera the last events asked for, where the pointer is, and the map's x pixels per y pixel of one data unit. */
  let drag: { asked: Camera; pressed: boolean; pointer: { x: number; y: number }; xPixelsPerY: number } | undefined;
  return {
    canvas,
    async draw(points) {
      // The explorer's labels arrive as Int32Array (-1 for none); the harness's classes are bytes.
      const projection: Projection = { method: 'pca', x: points.x, y: points.y };
      const coloring: Coloring = { kind: 'label', categories: Int32Array.from(points.category) };
      const shown = map.show(projection, coloring);
      shown.catch((error: unknown) => (failure = error instanceof Error ? error.message : String(error)));
      await Promise.race([shown, new Promise<void>((resolve) => (painted = resolve))]);
    },
    problem: () => failure,
    look(camera) {
      const box = canvas.getBoundingClientRect();
      const centre = { x: box.left + box.width / 2, y: box.top + box.height / 2 };
      if (!drag) {
        // The pointer comes onto the map in the pan's first (warm-up) frame, and presses in the next:
        // the camera drags from where its last tick saw the pointer.
        const region = inspect.region()!;
        drag = { asked: cameraOf(region), pressed: false, pointer: centre, xPixelsPerY: (box.width / (region.x[1] - region.x[0])) * ((region.y[1] - region.y[0]) / box.height) };
        window.dispatchEvent(new MouseEvent('mousemove', { clientX: centre.x, clientY: centre.y, buttons: 0, bubbles: true }));
        return;
      }
      const { asked, pointer } = drag;
      // In a tick the camera pans by the drag, then zooms about the pointer (where the wheel turned):
      // the drag that ends at the next camera is solved for with the pointer where it lands. On each
      // axis, in screen pixels right and up of the canvas centre, with s pixels per data unit before
      // the step (the map scales x and y to [-1, 1] apart, so s differs between them) and f the zoom:
      // centre' = centre − drag/s + (pointer + drag)/s · (1 − 1/f) = target, so
      // drag = −f·s·(target − centre) + pointer·(f − 1).
      const sy = (asked.scale * box.height) / 2;
      const sx = sy * drag.xPixelsPerY;
      const f = camera.scale / asked.scale;
      const right = -f * sx * (camera.x - asked.x) + (pointer.x - centre.x) * (f - 1);
      const up = -f * sy * (camera.y - asked.y) + (centre.y - pointer.y) * (f - 1);
      drag.pointer = { x: pointer.x + right, y: pointer.y - up };
      const at = { clientX: drag.pointer.x, clientY: drag.pointer.y, bubbles: true, cancelable: true };
      if (!drag.pressed) canvas.dispatchEvent(new MouseEvent('mousedown', { clientX: pointer.x, clientY: pointer.y, button: 0, buttons: 1, bubbles: true, cancelable: true }));
      drag.pressed = true;
      window.dispatchEvent(new MouseEvent('mousemove', { ...at, button: 0, buttons: 1 }));
      // The wheel where the pointer is, as a user's would be: it zooms by exp(−deltaY / height).
      if (f !== 1) canvas.dispatchEvent(new WheelEvent('wheel', { ...at, buttons: 1, deltaY: -box.height * Math.log(f), deltaMode: WheelEvent.DOM_DELTA_PIXEL }));
      drag.asked = camera;
    },
    release() {
      if (!drag) return;
      const { asked, pointer } = drag;
      drag = undefined;
      window.dispatchEvent(new MouseEvent('mouseup', { clientX: pointer.x, clientY: pointer.y, button: 0, buttons: 0, bubbles: true, cancelable: true }));
      const now = cameraOf(inspect.region()!);
      const height = 2 / asked.scale;
      const off = Math.max(Math.abs(now.x - asked.x), Math.abs(now.y - asked.y), Math.abs(2 / now.scale - height)) / height;
      if (off > FOLLOW_TOLERANCE) throw new Error(`the map did not follow the pan: it ends at ${JSON.stringify(now)}, the path at ${JSON.stringify(asked)}`);
    },
    redraws: () => views,
    fullRedraws: () => inspect.frames()?.full ?? 0,
  };
});

/** The harness's camera for the region the map shows: its centre, and scale 1 for [-1, 1] across the height. */
function cameraOf(region: VisibleRegion): Camera {
  return { x: (region.x[0] + region.x[1]) / 2, y: (region.y[0] + region.y[1]) / 2, scale: 2 / (region.y[1] - region.y[0]) };
}
