/**
 * The repulsive part of the t-SNE gradient by FFT-accelerated interpolation (Linderman et al. 2019,
 * "FIt-SNE"), chosen over a Barnes–Hut tree because its cost is O(n) plus a grid FFT and does not
 * grow with how finely the points must be resolved. Point charges are spread onto a uniform grid by
 * quadratic Lagrange interpolation on the three nearest nodes per axis, convolved with the kernels
 * K = 1/(1 + r²) and K² through zero-padded FFTs, and read back with the same weights. A centred
 * stencil with node spacing ≤ 0.5 is as accurate as FIt-SNE's three nodes per unit-wide box.
 */
import { fft2d } from './fft';

const MAX_SPACING = 0.5;
const MIN_NODES = 32;

interface Complex {
  re: Float64Array;
  im: Float64Array;
}

type Grids = [Complex, Complex, Complex, Complex];

export class Repulsion {
  private size = 0;
  private buffers?: Grids;
  private stencilNodes = new Int32Array(0);
  private stencilWeights = new Float64Array(0);

  /**
   * Writes Σ_j K_ij² (y_i − y_j) for every point into `forces` ([n, 2], like `layout`) and returns
   * the normalisation Z = Σ_{i≠j} K_ij.
   */
  compute(layout: Float64Array, n: number, forces: Float64Array): number {
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
    // half the FFT size so that the circular convolution equals the linear one.
    const nodes = Math.max(MIN_NODES, 2 ** Math.ceil(Math.log2(span / MAX_SPACING + 3)));
    const size = 2 * nodes;
    const spacing = span / (nodes - 3);
    const [charges, chargesY, squared, kernel] = this.grids(size);
    const { nodes: stencilNodes, weights } = this.stencils(layout, n, minX - spacing, minY - spacing, spacing, size);
    // Two charge grids carry three real charges: 1 + i·x and y.
    for (let i = 0; i < n; i++) {
      const x = layout[2 * i]!;
      const y = layout[2 * i + 1]!;
      for (let s = 9 * i; s < 9 * i + 9; s++) {
        const node = stencilNodes[s]!;
        const weight = weights[s]!;
        charges.re[node]! += weight;
        charges.im[node]! += weight * x;
        chargesY.re[node]! += weight * y;
      }
    }
    fillKernels(kernel, size, spacing);
    fft2d(kernel.re, kernel.im, size, size, false);
    fft2d(charges.re, charges.im, size, nodes, false);
    fft2d(chargesY.re, chargesY.im, size, nodes, false);
    // The kernels are real and even, so their transforms are real: K̂ is the real part of the
    // transform of K + i·K², and K̂² the imaginary part.
    const cells = size * size;
    for (let c = 0; c < cells; c++) {
      const k1 = kernel.re[c]! / cells;
      const k2 = kernel.im[c]! / cells;
      squared.re[c] = charges.re[c]! * k2;
      squared.im[c] = charges.im[c]! * k2;
      charges.re[c]! *= k1;
      charges.im[c]! *= k1;
      chargesY.re[c]! *= k2;
      chargesY.im[c]! *= k2;
    }
    for (const grid of [charges, chargesY, squared]) fft2d(grid.re, grid.im, size, nodes, true);
    let z = 0;
    for (let i = 0; i < n; i++) {
      let potential = 0;
      let sum = 0;
      let sumX = 0;
      let sumY = 0;
      for (let s = 9 * i; s < 9 * i + 9; s++) {
        const node = stencilNodes[s]!;
        const weight = weights[s]!;
        potential += weight * charges.re[node]!;
        sum += weight * squared.re[node]!;
        sumX += weight * squared.im[node]!;
        sumY += weight * chargesY.re[node]!;
      }
      // Each point's potential includes its own K_ii = 1, which Z excludes.
      z += potential - 1;
      forces[2 * i] = layout[2 * i]! * sum - sumX;
      forces[2 * i + 1] = layout[2 * i + 1]! * sum - sumY;
    }
    return z;
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
    const { stencilNodes: nodes, stencilWeights: weights } = this;
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
        nodes[s] = first;
        nodes[s + 1] = first + 1;
        nodes[s + 2] = first + 2;
        weights[s] = wx0 * wy;
        weights[s + 1] = wx1 * wy;
        weights[s + 2] = wx2 * wy;
      }
    }
    return { nodes, weights };
  }

  /** Zeroed grids of the given FFT size, reallocated only when the size changes. */
  private grids(size: number): Grids {
    if (!this.buffers || size !== this.size) {
      this.size = size;
      const grid = () => ({ re: new Float64Array(size * size), im: new Float64Array(size * size) });
      this.buffers = [grid(), grid(), grid(), grid()];
    } else {
      for (const grid of this.buffers) {
        grid.re.fill(0);
        grid.im.fill(0);
      }
    }
    return this.buffers;
  }
}

/** K(offset) + i·K(offset)² for every circular grid offset, nodes `spacing` apart. */
function fillKernels(kernel: Complex, size: number, spacing: number): void {
  for (let r = 0; r < size; r++) {
    const dy = (r <= size / 2 ? r : r - size) * spacing;
    for (let c = 0; c < size; c++) {
      const dx = (c <= size / 2 ? c : c - size) * spacing;
      const k = 1 / (1 + dx * dx + dy * dy);
      kernel.re[r * size + c] = k;
      kernel.im[r * size + c] = k * k;
    }
  }
}
