/** Model outputs in [0, 1] to bytes for the webview; feature images are stretched to their own range. */

export function toPixels(values: ArrayLike<number>): Uint8Array {
  const pixels = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) pixels[i] = Math.round(Math.min(1, Math.max(0, values[i]!)) * 255);
  return pixels;
}

/** Each of `count` images min–max stretched on its own: dictionary atoms have arbitrary sign and scale. */
export function toStretchedPixels(values: ArrayLike<number>, count: number): Uint8Array {
  const size = values.length / count;
  const pixels = new Uint8Array(values.length);
  for (let image = 0; image < count; image++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = image * size; i < (image + 1) * size; i++) {
      min = Math.min(min, values[i]!);
      max = Math.max(max, values[i]!);
    }
    const range = max - min || 1;
    for (let i = image * size; i < (image + 1) * size; i++) pixels[i] = Math.round(((values[i]! - min) / range) * 255);
  }
  return pixels;
}
