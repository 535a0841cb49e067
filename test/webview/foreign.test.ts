/**
 * Models made elsewhere in the explorer webview, in real Chromium against a real in-process engine:
 * a Keras VAE (converted by tensorflowjs_converter) cut at its bottleneck, a PyTorch AE as ONNX, the
 * Keras VAE as a SavedModel, and a Keras model with a skip connection that can only encode. The map draws every point; hover decodes when it can.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { createHandlers } from '../../src/engine/handlers';
import type { PanelTarget } from '../../src/shared/webviewProtocol';
import { closeClean, openPanel, screenshot } from './harness/panel';
import { extremePoints, openTab, pointPosition, mapMarks, waitFor, waitForMap } from './harness/pageQueries';
import { foreignSuite } from './harness/foreignSuite';

const COUNT = 64;

describe('foreign model webview', () => {
  const suite = foreignSuite();
  const handlers = createHandlers();

  const target = (model: string, latentLayer: string): Extract<PanelTarget, { view: 'model' }> => ({
    view: 'model',
    model: { format: 'tfjs-layers', model: path.join(suite.fixtures, 'tfjs', model, 'model.json'), latentLayer },
    data: path.join(suite.fixtures, 'inputs.npy'),
  });


  test('a whole Keras VAE cut at z_mean: every point drawn, hover shows input and reconstruction', async () => {
    const panel = await openPanel(suite.browser, suite.server, handlers, target('vae_full', 'z_mean'));
    const { page } = panel;
    await waitForMap(page, COUNT);
    assert.equal((await mapMarks(page)).count, COUNT, 'the map draws every point');
    assert.match((await page.textContent('.header .subtitle')) ?? '', /^foreign · 8-d latent · 64 samples of 28×28×1 from /);
    const [left] = await extremePoints(page);
    const at = await pointPosition(page, left);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await waitFor(page, () => document.querySelectorAll('.inspector canvas').length === 2, undefined, 'input and reconstruction thumbnails');
    assert.deepEqual(await page.locator('.inspector figcaption').allTextContents(), ['input', 'reconstruction']);
    await screenshot(page, 'foreign-keras-vae');
    await closeClean(panel);
  });

  test('a PyTorch AE exported to ONNX and the Keras VAE as a SavedModel open in the explorer too', async () => {
    const models = {
      onnx: { format: 'onnx', model: path.join(suite.fixtures, 'onnx', 'encoder.onnx'), decoder: path.join(suite.fixtures, 'onnx', 'decoder.onnx') },
      savedmodel: { format: 'savedmodel', model: path.join(suite.fixtures, 'savedmodel'), signature: 'encode', encoderOutput: 'z_mean', decoderSignature: 'decode' },
    } as const;
    for (const [name, model] of Object.entries(models)) {
      const panel = await openPanel(suite.browser, suite.server, handlers, { view: 'model', model, data: path.join(suite.fixtures, 'inputs.npy') });
      await waitForMap(panel.page, COUNT);
      assert.equal((await mapMarks(panel.page)).count, COUNT, `${name}: the map draws every point`);
      assert.match((await panel.page.textContent('.header .subtitle')) ?? '', /^foreign · 8-d latent · 64 samples/);
      await screenshot(panel.page, `foreign-${name}`);
      await closeClean(panel);
    }
  });

  test('an encode-only model (skip connection) maps every point and its decoding tabs say why', async () => {
    const panel = await openPanel(suite.browser, suite.server, handlers, target('skip_full', 'code'));
    const { page, host } = panel;
    await waitForMap(page, COUNT);
    assert.equal((await mapMarks(page)).count, COUNT, 'the map draws every point');
    await openTab(page, 'interpolation');
    assert.match((await page.textContent('vscode-tab-panel[data-view="interpolation"]')) ?? '', /this session cannot do — the layers after "code" also read "hidden"/);
    assert.ok(!host.requests.some((request) => request.method === 'decode'), 'nothing asked the engine to decode');
    await closeClean(panel);
  });
});
