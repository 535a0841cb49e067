/**
 * The explorer webview in real Chromium against a real in-process engine: every view of a 2-D VAE,
 * a 16-d autoencoder, a k-sparse and a VQ-VAE checkpoint, under the panel's strict CSP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createHandlers } from '../../src/engine/handlers';
import { type CheckpointName, trainCheckpoints } from './harness/checkpoints';
import { launchChromium } from '../support/chromium';
import { closeClean, openPanel, type Panel, screenshot } from './harness/panel';
import {
  canvasPixels,
  boxSelect,
  choose,
  drawnMapPixels,
  eventually,
  extremePoints,
  mapRanges,
  openTab,
  pointPosition,
  statusText,
  mapMarks,
  typeInto,
  waitFor,
  waitForMap,
  waitForPixelsToChange,
} from './harness/pageQueries';
import { HarnessServer } from './harness/server';

/** The bundled sample the checkpoints were trained on; sessions explore all of it. */
const SAMPLE_COUNT = 5000;

describe('explorer webview', () => {
  let browser: Browser;
  let server: HarnessServer;
  let handlers: ReturnType<typeof createHandlers>;
  let checkpoints: Awaited<ReturnType<typeof trainCheckpoints>>;

  before(async () => {
    server = new HarnessServer();
    browser = await launchChromium();
    [checkpoints] = await Promise.all([trainCheckpoints(), server.start()]);
    handlers = createHandlers();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    checkpoints?.dispose();
  });

  async function explore(name: CheckpointName): Promise<Panel> {
    const panel = await openPanel(browser, server, handlers, { view: 'explore', checkpoint: checkpoints.folders[name] });
    await waitForMap(panel.page, SAMPLE_COUNT);
    return panel;
  }

  /** Moves the mouse onto a map point and waits until the map reports hovering it (clicks pick the hovered point). */
  async function hoverPoint(page: Page, index: number): Promise<void> {
    const at = await pointPosition(page, index);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await waitFor(page, (index) => document.querySelector('.inspector-title')?.textContent?.startsWith(`#${index} `), index, `hovering point ${index}`);
  }


  test('2-D VAE: map, hover, picks, interpolation, traversal, manifold grid, reload', async () => {
    const panel = await explore('vae2d');
    const { page, host } = panel;

    assert.equal((await mapMarks(page)).count, SAMPLE_COUNT, 'the map draws every sample');
    assert.ok((await drawnMapPixels(page)) > 1000, 'the scatter rendered the points with WebGL');
    assert.match(await statusText(page), /^5,000 points · latent dims · colored by label/);

    const [left, right] = await extremePoints(page);
    await hoverPoint(page, left);
    await waitFor(page, () => document.querySelectorAll('.inspector canvas').length === 2, undefined, 'the hover thumbnails');
    assert.match((await page.textContent('.inspector-title')) ?? '', /^#\d+ · label \d · error /);
    await screenshot(page, 'map');
    await page.mouse.down();
    await page.mouse.up();
    await hoverPoint(page, right);
    await page.mouse.down();
    await page.mouse.up();
    await waitFor(page, () => (document.querySelector('.map-plot') as unknown as { latentMap: { picks(): number[] } }).latentMap.picks().length === 2, undefined, 'two picked points');
    assert.deepEqual((await mapMarks(page)).picks, [left, right], 'the map marks both picks');
    await waitFor(page, () => Array.from(document.querySelectorAll('.map-pick'), (mark) => mark.textContent).join() === 'A,B', undefined, 'A and B drawn over the points');
    const picks = (host.state as { picks: number[] }).picks;
    assert.deepEqual(picks, [left, right], 'the clicked points are picked in order');

    await openTab(page, 'interpolation');
    await waitFor(page, () => document.querySelectorAll('.strip .step canvas').length === 10, undefined, 'a strip of 10 decoded images');
    assert.equal(await page.locator('.strip .endpoint canvas').count(), 2, 'both endpoints shown');
    await waitFor(page, () => document.querySelector('.live-frame canvas') !== null, undefined, 'the live frame');
    const liveBefore = await canvasPixels(page, '.live-frame canvas');
    await page.focus('.live input[type=range]');
    await page.keyboard.press('End');
    await waitForPixelsToChange(page, '.live-frame canvas', liveBefore, 'the live frame to decode t = 1');
    await screenshot(page, 'interpolation');

    await openTab(page, 'traversal');
    await waitFor(page, () => document.querySelector('.traversal-image') !== null && document.querySelectorAll('.traversal-row').length === 2, undefined, 'traversal sliders and image');
    assert.match((await page.textContent('.traversal-sliders')) ?? '', /KL/, 'VAE dims show their KL');
    const traversalBefore = await canvasPixels(page, '.traversal-image');
    await page.focus('.traversal-row input[type=range]');
    for (let i = 0; i < 3; i++) await page.keyboard.press('PageUp');
    await waitForPixelsToChange(page, '.traversal-image', traversalBefore, 'the traversed image to change');
    await screenshot(page, 'traversal');

    await openTab(page, 'manifold');
    await waitFor(page, () => document.querySelector('canvas.manifold-grid') !== null, undefined, 'the manifold grid');
    assert.deepEqual(await page.evaluate(() => [document.querySelector<HTMLCanvasElement>('canvas.manifold-grid')!.width, document.querySelector<HTMLCanvasElement>('canvas.manifold-grid')!.height]), [15 * 28, 15 * 28]);
    const gridBefore = await canvasPixels(page, 'canvas.manifold-grid');
    await screenshot(page, 'manifold');

    await openTab(page, 'map');
    const rangesBefore = await mapRanges(page);
    const box = (await page.locator('.map-plot .map-canvas').first().boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
    await page.mouse.wheel(0, -400);
    await waitFor(page, (before) => (document.querySelector('.map-plot') as unknown as { latentMap: { region(): { x: number[] } } }).latentMap.region().x[0] !== before, rangesBefore.x[0], 'the map to zoom');
    const zoomed = await mapRanges(page);
    assert.ok(zoomed.x[1] - zoomed.x[0] < rangesBefore.x[1] - rangesBefore.x[0], 'the wheel zoomed in');
    await openTab(page, 'manifold');
    await waitForPixelsToChange(page, 'canvas.manifold-grid', gridBefore, 'the grid to follow the zoom');

    await choose(page, 'Range', 'quantiles');
    await waitFor(page, () => /Gaussian quantiles/.test(document.querySelector('.manifold figcaption')?.textContent ?? ''), undefined, 'the Gaussian quantile grid');

    await openTab(page, 'training');
    await waitFor(page, () => ((document.querySelector('.training-plot') as unknown as { data?: unknown[] }).data?.length ?? 0) > 0, undefined, 'the checkpoint history curves');
    assert.match((await page.textContent('.training-stats')) ?? '', /^2 epochs · /);
    await openTab(page, 'manifold');

    await page.reload();
    await waitFor(page, () => document.querySelector('vscode-tab-panel[data-view="manifold"]:not([hidden]) canvas.manifold-grid') !== null, undefined, 'the manifold tab restored after reload');
    assert.deepEqual((host.state as { picks: number[] }).picks, [left, right], 'picks survive the reload');
    assert.match((await page.textContent('.manifold figcaption')) ?? '', /Gaussian quantiles/, 'the grid mode survives the reload');
    assert.equal(await statusText(page), '5,000 points', 'the status line counts the points before the map is shown');
    await closeClean(panel);
  });

  test('16-d autoencoder: PCA map, search, color modes, CSV export, projection cancel, malformed messages', async () => {
    const panel = await explore('ae16');
    const { page, host } = panel;
    assert.match(await statusText(page), /^5,000 points · PCA · colored by label/);

    await typeInto(page, 'Search', '3');
    await waitFor(page, () => /label "3"/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'the label search');
    const threes = Number(/label "3": ([\d,]+) points/.exec(await statusText(page))![1]!.replace(',', ''));
    assert.ok(threes > 0);
    assert.equal((await mapMarks(page)).matches.length, threes, 'every match is highlighted');

    await choose(page, 'Color by', 'error');
    await waitFor(page, () => /colored by reconstruction error/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'coloring by error');
    await screenshot(page, 'map-pca-error');

    await page.click('vscode-button:has-text("Export CSV")');
    await eventually(() => host.saved.length === 1, 'the CSV export');
    const lines = host.saved[0]!.content.trimEnd().split('\n');
    assert.equal(lines[0], 'index,x,y,label');
    assert.equal(lines.length, SAMPLE_COUNT + 1, 'one row per point');
    assert.match(lines[1]!, /^0,-?[\d.e-]+,-?[\d.e-]+,\d$/);

    await typeInto(page, 'Search', '#12');
    await waitFor(page, () => / · sample #12$/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'the index search');
    assert.match((await page.textContent('.inspector-title')) ?? '', /^#12 /, 'a searched sample is inspected');
    assert.deepEqual((await mapMarks(page)).matches, [12]);

    const selected = await boxSelect(page, 0.35, 0.65);
    assert.ok(selected > 0 && selected < SAMPLE_COUNT);
    await page.click('vscode-button:has-text("Export selection")');
    await eventually(() => host.saved.length === 2, 'the selection export');
    assert.equal(host.saved[1]!.suggestedName, 'selection-pca.csv');
    assert.equal(host.saved[1]!.content.trimEnd().split('\n').length, selected + 1, 'one row per selected point');

    await choose(page, 'Projection', 'umap');
    await waitFor(page, () => !document.querySelector('.progress-row')?.hasAttribute('hidden'), undefined, 'UMAP progress');
    await page.click('.progress-row vscode-button');
    await waitFor(page, () => /UMAP cancelled — still showing PCA/.test(document.querySelector('.view-message')?.textContent ?? ''), undefined, 'the cancelled projection');
    assert.equal((host.state as { projection: string }).projection, 'pca', 'the selector returns to what the map shows');
    assert.ok(await page.locator('.progress-row').isHidden(), 'the progress bar goes away');

    const before = host.logs.length;
    await page.evaluate(() => {
      window.postMessage('garbage', '*');
      window.postMessage({ type: 'response', id: 'not a number', ok: true }, '*');
      window.postMessage({ type: 'init' }, '*');
      window.postMessage({ type: 'event', event: 'projectProgress', data: { fraction: 7 } }, '*');
    });
    await eventually(() => host.logs.length - before === 4, 'a log message for each malformed message');
    assert.ok(host.logs.every((log) => log.level === 'error' && /malformed|unknown/.test(log.message)));
    await choose(page, 'Color by', 'label');
    await waitFor(page, () => /colored by label/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'the UI to keep working');
    await closeClean(panel, 4);
  });

  test('k-sparse: feature dictionary, top activating samples, k slider', async () => {
    const panel = await explore('ksparse');
    const { page } = panel;
    await openTab(page, 'features');
    await waitFor(page, () => document.querySelectorAll('.feature-tile').length === 32, undefined, '32 feature tiles');
    assert.match((await page.textContent('.features-view .toolbar')) ?? '', /32 features · \d+ dead/);

    await waitFor(page, () => document.querySelectorAll('.k-panel .k-reconstruction').length === 16, undefined, 'reconstructions at the trained k');
    const atTrainedK = await canvasPixels(page, '.k-panel .k-reconstruction');
    await page.focus('.k-panel input[type=range]');
    await page.keyboard.press('Home');
    await waitForPixelsToChange(page, '.k-panel .k-reconstruction', atTrainedK, 'reconstructions at k = 1');
    assert.match((await page.textContent('.k-panel .slider-value')) ?? '', /^1 of 32/);

    await choose(page, 'Sort by', 'frequent');
    await page.locator('.feature-tile').first().click();
    await waitFor(page, () => document.querySelectorAll('.feature-detail canvas').length === 16, undefined, 'the top activating samples');
    await screenshot(page, 'features');
    await closeClean(panel);
  });

  test('VQ-VAE: decoded codebook with usage; views that do not apply say why', async () => {
    const panel = await explore('vqvae');
    const { page } = panel;
    await openTab(page, 'features');
    await waitFor(page, () => document.querySelectorAll('.feature-tile').length === 8, undefined, '8 codebook tiles');
    assert.match((await page.textContent('.features-view .toolbar')) ?? '', /8 codes/);
    await screenshot(page, 'features-vqvae');
    await openTab(page, 'manifold');
    assert.match((await page.textContent('.manifold-view')) ?? '', /needs|2-D latent space/);
    await closeClean(panel);
  });

  test('a map limited by latentLab.maxPoints says so and loads every point on request', async () => {
    const panel = await openPanel(browser, server, handlers, { view: 'explore', checkpoint: checkpoints.folders.ae16, limit: 1200 });
    const { page } = panel;
    await waitForMap(page, 1200);
    assert.match((await page.textContent('.subsample-notice')) ?? '', /first 1,200 of 5,000 samples/);
    await page.click('.subsample-notice vscode-button');
    await waitForMap(page, SAMPLE_COUNT);
    assert.equal(await page.locator('.subsample-notice').count(), 0, 'no notice once every point is shown');
    await closeClean(panel);
  });

  test("a VAE's negative ELBO keeps the loss chart on a linear axis, and the chart says why", async () => {
    const panel = await explore('vae2d');
    const { page } = panel;
    await openTab(page, 'training');
    const axisType = () => page.evaluate(() => (document.querySelector('.training-plot') as unknown as { _fullLayout?: { yaxis: { type: string } } })._fullLayout?.yaxis.type);
    await waitFor(page, () => /Linear axis: .*elbo/.test(document.querySelector('.loss-chart .view-message')?.textContent ?? ''), undefined, 'the linear-axis note');
    assert.equal(await axisType(), 'linear');
    await page.click('.loss-chart vscode-checkbox');
    await waitFor(page, () => (document.querySelector('.loss-chart .view-message')?.textContent ?? '') === '', undefined, 'the note gone with log scale off');
    assert.equal(await axisType(), 'linear');
    await closeClean(panel);
  });
});
