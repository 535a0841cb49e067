/**
 * The training dashboard following a real run: the harness starts the engine's `train` request for
 * a `train` target and forwards its progress events, as the extension host does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createHandlers } from '../../src/engine/handlers';
import type { TrainParams } from '../../src/shared/protocol';
import { launchChromium } from '../support/chromium';
import { closeClean, openPanel, type Panel, screenshot } from './harness/panel';
import { openTab, waitFor, waitForMap } from './harness/pageQueries';
import { HarnessServer } from './harness/server';

interface Trace {
  name: string;
  x: number[];
}

describe('training webview', () => {
  let browser: Browser;
  let server: HarnessServer;
  let handlers: ReturnType<typeof createHandlers>;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-webview-train-'));
    server = new HarnessServer();
    browser = await launchChromium();
    await server.start();
    handlers = createHandlers();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function train(name: string, params: Omit<TrainParams, 'out' | 'data' | 'model'>): Promise<Panel> {
    return openPanel(browser, server, handlers, { view: 'train', params: { model: 'ae', data: 'sample', latentDim: 2, config: { hidden: [32] }, out: path.join(dir, name), ...params } });
  }


  test('plots live progress, reports the result, then explores the trained checkpoint', async () => {
    const panel = await train('finished', { limit: 600, epochs: 3, batchSize: 16 });
    const { page } = panel;
    await waitFor(page, () => /completed after 3 epochs/.test(document.querySelector('.outcome')?.textContent ?? ''), undefined, 'the finished run');
    const traces = await page.evaluate(() => (document.querySelector('.training-plot') as unknown as { data: Trace[] }).data.map(({ name, x }) => ({ name, x: Array.from(x) })));
    const byName = new Map(traces.map((trace) => [trace.name, trace.x]));
    assert.ok((byName.get('loss')?.length ?? 0) > 3, 'batch progress draws the training loss within epochs');
    assert.deepEqual(byName.get('val_loss'), [1, 2, 3], 'one validation point per epoch');
    assert.match((await page.textContent('.training-stats')) ?? '', /epoch 3\/3 · batch \d+\/\d+ · [\d,]+ samples\/s · ETA /);
    // 600 samples, 10 % held out, batches of 16: 33 steps of 16 and one of 12 an epoch, 3 validation batches of 16 and one of 12.
    assert.equal(await page.textContent('.outcome .execution'), 'steps of 16 and 12 samples ran as one TensorFlow graph each after three eager steps; validation batches too');
    await screenshot(page, 'training');

    await page.click('vscode-button:has-text("Explore this model")');
    await waitForMap(page, 5000);
    await openTab(page, 'training');
    await waitFor(page, () => /^3 epochs · /.test(document.querySelector('.training-stats')?.textContent ?? ''), undefined, 'the explored checkpoint history');
    await closeClean(panel);
  });

  test('Cancel stops the run and keeps the last checkpoint', async () => {
    const panel = await train('cancelled', { limit: 2000, epochs: 200, batchSize: 16 });
    const { page } = panel;
    await waitFor(page, () => /epoch \d+\/200/.test(document.querySelector('.training-stats')?.textContent ?? ''), undefined, 'the first progress event');
    await page.click('vscode-button:has-text("Cancel training")');
    await waitFor(page, () => /cancelled after \d+ epochs/.test(document.querySelector('.outcome')?.textContent ?? ''), undefined, 'the cancelled run');
    await closeClean(panel);
  });
});
