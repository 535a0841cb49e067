/**
 * Φ⁻¹, the standard normal quantile function, by Acklam's rational approximations (relative error
 * below 1.2e-9 over (0, 1)): a central rational function in p − ½ and tail functions in
 * √(−2 ln p), which is where the quantile's logarithmic growth lives.
 */
const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const TAIL = 0.02425;

/** Horner evaluation; `leadingOne` appends the constant term 1 the denominators share. */
function polynomial(coefficients: number[], x: number, leadingOne = false): number {
  let sum = 0;
  for (const coefficient of coefficients) sum = sum * x + coefficient;
  return leadingOne ? sum * x + 1 : sum;
}

function lowerTail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  return polynomial(c, q) / polynomial(d, q, true);
}

export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  if (p < TAIL) return lowerTail(p);
  if (p > 1 - TAIL) return -lowerTail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(a, r) * q) / polynomial(b, r, true);
}

/** n quantiles at the midpoints of n equal slices of probability: the grid Kingma & Welling draw for a 2-D VAE. */
export function gaussianGrid(n: number): number[] {
  return Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
}
