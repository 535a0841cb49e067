/**
 * The repulsive part of the t-SNE gradient by FFT-accelerated interpolation (Linderman et al. 2019,
 * "FIt-SNE"), chosen over a Barnes–Hut tree because its cost is O(n) plus a grid FFT and does not
 * grow with how finely the points must be resolved. Point charges are spread onto a uniform grid by
 * quadratic Lagrange interpolation on the three nearest nodes per axis, convolved with the kernels
 * K = 1/(1 + r²) and K² through zero-padded FFTs, and read back with the same weights.
 */
import { GridFft, smoothAtLeast } from './fft';

/**
 * Below this many points the direct O(n²) sums are faster than the grid, and they stay exact where
 * the grid fails: in a sparse layout Z is far below n, so the interpolation error of the self
 * terms that the grid sums then subtract can exceed Z itself.
 */
const EXACT_BELOW = 1000;
/**
 * The force error grows about as spacing³: on the clustered layouts of projection-parts.test.ts it
 * is 0.012 of the force at spacing 0.36, 0.016 at 0.4, 0.020 at 0.43 and 0.030 at 0.5, so 0.4
 * keeps it under that test's bound of 0.02 wherever the span falls between two grid sizes.
 */
const MAX_SPACING = 0.4;
const MIN_NODES = 32;
/** Bounds time and memory (an FFT of 1024² cells) when a layout spreads out: wide ones get coarser spacing. */
const MAX_NODES = 512;

interface Complex {
  re: Float64Array;
  im: Float64Array;
}

export class Repulsion {
  private charges: [Complex, Complex] | undefined;
  private fft: GridFft | undefined;
  private kernel?: { size: number; spacing: number; transform: Complex };
  private stencilNodes = new Int32Array(0);
  private stencilWeights = new Float64Array(0);

  /**
   * Writes Σ_j K_ij² (y_i − y_j) for every point into `forces` ([n, 2], like `layout`) and returns
   * the normalisation Z = Σ_{i≠j} K_ij.
   */
  compute(layout: Float64Array, n: number, forces: Float64Array): number {
    if (n < EXACT_BELOW) return exactRepulsion(layout, n, forces);
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, layout[2 * i]!);
      maxX = Math.max(maxX, layout[2 * i]!);
      minY = Math.min(minY, layout[2 * i + 1]!);
      maxY = Math.max(maxY, layout[2 * i + 1]!);
    }
    const span = Math.max(maxX - minX, maxY - minY, 1e-12);
    // Two nodes of margin keep every point's three-node stencil inside the grid, and the grid is
    // half the FFT size so that the circular convolution equals the linear one. Counts 2^a·3^b
    // follow the span more closely than powers of two do, at about the same FFT cost per cell.
    const nodes = Math.min(MAX_NODES, Math.max(MIN_NODES, smoothAtLeast(span / MAX_SPACING + 3)));
    const size = 2 * nodes;
    if (this.fft?.size !== size) this.fft = new GridFft(size);
    const { fft } = this;
    // The finest spacing on the ladder MAX_SPACING·2^(−j/8) that fits the span: it changes only when
    // the span grows by a ninth or so or the node count steps up, and the kernel transform, which
    // depends on nothing else, is reused in between.
    const spacing = MAX_SPACING * 2 ** (-Math.floor(8 * Math.log2((MAX_SPACING * (nodes - 3)) / span)) / 8);
    const kernel = this.kernelTransform(fft, spacing);
    const [charges, chargesY] = this.chargeGrids(size);
    const { stencilNodes, stencilWeights } = this.stencils(layout, n, minX - spacing, minY - spacing, spacing, size);
    // The real charges 1, x and y travel as two complex grids: 1 + i·x, and y.
    for (let i = 0; i < n; i++) {
      const x = layout[2 * i]!;
      const y = layout[2 * i + 1]!;
      for (let s = 9 * i; s < 9 * i + 9; s++) {
        const node = stencilNodes[s]!;
        const weight = stencilWeights[s]!;
        charges.re[node]! += weight;
        charges.im[node]! += weight * x;
        chargesY.re[node]! += weight * y;
      }
    }
    fft.transform(charges.re, charges.im, nodes, false);
    fft.transform(chargesY.re, chargesY.im, nodes, false);
    // The y grid becomes y∗K² + i·(1∗K): the transform of the charge 1 alone is split from that of
    // 1 + i·x by conjugate symmetry (both charges are real), which saves a third inverse FFT.
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) {
        const cell = row * size + column;
        const mirror = ((size - row) % size) * size + ((size - column) % size);
        const oneRe = (charges.re[cell]! + charges.re[mirror]!) / 2;
        const oneIm = (charges.im[cell]! - charges.im[mirror]!) / 2;
        const k1 = kernel.re[cell]!;
        const k2 = kernel.im[cell]!;
        const yRe = chargesY.re[cell]!;
        chargesY.re[cell] = yRe * k2 - oneIm * k1;
        chargesY.im[cell] = chargesY.im[cell]! * k2 + oneRe * k1;
      }
    }
    // Then the first grid becomes (1 + i·x)∗K².
    for (let cell = 0; cell < size * size; cell++) {
      charges.re[cell]! *= kernel.im[cell]!;
      charges.im[cell]! *= kernel.im[cell]!;
    }
    fft.transform(charges.re, charges.im, nodes, true);
    fft.transform(chargesY.re, chargesY.im, nodes, true);
    let z = 0;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      let sumX = 0;
      let sumY = 0;
      let potential = 0;
      for (let s = 9 * i; s < 9 * i + 9; s++) {
        const node = stencilNodes[s]!;
        const weight = stencilWeights[s]!;
        sum += weight * charges.re[node]!;
        sumX += weight * charges.im[node]!;
        sumY += weight * chargesY.re[node]!;
        potential += weight * chargesY.im[node]!;
      }
      // Each point's potential includes its own K_ii = 1, which Z excludes.
      z += potential - 1;
      forces[2 * i] = layout[2 * i]! * sum - sumX;
      forces[2 * i + 1] = layout[2 * i + 1]! * sum - sumY;
    }
    return z;
  }

  /**
   * The transforms of K (real part) and K² (imaginary part) for nodes `spacing` apart, scaled by
   * the inverse FFT's 1/size². Both kernels are real and even, so their transforms are real and
   * one complex FFT of K + i·K² yields both.
   */
  private kernelTransform(fft: GridFft, spacing: number): Complex {
    const { size } = fft;
    if (this.kernel?.size === size && this.kernel.spacing === spacing) return this.kernel.transform;
    const transform = { re: new Float64Array(size * size), im: new Float64Array(size * size) };
    for (let row = 0; row < size; row++) {
      const dy = (row <= size / 2 ? row : row - size) * spacing;
      for (let column = 0; column < size; column++) {
        const dx = (column <= size / 2 ? column : column - size) * spacing;
        const k = 1 / (1 + dx * dx + dy * dy);
        transform.re[row * size + column] = k;
        transform.im[row * size + column] = k * k;
      }
    }
    fft.transform(transform.re, transform.im, size, false);
    for (let cell = 0; cell < size * size; cell++) {
      transform.re[cell]! /= size * size;
      transform.im[cell]! /= size * size;
    }
    this.kernel = { size, spacing, transform };
    return transform;
  }

  /** Two zeroed complex grids of the FFT size, reallocated only when the size changes. */
  private chargeGrids(size: number): [Complex, Complex] {
    if (this.charges?.[0].re.length !== size * size) {
      const grid = (): Complex => ({ re: new Float64Array(size * size), im: new Float64Array(size * size) });
      this.charges = [grid(), grid()];
      return this.charges;
    }
    for (const grid of this.charges) {
      grid.re.fill(0);
      grid.im.fill(0);
    }
    return this.charges;
  }

  /**
   * Each point's 3×3 nearest grid nodes and their weights, products of the quadratic Lagrange
   * weights per axis; grid row r, column c is node r·size + c.
   */
  private stencils(layout: Float64Array, n: number, originX: number, originY: number, spacing: number, size: number) {
    if (this.stencilWeights.length !== 9 * n) {
      this.stencilNodes = new Int32Array(9 * n);
      this.stencilWeights = new Float64Array(9 * n);
    }
    const { stencilNodes, stencilWeights } = this;
    for (let i = 0; i < n; i++) {
      const tx = (layout[2 * i]! - originX) / spacing;
      const ty = (layout[2 * i + 1]! - originY) / spacing;
      const column = Math.round(tx);
      const row = Math.round(ty);
      const u = tx - column;
      const v = ty - row;
      const wx0 = (u * (u - 1)) / 2;
      const wx1 = 1 - u * u;
      const wx2 = (u * (u + 1)) / 2;
      for (let b = 0; b < 3; b++) {
        const wy = b === 0 ? (v * (v - 1)) / 2 : b === 1 ? 1 - v * v : (v * (v + 1)) / 2;
        const first = (row + b - 1) * size + column - 1;
        const s = 9 * i + 3 * b;
        stencilNodes[s] = first;
        stencilNodes[s + 1] = first + 1;
        stencilNodes[s + 2] = first + 2;
        stencilWeights[s] = wx0 * wy;
        stencilWeights[s + 1] = wx1 * wy;
        stencilWeights[s + 2] = wx2 * wy;
      }
    }
    return { stencilNodes, stencilWeights };
  }
}

function exactRepulsion(layout: Float64Array, n: number, forces: Float64Array): number {
  forces.fill(0, 0, 2 * n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = layout[2 * i]! - layout[2 * j]!;
      const dy = layout[2 * i + 1]! - layout[2 * j + 1]!;
      const kernel = 1 / (1 + dx * dx + dy * dy);
      const squared = kernel * kernel;
      z += 2 * kernel;
      forces[2 * i]! += squared * dx;
      forces[2 * i + 1]! += squared * dy;
      forces[2 * j]! -= squared * dx;
      forces[2 * j + 1]! -= squared * dy;
    }
  }
  return z;
}
