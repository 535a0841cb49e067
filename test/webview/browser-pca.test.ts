/** The notebook renderer's own PCA (src/webview/notebook/browserPca.ts), run in the browser without the engine. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leadingEigenpairs, principalAxes, projectOnto } from '../../src/webview/notebook/browserPca';

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected} ± ${tolerance}`);
}

test('leadingEigenpairs finds the two largest eigenpairs of a known matrix', () => {
  // Eigenvalues 5 (axis z), 3 (the diagonal (1, 1, 0)/√2) and 1 (the anti-diagonal).
  const { values, vectors } = leadingEigenpairs([2, 1, 0, 1, 2, 0, 0, 0, 5], 3, 2);
  assertClose(values[0]!, 5, 1e-9, 'first eigenvalue');
  assertClose(values[1]!, 3, 1e-9, 'second eigenvalue');
  const expected = [0, 0, 1, Math.SQRT1_2, Math.SQRT1_2, 0];
  expected.forEach((value, i) => assertClose(vectors[i]!, value, 1e-6, `vector component ${i}`));
});

test('principalAxes recovers the axes, variances and coordinates of a rotated box of known size', () => {
  // The 8 corners of a box with half-sides 3, 2 and 0.5, rotated and moved off the origin: its
  // principal axes are the rotated box axes, each variance is half-side² · 8/7 (n − 1 denominator),
  // and every corner sits at ±3 on the first axis and ±2 on the second.
  const halfSides = [3, 2, 0.5];
  const angle = Math.PI / 6;
  const tilt = Math.PI / 5;
  // Rotation about z by `angle`, then about x by `tilt`: columns are the box axes in data space.
  const rz = [Math.cos(angle), -Math.sin(angle), 0, Math.sin(angle), Math.cos(angle), 0, 0, 0, 1];
  const rx = [1, 0, 0, 0, Math.cos(tilt), -Math.sin(tilt), 0, Math.sin(tilt), Math.cos(tilt)];
  const rotation = Array.from({ length: 9 }, (_, k) => {
    const [i, j] = [Math.floor(k / 3), k % 3];
    return rx[i * 3]! * rz[j]! + rx[i * 3 + 1]! * rz[3 + j]! + rx[i * 3 + 2]! * rz[6 + j]!;
  });
  const offset = [10, -4, 7];
  const signs: number[][] = [];
  const data = new Float64Array(8 * 3);
  for (let corner = 0; corner < 8; corner++) {
    const s = [corner & 1 ? 1 : -1, corner & 2 ? 1 : -1, corner & 4 ? 1 : -1];
    signs.push(s);
    for (let i = 0; i < 3; i++) {
      let sum = offset[i]!;
      for (let j = 0; j < 3; j++) sum += rotation[i * 3 + j]! * s[j]! * halfSides[j]!;
      data[corner * 3 + i] = sum;
    }
  }

  const pca = principalAxes(data, 8, 3, 2);
  assertClose(pca.variances[0]!, (9 * 8) / 7, 1e-9, 'first variance');
  assertClose(pca.variances[1]!, (4 * 8) / 7, 1e-9, 'second variance');
  assertClose(pca.totalVariance, ((9 + 4 + 0.25) * 8) / 7, 1e-9, 'total variance');
  offset.forEach((value, i) => assertClose(pca.mean[i]!, value, 1e-12, `mean ${i}`));
  for (let axis = 0; axis < 2; axis++) {
    let dot = 0;
    for (let i = 0; i < 3; i++) dot += pca.axes[axis * 3 + i]! * rotation[i * 3 + axis]!;
    assertClose(Math.abs(dot), 1, 1e-9, `axis ${axis} is box axis ${axis} up to sign`);
  }

  const [x, y] = projectOnto(data, 8, pca);
  for (const [coordinates, axis] of [[x!, 0], [y!, 1]] as const) {
    const sign = Math.sign(coordinates[0]!) * signs[0]![axis]!;
    signs.forEach((s, corner) => assertClose(coordinates[corner]!, sign * s[axis]! * halfSides[axis]!, 1e-5, `corner ${corner} on axis ${axis}`));
  }
});

test('principalAxes stays finite on data without variance and on fewer rows than dims', () => {
  const constant = new Float32Array(20 * 4).fill(0.25);
  const flat = principalAxes(constant, 20, 4, 2);
  assert.deepEqual(Array.from(flat.variances), [0, 0]);
  assert.ok(flat.axes.every(Number.isFinite), 'unit axes even without variance');
  assert.ok(projectOnto(constant, 20, flat).every((coordinates) => coordinates.every((value) => value === 0)));

  const twoRows = Float32Array.from([1, 2, 3, 4, 5, 6, 8, 10]);
  const line = principalAxes(twoRows, 2, 4, 2);
  assertClose(line.variances[0]!, line.totalVariance, 1e-9, 'two points: one axis holds all the variance');
  assertClose(line.variances[1]!, 0, 1e-9, 'and none is left for the second');
  let dot = 0;
  for (let i = 0; i < 4; i++) dot += line.axes[i]! * line.axes[4 + i]!;
  assertClose(dot, 0, 1e-9, 'the axes stay orthogonal');
});
