/** Paths between two latent vectors. */

export type InterpolationMode = 'lerp' | 'slerp';

export function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  return a.map((value, i) => value + (b[i]! - value) * t);
}

/**
 * Spherical interpolation on the raw vectors (White 2016, "Sampling Generative Networks"): keeps the
 * norm a Gaussian prior expects along the path, where a straight line passes near the origin.
 * Falls back to the straight line when the vectors are (anti)parallel and the arc is undefined.
 */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  const normA = norm(a);
  const normB = norm(b);
  if (normA === 0 || normB === 0) return lerp(a, b, t);
  let cosine = 0;
  for (let i = 0; i < a.length; i++) cosine += (a[i]! / normA) * (b[i]! / normB);
  const omega = Math.acos(Math.min(1, Math.max(-1, cosine)));
  const sine = Math.sin(omega);
  if (sine < 1e-6) return lerp(a, b, t);
  const wa = Math.sin((1 - t) * omega) / sine;
  const wb = Math.sin(t * omega) / sine;
  return a.map((value, i) => wa * value + wb * b[i]!);
}

function norm(vector: Float32Array): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Math.sqrt(sum);
}

export function interpolate(mode: InterpolationMode, a: Float32Array, b: Float32Array, t: number): Float32Array {
  return mode === 'slerp' ? slerp(a, b, t) : lerp(a, b, t);
}

/** `steps` evenly spaced points from a to b, both ends included, as rows of one array. */
export function interpolationPath(mode: InterpolationMode, a: Float32Array, b: Float32Array, steps: number): Float32Array {
  const rows = new Float32Array(steps * a.length);
  for (let step = 0; step < steps; step++) rows.set(interpolate(mode, a, b, step / (steps - 1)), step * a.length);
  return rows;
}
