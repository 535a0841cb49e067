/** Bilinear resampling of interleaved 8-bit pixels, sampling at pixel centres like common image libraries. */

interface Taps {
  low: Int32Array;
  high: Int32Array;
  weight: Float32Array;
}

function taps(from: number, to: number): Taps {
  const result = { low: new Int32Array(to), high: new Int32Array(to), weight: new Float32Array(to) };
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    const position = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
    result.low[i] = Math.floor(position);
    result.high[i] = Math.min(result.low[i]! + 1, from - 1);
    result.weight[i] = position - result.low[i]!;
  }
  return result;
}

export function resizeBilinear(pixels: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  if (width === outWidth && height === outHeight) return pixels;
  const out = new Uint8Array(outWidth * outHeight * channels);
  const xs = taps(width, outWidth);
  const ys = taps(height, outHeight);
  for (let y = 0; y < outHeight; y++) {
    const top = ys.low[y]! * width;
    const bottom = ys.high[y]! * width;
    const wy = ys.weight[y]!;
    for (let x = 0; x < outWidth; x++) {
      const left = xs.low[x]!;
      const right = xs.high[x]!;
      const wx = xs.weight[x]!;
      for (let c = 0; c < channels; c++) {
        const upper = pixels[(top + left) * channels + c]! * (1 - wx) + pixels[(top + right) * channels + c]! * wx;
        const lower = pixels[(bottom + left) * channels + c]! * (1 - wx) + pixels[(bottom + right) * channels + c]! * wx;
        out[(y * outWidth + x) * channels + c] = Math.round(upper * (1 - wy) + lower * wy);
      }
    }
  }
  return out;
}
