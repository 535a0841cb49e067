/**
 * UMAP's low-dimensional similarity 1 / (1 + a·r^(2b)), fitted by least squares (Levenberg–
 * Marquardt, as umap-learn does through scipy's curve_fit) to the curve that min_dist describes:
 * 1 up to min_dist, then exp(−(r − min_dist) / spread). min_dist 0.1 gives a ≈ 1.577, b ≈ 0.895.
 */
export function curveParameters(minDist: number, spread = 1): { a: number; b: number } {
  const samples = 300;
  const r = Float64Array.from({ length: samples }, (_, m) => (3 * spread * m) / (samples - 1));
  const target = r.map((x) => (x < minDist ? 1 : Math.exp(-(x - minDist) / spread)));
  const cost = (a: number, b: number) => {
    let sum = 0;
    for (let m = 0; m < samples; m++) sum += (1 / (1 + a * r[m]! ** (2 * b)) - target[m]!) ** 2;
    return sum;
  };
  let a = 1;
  let b = 1;
  let current = cost(a, b);
  for (let damping = 1e-3, step = 0; step < 500 && damping < 1e12; step++) {
    // Normal equations JᵀJ·δ = −Jᵀr of the residuals, with the diagonal damped.
    let aa = 0;
    let ab = 0;
    let bb = 0;
    let ra = 0;
    let rb = 0;
    for (let m = 1; m < samples; m++) {
      const u = r[m]! ** (2 * b);
      const f = 1 / (1 + a * u);
      const da = -u * f * f;
      const db = da * a * 2 * Math.log(r[m]!);
      const residual = f - target[m]!;
      aa += da * da;
      ab += da * db;
      bb += db * db;
      ra += da * residual;
      rb += db * residual;
    }
    const dampedA = aa * (1 + damping);
    const dampedB = bb * (1 + damping);
    const determinant = dampedA * dampedB - ab * ab;
    const nextA = a + (-ra * dampedB + rb * ab) / determinant;
    const nextB = b + (-rb * dampedA + ra * ab) / determinant;
    const next = nextA > 0 && nextB > 0 ? cost(nextA, nextB) : Infinity;
    if (next < current) {
      const converged = current - next < 1e-14;
      [a, b, current] = [nextA, nextB, next];
      damping /= 10;
      if (converged) break;
    } else {
      damping *= 10;
    }
  }
  return { a, b };
}
