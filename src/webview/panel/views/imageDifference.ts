/** Where a reconstruction misses: the per-pixel absolute difference of two images of one shape. */
import type { Images } from '../../../shared/protocol';

export function absoluteDifference(input: Images, reconstruction: Images): Images {
  const pixels = new Uint8Array(input.pixels.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.abs(input.pixels[i]! - (reconstruction.pixels[i] ?? 0));
  return { shape: input.shape, count: input.count, pixels };
}
