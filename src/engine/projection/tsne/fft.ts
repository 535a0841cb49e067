/**
 * Mixed-radix FFTs of sizes 2^a·3^b on split real/imaginary Float64Arrays, for the grid convolutions
 * of t-SNE. Such sizes let the grid follow the layout's span closely (864 cells a side, say, where
 * a power of two would be 1024: 0.71 of the work). Stockham's self-sorting form needs no digit
 * reversal, and a column pass is the same transform with whole rows as its elements, so every inner
 * loop runs along contiguous memory with one twiddle for the whole run. Radix 4 takes two factors
 * of 2 in one pass over the data, with fewer multiplications than two radix-2 passes.
 */
type Stage = (xr: Float64Array, xi: Float64Array, xo: number, yr: Float64Array, yi: Float64Array, yo: number, m: number, s: number, step: number, cos: Float64Array, sin: Float64Array, direction: number) => void;

/** The smallest 2^a·3^b that is at least `count`. */
export function smoothAtLeast(count: number): number {
  let best = Infinity;
  for (let three = 1; three < 3 * count; three *= 3) {
    let candidate = three;
    while (candidate < count) candidate *= 2;
    best = Math.min(best, candidate);
  }
  return best;
}

/** 2-D transforms of size×size row-major grids; holds the twiddles and a grid of scratch. */
export class GridFft {
  private readonly stages: { radix: number; run: Stage }[] = [];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly scratchRe: Float64Array;
  private readonly scratchIm: Float64Array;

  constructor(readonly size: number) {
    let rest = size;
    for (const radix of [4, 2, 3]) {
      for (; rest % radix === 0; rest /= radix) this.stages.push({ radix, run: radix === 4 ? radix4 : radix === 2 ? radix2 : radix3 });
    }
    if (rest !== 1 || size < 2) throw new RangeError(`FFT size must be 2^a·3^b ≥ 2, got ${size}`);
    const angles = Float64Array.from({ length: size }, (_, t) => (2 * Math.PI * t) / size);
    this.cos = angles.map(Math.cos);
    this.sin = angles.map(Math.sin);
    this.scratchRe = new Float64Array(size * size);
    this.scratchIm = new Float64Array(size * size);
  }

  /**
   * DFT of the grid in place; the inverse one is unscaled. Only the first `rows` rows are
   * transformed in the row pass: going forward the others must be zero (zero padding), and going
   * back only those rows of the result are needed, which saves a quarter of the work on padded grids.
   */
  transform(re: Float64Array, im: Float64Array, rows: number, inverse: boolean): void {
    const { size } = this;
    const direction = inverse ? 1 : -1;
    const rowPass = () => {
      for (let r = 0; r < rows; r++) this.transform1d(re, im, r * size, 1, direction);
    };
    if (!inverse) rowPass();
    this.transform1d(re, im, 0, size, direction);
    if (inverse) rowPass();
  }

  /**
   * The DFTs of `width` interleaved sequences of length size at re/im[offset…]: one row (width 1)
   * or every column (width size), through the scratch and back.
   */
  private transform1d(re: Float64Array, im: Float64Array, offset: number, width: number, direction: number): void {
    const { size, cos, sin, stages, scratchRe, scratchIm } = this;
    let m = size;
    let s = width;
    for (let t = 0; t < stages.length; t++) {
      const { radix, run } = stages[t]!;
      m /= radix;
      if (t % 2 === 0) run(re, im, offset, scratchRe, scratchIm, 0, m, s, size / (m * radix), cos, sin, direction);
      else run(scratchRe, scratchIm, 0, re, im, offset, m, s, size / (m * radix), cos, sin, direction);
      s *= radix;
    }
    if (stages.length % 2 === 1) {
      re.set(scratchRe.subarray(0, size * width), offset);
      im.set(scratchIm.subarray(0, size * width), offset);
    }
  }
}

/*
 * One Stockham stage of radix r: for p < m and q < s, the r inputs x[q + s·(p + j·m)] (j < r) go
 * through an r-point DFT, and output k, times the twiddle ω^(p·k) of this stage's length m·r, lands
 * at y[q + s·(r·p + k)]. ω^t is cos/sin[t·step] of the full size, with `direction` the sign of i.
 */

function radix2(xr: Float64Array, xi: Float64Array, xo: number, yr: Float64Array, yi: Float64Array, yo: number, m: number, s: number, step: number, cos: Float64Array, sin: Float64Array, direction: number): void {
  for (let p = 0; p < m; p++) {
    const w1r = cos[p * step]!;
    const w1i = direction * sin[p * step]!;
    const a0 = xo + s * p;
    const a1 = a0 + s * m;
    const b0 = yo + s * 2 * p;
    const b1 = b0 + s;
    for (let q = 0; q < s; q++) {
      const r0 = xr[a0 + q]!;
      const i0 = xi[a0 + q]!;
      const r1 = xr[a1 + q]!;
      const i1 = xi[a1 + q]!;
      yr[b0 + q] = r0 + r1;
      yi[b0 + q] = i0 + i1;
      const dr = r0 - r1;
      const di = i0 - i1;
      yr[b1 + q] = dr * w1r - di * w1i;
      yi[b1 + q] = dr * w1i + di * w1r;
    }
  }
}

const HALF_SQRT3 = Math.sqrt(3) / 2;

function radix3(xr: Float64Array, xi: Float64Array, xo: number, yr: Float64Array, yi: Float64Array, yo: number, m: number, s: number, step: number, cos: Float64Array, sin: Float64Array, direction: number): void {
  const c = direction * HALF_SQRT3;
  for (let p = 0; p < m; p++) {
    const w1r = cos[p * step]!;
    const w1i = direction * sin[p * step]!;
    const w2r = cos[2 * p * step]!;
    const w2i = direction * sin[2 * p * step]!;
    const a0 = xo + s * p;
    const a1 = a0 + s * m;
    const a2 = a1 + s * m;
    const b0 = yo + s * 3 * p;
    const b1 = b0 + s;
    const b2 = b1 + s;
    for (let q = 0; q < s; q++) {
      const r0 = xr[a0 + q]!;
      const i0 = xi[a0 + q]!;
      const tr = xr[a1 + q]! + xr[a2 + q]!;
      const ti = xi[a1 + q]! + xi[a2 + q]!;
      // ±i·(√3/2)·(x1 − x2), the odd part of the two rotations by ω₃ and ω₃².
      const ur = -c * (xi[a1 + q]! - xi[a2 + q]!);
      const ui = c * (xr[a1 + q]! - xr[a2 + q]!);
      yr[b0 + q] = r0 + tr;
      yi[b0 + q] = i0 + ti;
      const mr = r0 - tr / 2;
      const mi = i0 - ti / 2;
      yr[b1 + q] = (mr + ur) * w1r - (mi + ui) * w1i;
      yi[b1 + q] = (mr + ur) * w1i + (mi + ui) * w1r;
      yr[b2 + q] = (mr - ur) * w2r - (mi - ui) * w2i;
      yi[b2 + q] = (mr - ur) * w2i + (mi - ui) * w2r;
    }
  }
}

function radix4(xr: Float64Array, xi: Float64Array, xo: number, yr: Float64Array, yi: Float64Array, yo: number, m: number, s: number, step: number, cos: Float64Array, sin: Float64Array, direction: number): void {
  for (let p = 0; p < m; p++) {
    const w1r = cos[p * step]!;
    const w1i = direction * sin[p * step]!;
    const w2r = cos[2 * p * step]!;
    const w2i = direction * sin[2 * p * step]!;
    const w3r = cos[3 * p * step]!;
    const w3i = direction * sin[3 * p * step]!;
    const a0 = xo + s * p;
    const a1 = a0 + s * m;
    const a2 = a1 + s * m;
    const a3 = a2 + s * m;
    const b0 = yo + s * 4 * p;
    const b1 = b0 + s;
    const b2 = b1 + s;
    const b3 = b2 + s;
    for (let q = 0; q < s; q++) {
      const r0 = xr[a0 + q]!;
      const i0 = xi[a0 + q]!;
      const r1 = xr[a1 + q]!;
      const i1 = xi[a1 + q]!;
      const r2 = xr[a2 + q]!;
      const i2 = xi[a2 + q]!;
      const r3 = xr[a3 + q]!;
      const i3 = xi[a3 + q]!;
      const sr = r0 + r2;
      const si = i0 + i2;
      const dr = r0 - r2;
      const di = i0 - i2;
      const tr = r1 + r3;
      const ti = i1 + i3;
      // (x1 − x3) times ω₄ = ±i.
      const ur = -direction * (i1 - i3);
      const ui = direction * (r1 - r3);
      yr[b0 + q] = sr + tr;
      yi[b0 + q] = si + ti;
      yr[b1 + q] = (dr + ur) * w1r - (di + ui) * w1i;
      yi[b1 + q] = (dr + ur) * w1i + (di + ui) * w1r;
      yr[b2 + q] = (sr - tr) * w2r - (si - ti) * w2i;
      yi[b2 + q] = (sr - tr) * w2i + (si - ti) * w2r;
      yr[b3 + q] = (dr - ur) * w3r - (di - ui) * w3i;
      yi[b3 + q] = (dr - ur) * w3i + (di - ui) * w3r;
    }
  }
}
