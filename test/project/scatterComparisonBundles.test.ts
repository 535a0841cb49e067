/**
 * The scatter comparison bench (bench/scatterComparison.ts) builds its pages with esbuild before it
 * opens a browser; this checks, without one, that the pages made of the project's own packages
 * still bundle: the candidate (the map's own component) and regl-scatterplot as it ships. The other contenders are installed only when
 * the bench runs, outside the repository, so they are not bundled here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleContender, contenders } from '../../bench/scatterComparison';

test("regl-scatterplot's bench page bundles, without eval( or new Function( in its text", async () => {
  const regl = contenders.find((contender) => contender.name === 'regl');
  assert.ok(regl, 'the regl-scatterplot contender is listed');
  const bundle = await bundleContender(regl);
  assert.ok(bundle.code.includes('scatterBench'), 'the bundle carries the harness the bench drives');
  assert.ok(bundle.code.includes('regl-scatterplot'), 'the bundle carries regl-scatterplot');
  // Text only: regl builds its draw code with Function.apply(…), which this cannot tell from other
  // uses; the bench serves the page under the webview's CSP (report-only) and counts what it refuses.
  assert.equal(bundle.constructs['eval('], 0);
  assert.equal(bundle.constructs['new Function('], 0);
});

test("the map's own component, the candidate, bundles with the harness and without eval( or new Function(", async () => {
  const map = contenders.find((contender) => contender.name === 'latentMap');
  assert.ok(map, 'the map contender is listed');
  const bundle = await bundleContender(map);
  assert.ok(bundle.code.includes('scatterBench'), 'the bundle carries the harness the bench drives');
  assert.ok(bundle.code.includes('"latentMap"') || bundle.code.includes("'latentMap'"), 'the bundle carries the map component (it publishes its inspection as latentMap)');
  assert.equal(bundle.constructs['eval('], 0);
  assert.equal(bundle.constructs['new Function('], 0);
});
