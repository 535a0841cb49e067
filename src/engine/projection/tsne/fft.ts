/**
 * Radix-2 FFTs in place on split real/imaginary Float64Arrays, for the grid convolutions of t-SNE.
 * Bit-reversal order and twiddles are computed once per size.
 */
interface Plan {
  reversal: Int32Array;
  cos: Float64Array;
  sin: Float64Array;
  /** Holds BAND columns, each contiguous, while they are transformed. */
  bandRe: Float64Array;
  bandIm: Float64Array;
}

const BAND = 8;
const plans = new Map<number, Plan>();

function planFor(size: number): Plan {
  let plan = plans.get(size);
  if (!plan) {
    if (size < 2 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two, got ${size}`);
    const bits = Math.log2(size);
    const reversal = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      let reversed = 0;
      for (let b = 0; b < bits; b++) reversed |= ((i >> b) & 1) << (bits - 1 - b);
      reversal[i] = reversed;
    }
    const angles = Float64Array.from({ length: size / 2 }, (_, t) => (2 * Math.PI * t) / size);
    plan = { reversal, cos: angles.map(Math.cos), sin: angles.map(Math.sin), bandRe: new Float64Array(BAND * size), bandIm: new Float64Array(BAND * size) };
    plans.set(size, plan);
  }
  return plan;
}

/** DFT of re/im[offset, offset + size); the inverse one is unscaled. */
function transform(re: Float64Array, im: Float64Array, offset: number, size: number, plan: Plan, inverse: boolean): void {
  const { reversal, cos, sin } = plan;
  for (let i = 0; i < size; i++) {
    const j = reversal[i]!;
    if (j <= i) continue;
    const r = re[offset + i]!;
    const m = im[offset + i]!;
    re[offset + i] = re[offset + j]!;
    im[offset + i] = im[offset + j]!;
    re[offset + j] = r;
    im[offset + j] = m;
  }
  const direction = inverse ? 1 : -1;
  for (let half = 1; half < size; half *= 2) {
    const stride = size / (2 * half);
    // One twiddle per t serves every butterfly of the stage that uses it.
    for (let t = 0; t < half; t++) {
      const wr = cos[t * stride]!;
      const wi = direction * sin[t * stride]!;
      for (let a = offset + t; a < offset + size; a += 2 * half) {
        const b = a + half;
        const tr = wr * re[b]! - wi * im[b]!;
        const ti = wr * im[b]! + wi * re[b]!;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a]! += tr;
        im[a]! += ti;
      }
    }
  }
}

/**
 * 2-D DFT of a size×size row-major grid in place. Only the first `rows` rows are transformed in
 * the row pass: going forward the others must be zero (zero padding), and going back (unscaled)
 * only those rows of the result are needed, which saves a quarter of the work on padded grids.
 */
export function fft2d(re: Float64Array, im: Float64Array, size: number, rows: number, inverse: boolean): void {
  const plan = planFor(size);
  const rowPass = () => {
    for (let r = 0; r < rows; r++) transform(re, im, r * size, size, plan, inverse);
  };
  if (!inverse) rowPass();
  // Columns go through in bands copied to contiguous scratch, so that each row is read a cache
  // line at a time rather than one value per line.
  const { bandRe, bandIm } = plan;
  for (let first = 0; first < size; first += BAND) {
    const width = Math.min(BAND, size - first);
    copyBand(re, im, bandRe, bandIm, size, first, width, true);
    for (let c = 0; c < width; c++) transform(bandRe, bandIm, c * size, size, plan, inverse);
    copyBand(re, im, bandRe, bandIm, size, first, width, false);
  }
  if (inverse) rowPass();
}

function copyBand(re: Float64Array, im: Float64Array, bandRe: Float64Array, bandIm: Float64Array, size: number, first: number, width: number, toBand: boolean): void {
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < width; c++) {
      const cell = r * size + first + c;
      if (toBand) {
        bandRe[c * size + r] = re[cell]!;
        bandIm[c * size + r] = im[cell]!;
      } else {
        re[cell] = bandRe[c * size + r]!;
        im[cell] = bandIm[c * size + r]!;
      }
    }
  }
}
