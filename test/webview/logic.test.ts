/** The webview's pure logic, in Node: quantiles, interpolation paths, the latest-only scheduler, CSV, compared metrics. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coordinatesCsv } from '../../src/webview/panel/csv';
import { LatestOnly } from '../../src/webview/panel/latestOnly';
import { interpolationPath, lerp, slerp } from '../../src/webview/common/math/interpolate';
import { gaussianGrid, normalQuantile } from '../../src/webview/common/math/normalQuantile';
import { metricRows } from '../../src/webview/panel/views/compare/metricsTable';
import { runName } from '../../src/shared/paths';

/** Φ by Simpson's rule on the density: slow, independent of the approximation under test. */
function normalCdf(x: number): number {
  const steps = 20_000;
  const low = -12;
  const h = (x - low) / steps;
  const density = (t: number) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  let sum = density(low) + density(x);
  for (let i = 1; i < steps; i++) sum += density(low + i * h) * (i % 2 === 1 ? 4 : 2);
  return (sum * h) / 3;
}

describe('normalQuantile', () => {
  test('inverts the normal CDF across the body and both tails', () => {
    for (const p of [1e-9, 1e-6, 0.001, 0.02, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.99, 0.999999]) {
      // Relative to the smaller tail, where a quantile's precision matters.
      const error = Math.abs(normalCdf(normalQuantile(p)) - p) / Math.min(p, 1 - p);
      assert.ok(error < 1e-6, `Φ(Φ⁻¹(${p})) is off by ${error} relative`);
    }
  });

  test('known values, symmetry and the ends', () => {
    assert.equal(normalQuantile(0.5), 0);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
    assert.ok(Math.abs(normalQuantile(0.2) + normalQuantile(0.8)) < 1e-12);
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
    assert.ok(Number.isNaN(normalQuantile(1.5)));
  });

  test('the Gaussian grid is symmetric and increasing', () => {
    const grid = gaussianGrid(15);
    assert.equal(grid.length, 15);
    assert.equal(grid[7], 0);
    for (let i = 1; i < grid.length; i++) assert.ok(grid[i]! > grid[i - 1]!);
    assert.ok(Math.abs(grid[0]! + grid[14]!) < 1e-12);
  });
});

describe('interpolation', () => {
  const a = Float32Array.from([3, 0]);
  const b = Float32Array.from([0, 3]);

  test('lerp and slerp agree at the ends', () => {
    for (const mode of [lerp, slerp]) {
      assert.deepEqual(Array.from(mode(a, b, 0)), [3, 0]);
      assert.deepEqual(Array.from(mode(a, b, 1)).map((v) => Math.round(v * 1e5) / 1e5), [0, 3]);
    }
  });

  test('slerp keeps the norm between vectors of equal norm; lerp cuts the corner', () => {
    assert.ok(Math.abs(Math.hypot(...slerp(a, b, 0.5)) - 3) < 1e-5);
    assert.ok(Math.hypot(...lerp(a, b, 0.5)) < 2.2);
  });

  test('slerp of parallel vectors falls back to the straight line', () => {
    assert.deepEqual(Array.from(slerp(a, Float32Array.from([6, 0]), 0.5)), [4.5, 0]);
  });

  test('a path has the requested steps as rows, both ends included', () => {
    const path = interpolationPath('lerp', a, b, 4);
    assert.equal(path.length, 8);
    assert.deepEqual(Array.from(path.subarray(0, 2)), [3, 0]);
    assert.deepEqual(Array.from(path.subarray(6, 8)), [0, 3]);
  });
});

describe('LatestOnly', () => {
  test('runs one value at a time and skips the values overtaken while it ran', async () => {
    const ran: number[] = [];
    let inFlight = 0;
    let release!: () => void;
    const runner = new LatestOnly<number>(async (value) => {
      inFlight++;
      assert.equal(inFlight, 1, 'at most one run in flight');
      ran.push(value);
      await new Promise<void>((resolve) => (release = resolve));
      inFlight--;
    }, (error) => assert.fail(String(error)));
    runner.push(1);
    for (let value = 2; value <= 9; value++) runner.push(value);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, [1, 9]);
  });

  test('a failing run is reported and the next value still runs', async () => {
    const errors: unknown[] = [];
    const ran: number[] = [];
    const runner = new LatestOnly<number>(async (value) => {
      ran.push(value);
      if (value === 1) throw new Error('boom');
    }, (error) => errors.push(error));
    runner.push(1);
    await new Promise((resolve) => setImmediate(resolve));
    runner.push(2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, [1, 2]);
    assert.equal(errors.length, 1);
  });
});

describe('coordinatesCsv', () => {
  test('writes the rows asked for, quoting label names that need it', () => {
    const csv = coordinatesCsv({ indices: [2, 0], x: [0.5, 1, 2], y: [3, 4, 5], labelOf: (index) => (index === 2 ? 'say "hi", then' : 'zero') });
    assert.equal(csv, 'index,x,y,label\n2,2,5,"say ""hi"", then"\n0,0.5,3,zero\n');
  });

  test('leaves the label column empty without labels', () => {
    assert.equal(coordinatesCsv({ indices: [0], x: [1], y: [2] }), 'index,x,y,label\n0,1,2,\n');
  });
});

describe('compared metrics', () => {
  const vae = [{ epoch: 1, loss: 9, kl: 2, elbo: -9, val_loss: 10 }, { epoch: 2, loss: 5, kl: 3, elbo: -5, val_loss: 6 }];
  const ae = [{ epoch: 1, loss: 7, elbo: -4, val_loss: 6, mse: 0.1 }];

  test("one row per term of either run's last epoch, loss first, each training term before its validation twin", () => {
    assert.deepEqual(metricRows([vae, ae]).map((row) => row.term), ['loss', 'val_loss', 'elbo', 'kl', 'mse']);
  });

  test('lower wins, except the ELBO; ties, and terms only one run has, mark nothing', () => {
    const rows = Object.fromEntries(metricRows([vae, ae]).map((row) => [row.term, row]));
    assert.deepEqual(rows.loss, { term: 'loss', values: [5, 7], better: 0 });
    assert.deepEqual(rows.elbo, { term: 'elbo', values: [-5, -4], better: 1 });
    assert.equal(rows.val_loss!.better, undefined, 'a tie');
    assert.deepEqual(rows.kl, { term: 'kl', values: [3, undefined], better: undefined });
    assert.deepEqual(rows.mse!.values, [undefined, 0.1]);
  });

  test('a run without history has no values', () => {
    assert.deepEqual(metricRows([[], ae]).map((row) => row.values[0]), [undefined, undefined, undefined, undefined]);
  });
});

describe('runName', () => {
  test('names a run by its folder, given the folder or its latent-lab.json', () => {
    assert.equal(runName('/work/runs/vae-20261125-034512'), 'vae-20261125-034512');
    assert.equal(runName('C:\\runs\\ae-1\\latent-lab.json'), 'ae-1');
    assert.equal(runName('/runs/ae-2/'), 'ae-2');
  });
});
