/**
 * Bare latents in the explorer webview, in real Chromium against a real in-process engine: the
 * digits' 16 leading principal components with their labels as a CSV and the digits as images,
 * then the same latents alone. No model: the map works, the decoding tabs say why they cannot.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { createHandlers } from '../../src/engine/handlers';
import type { PanelTarget } from '../../src/shared/webviewProtocol';
import { launchChromium } from '../support/chromium';
import { sampleLatents } from '../support/sampleLatents';
import { closeClean, openPanel, type Panel, screenshot } from './harness/panel';
import { boxSelect, mapColoring, eventually, extremePoints, openTab, pointPosition, statusText, mapMarks, waitFor, waitForMap } from './harness/pageQueries';
import { HarnessServer } from './harness/server';

const DIM = 16;
const COUNT = 5000;
const NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

describe('latents webview', () => {
  let browser: Browser;
  let server: HarnessServer;
  const handlers = createHandlers();
  const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-latents-webview-'));
  const files = { latents: path.join(dir, 'latents.npy'), labels: path.join(dir, 'labels.csv') };
  let digitLabels: Int32Array;

  before(async () => {
    server = new HarnessServer();
    browser = await launchChromium();
    const [{ digits, latents }] = await Promise.all([sampleLatents(DIM), server.start()]);
    digitLabels = digits.labels!;
    writeFileSync(files.latents, encodeNpy(latents, [COUNT, DIM]));
    writeFileSync(files.labels, `label\n${Array.from(digitLabels, (label) => NAMES[label]).join('\n')}\n`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function explore(target: Extract<PanelTarget, { view: 'latents' }>): Promise<Panel> {
    const panel = await openPanel(browser, server, handlers, target);
    await waitForMap(panel.page, COUNT);
    return panel;
  }


  test('latents with labels and images: labelled map, thumbnails on hover, reasons in the decoding tabs, CSV export, reload', async () => {
    const panel = await explore({ view: 'latents', latents: files.latents, labels: files.labels, images: 'sample' });
    const { page, host } = panel;
    assert.equal(await page.textContent('.header .subtitle'), 'latents · 16-d · 5,000 points from latents.npy');
    assert.equal((await mapMarks(page)).count, COUNT, 'the map draws every point');
    assert.match(await statusText(page), /^5,000 points · PCA · colored by label/);
    const { type, palette, values } = await mapColoring(page);
    assert.equal(type, 'categorical');
    assert.equal(new Set(palette).size, 10, 'ten digits, ten colors');
    const colorOf = new Map<number, Set<number>>();
    values.forEach((value, i) => colorOf.set(digitLabels[i]!, (colorOf.get(digitLabels[i]!) ?? new Set()).add(value)));
    assert.ok([...colorOf.values()].every((colors) => colors.size === 1), 'points with the same label share a color');
    assert.equal(new Set(values).size, colorOf.size, 'different labels, different colors');

    const [left] = await extremePoints(page);
    const at = await pointPosition(page, left);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await waitFor(page, () => document.querySelectorAll('.inspector canvas').length === 1, undefined, 'the hovered thumbnail');
    assert.equal(await page.textContent('.inspector-title'), `#${left} · label ${NAMES[digitLabels[left]!]}`);
    assert.deepEqual(await page.locator('.inspector figcaption').allTextContents(), ['input'], 'the input alone: there is no reconstruction');
    await screenshot(page, 'latents-map');

    for (const view of ['interpolation', 'traversal', 'manifold', 'features'] as const) {
      await openTab(page, view);
      const text = (await page.textContent(`vscode-tab-panel[data-view="${view}"]`)) ?? '';
      assert.match(text, /this session cannot do — latents only: there is no decoder to decode with/, `${view} says why`);
      assert.equal(await page.locator(`vscode-tab-panel[data-view="${view}"] input, vscode-tab-panel[data-view="${view}"] vscode-textfield`).count(), 0, `${view} offers no controls`);
    }
    await screenshot(page, 'latents-no-decoder');
    await openTab(page, 'training');
    assert.match((await page.textContent('.training-view')) ?? '', /This latents file has no training history/);
    assert.ok(!host.requests.some((request) => ['decode', 'features', 'topActivating'].includes(request.method)), 'nothing asked the engine to decode');

    await openTab(page, 'map');
    await page.click('vscode-button:has-text("Export CSV")');
    await eventually(() => host.saved.length === 1, 'the CSV export');
    const rows = host.saved[0]!.content.trimEnd().split('\n');
    assert.equal(rows[0], 'index,x,y,label');
    assert.equal(rows.length, COUNT + 1, 'one row per point');
    assert.match(rows[1]!, new RegExp(`^0,-?[\\d.e-]+,-?[\\d.e-]+,${NAMES[digitLabels[0]!]}$`));

    const selected = await boxSelect(page, 0.3, 0.6);
    await page.click('vscode-button:has-text("Export selection")');
    await eventually(() => host.saved.length === 2, 'the selection export');
    assert.equal(host.saved[1]!.content.trimEnd().split('\n').length, selected + 1, 'one row per selected point');

    await page.reload();
    await waitForMap(page, COUNT);
    assert.equal(await page.textContent('.header .subtitle'), 'latents · 16-d · 5,000 points from latents.npy', 'the saved target reopens the latents');
    await closeClean(panel);
  });

  test('latents alone: colored by a latent dim, hover shows index only, never asks for samples', async () => {
    const panel = await explore({ view: 'latents', latents: files.latents });
    const { page, host } = panel;
    assert.match(await statusText(page), /^5,000 points · PCA · colored by z0/);
    assert.deepEqual(
      await page.$$eval('vscode-single-select[aria-label="Color by"] vscode-option', (options) => options.map((option) => (option as HTMLElement & { value: string }).value)),
      ['dim'],
      'neither labels nor reconstruction error to color by',
    );
    const [, right] = await extremePoints(page);
    const at = await pointPosition(page, right);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await waitFor(page, (index) => document.querySelector('.inspector-title')?.textContent === `#${index}`, right, 'the hovered index');
    assert.equal(await page.locator('.inspector canvas, .inspector figure').count(), 0, 'no images to show');
    assert.ok(!host.requests.some((request) => request.method === 'samples'), 'no samples requested without images');
    await screenshot(page, 'latents-alone');
    await closeClean(panel);
  });
});
