/**
 * Engine images (bytes 0–255, shape [h, w, c] or [features]) onto canvases. Canvases keep the
 * native resolution and CSS scales them up with `image-rendering: pixelated`, so a 28×28 digit
 * stays crisp at any size.
 */
import type { Images } from '../../../shared/protocol';

/** Height of the bar strip a 1-D sample is drawn as. */
const BAR_HEIGHT = 16;

interface Layout {
  width: number;
  height: number;
  /** Draws sample `index` into `target` with its top-left corner at (x, y). */
  draw(pixels: Uint8Array, index: number, target: ImageData, x: number, y: number): void;
}

function layoutOf(shape: number[]): Layout {
  if (shape.length === 1) return barLayout(shape[0]!);
  const [height, width, channels = 1] = shape as [number, number, number?];
  return rasterLayout(width, height, channels);
}

function rasterLayout(width: number, height: number, channels: number): Layout {
  const color = channels >= 3;
  return {
    width,
    height,
    draw(pixels, index, target, x0, y0) {
      const base = index * width * height * channels;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const source = base + (y * width + x) * channels;
          const out = ((y0 + y) * target.width + x0 + x) * 4;
          target.data[out] = pixels[source]!;
          target.data[out + 1] = pixels[source + (color ? 1 : 0)]!;
          target.data[out + 2] = pixels[source + (color ? 2 : 0)]!;
          target.data[out + 3] = 255;
        }
      }
    },
  };
}

/** A feature vector as a row of bars, each as tall as its value. */
function barLayout(features: number): Layout {
  return {
    width: features,
    height: BAR_HEIGHT,
    draw(pixels, index, target, x0, y0) {
      for (let x = 0; x < features; x++) {
        const filled = Math.round((pixels[index * features + x]! / 255) * BAR_HEIGHT);
        for (let y = 0; y < BAR_HEIGHT; y++) {
          const out = ((y0 + y) * target.width + x0 + x) * 4;
          const level = BAR_HEIGHT - y <= filled ? 255 : 24;
          target.data.set([level, level, level, 255], out);
        }
      }
    },
  };
}

/** One sample of a batch as its own canvas. */
export function imageCanvas(images: Images, index: number, className = 'thumb'): HTMLCanvasElement {
  return gridCanvas(images, { columns: 1, first: index, count: 1, className });
}

/**
 * Several samples tiled row by row into one canvas (the manifold grid, the interpolation strip's
 * live frame). `first`/`count` pick a run of samples out of the batch.
 */
export function gridCanvas(images: Images, options: { columns: number; first?: number; count?: number; className?: string }): HTMLCanvasElement {
  const layout = layoutOf(images.shape);
  const first = options.first ?? 0;
  const count = options.count ?? images.count - first;
  const rows = Math.ceil(count / options.columns);
  const canvas = document.createElement('canvas');
  canvas.className = options.className ?? 'thumb';
  canvas.width = layout.width * Math.min(options.columns, count);
  canvas.height = layout.height * rows;
  const context = canvas.getContext('2d');
  if (!context || canvas.width === 0 || canvas.height === 0) return canvas;
  const target = context.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < count; i++) {
    layout.draw(images.pixels, first + i, target, (i % options.columns) * layout.width, Math.floor(i / options.columns) * layout.height);
  }
  context.putImageData(target, 0, 0);
  return canvas;
}

/** Sample `index` of a batch as a batch of one, for caches keyed by sample. */
export function singleImage(images: Images, index: number): Images {
  const size = images.pixels.length / Math.max(1, images.count);
  return { shape: images.shape, count: 1, pixels: images.pixels.slice(index * size, (index + 1) * size) };
}
