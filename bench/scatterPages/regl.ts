/**
 * regl-scatterplot 1.16.0 as its package ships it (its own regl, its default worker and blending),
 * drawing like the latent map: 2.5 px points coloured by class. The latent map's own component is
 * measured as a contender of its own.
 */
import createScatterplot from 'regl-scatterplot';
import { CATEGORY_HEX, mountBench, POINT_SIZE, VIEW_SIZE } from './harness';

mountBench(async (host) => {
  const canvas = document.createElement('canvas');
  canvas.style.width = `${VIEW_SIZE.width}px`;
  canvas.style.height = `${VIEW_SIZE.height}px`;
  host.append(canvas);
  const scatter = createScatterplot({ canvas, width: VIEW_SIZE.width, height: VIEW_SIZE.height, pointSize: POINT_SIZE, pointColor: CATEGORY_HEX, colorBy: 'valueA', backgroundColor: '#ffffff' });
  let redraws = 0;
  scatter.subscribe('draw', () => redraws++);
  return {
    canvas,
    async draw(points) {
      await scatter.draw({ x: points.x, y: points.y, valueA: points.category }, { zDataType: 'categorical' });
    },
    look(camera) {
      // Distance 1 shows [-1, 1] across the height, as the harness's scale 1 does.
      void scatter.set({ cameraTarget: [camera.x, camera.y], cameraDistance: 1 / camera.scale });
    },
    redraws: () => redraws,
  };
});
