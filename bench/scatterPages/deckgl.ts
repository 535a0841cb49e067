/**
 * deck.gl 9.4.0: a ScatterplotLayer in an OrthographicView, fed binary attributes (its fast path
 * for large data), so the points go to the GPU without an accessor call per point.
 */
import { Deck, type OrthographicViewState, OrthographicView } from '@deck.gl/core';
import { ScatterplotLayer } from '@deck.gl/layers';
import { type Camera, CATEGORY_RGB, mountBench, POINT_SIZE, VIEW_SIZE } from './harness';

/** Scale 1 fits [-1, 1] into the height: half the height in pixels per data unit. */
function viewState(camera: Camera): OrthographicViewState {
  return { target: [camera.x, camera.y, 0], zoom: Math.log2((camera.scale * VIEW_SIZE.height) / 2) };
}

mountBench(async (host) => {
  const canvas = document.createElement('canvas');
  canvas.style.width = `${VIEW_SIZE.width}px`;
  canvas.style.height = `${VIEW_SIZE.height}px`;
  host.append(canvas);
  let redraws = 0;
  const deck = await new Promise<Deck>((resolve, reject) => {
    const created: Deck = new Deck({
      canvas,
      width: VIEW_SIZE.width,
      height: VIEW_SIZE.height,
      useDevicePixels: 1,
      // y up, as in the data and the other contenders.
      views: new OrthographicView({ flipY: false }),
      viewState: viewState({ x: 0, y: 0, scale: 1 }),
      controller: false,
      layers: [],
      onLoad: () => resolve(created),
      onError: reject,
      onAfterRender: () => redraws++,
    });
  });
  return {
    canvas,
    async draw(points) {
      const count = points.x.length;
      // deck.gl takes positions interleaved and colours per point; building them is part of handing over.
      const positions = new Float32Array(count * 2);
      const colors = new Uint8Array(count * 3);
      for (let i = 0; i < count; i++) {
        positions[2 * i] = points.x[i]!;
        positions[2 * i + 1] = points.y[i]!;
        colors.set(CATEGORY_RGB[points.category[i]!]!, 3 * i);
      }
      const layer = new ScatterplotLayer({
        id: 'points',
        data: { length: count, attributes: { getPosition: { value: positions, size: 2 }, getFillColor: { value: colors, size: 3 } } },
        radiusUnits: 'pixels',
        getRadius: POINT_SIZE / 2,
        stroked: false,
      });
      deck.setProps({ layers: [layer] });
    },
    look(camera) {
      deck.setProps({ viewState: viewState(camera) });
    },
    redraws: () => redraws,
  };
});
