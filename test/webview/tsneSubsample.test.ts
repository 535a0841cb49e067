/**
 * t-SNE past its limit, in real Chromium against a real in-process engine: 4-d latents of 120,000
 * labelled points. Choosing t-SNE does not start one: the map says why and offers UMAP of all the
 * points or t-SNE of a stated random subsample. The subsample's map speaks in sample indices
 * everywhere (hover, search, pick, box, CSV), though it draws only the subsample's rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { createHandlers } from '../../src/engine/handlers';
import { seededRandom } from '../../src/engine/training/random';
import type { ParamsOf } from '../../src/shared/protocol';
import { tsneMaxPoints } from '../../src/shared/protocol';
import { launchChromium } from '../support/chromium';
import { closeClean, openPanel, type Panel, screenshot } from './harness/panel';
import { boxSelect, choose, eventually, mapMarks, pointPosition, statusText, typeInto, waitFor, waitForMap } from './harness/pageQueries';
import { HarnessServer } from './harness/server';

const COUNT = 120_000;
const DIMS = 4;
const CLUSTERS = 10;
/**
 * The page asks for t-SNE of tsneMaxPoints points, which takes minutes here; the engine below runs
 * the same request on this many instead, so the map is the page's real handling of a subsample.
 */
const SHRUNK = 3_000;

function clusteredLatents(): Float32Array {
  const random = seededRandom(11);
  const latents = new Float32Array(COUNT * DIMS);
  for (let i = 0; i < COUNT; i++) {
    for (let d = 0; d < DIMS; d++) latents[i * DIMS + d] = (d === (i % CLUSTERS) % DIMS ? 8 * Math.sign((i % CLUSTERS) - 4.5) : 0) + random();
  }
  return latents;
}

/** The CSV a click on the export button hands the host. */
async function exported(panel: Panel, button: string): Promise<string> {
  const before = panel.host.saved.length;
  await panel.page.click(`vscode-button:has-text("${button}")`);
  await eventually(() => panel.host.saved.length > before, `the ${button} file`);
  return panel.host.saved[before]!.content;
}

describe('t-SNE past its limit', { timeout: 180_000 }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let panel: Panel | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-tsne-offer-'));
  const files = { latents: path.join(dir, 'latents.npy'), labels: path.join(dir, 'labels.csv') };

  before(async () => {
    server = new HarnessServer();
    browser = await launchChromium();
    await server.start();
    writeFileSync(files.latents, encodeNpy(clusteredLatents(), [COUNT, DIMS]));
    writeFileSync(files.labels, `label\n${Array.from({ length: COUNT }, (_, i) => `c${i % CLUSTERS}`).join('\n')}\n`);
  });

  after(async () => {
    await panel?.close();
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('is offered as UMAP of all or a stated subsample, and the subsample map speaks in sample indices', { timeout: 150_000 }, async () => {
    const handlers = createHandlers();
    const asked: ParamsOf<'project'>[] = [];
    const project = handlers.project;
    handlers.project = (params, context) => {
      asked.push(params);
      return project(params.subsample === tsneMaxPoints ? { ...params, subsample: SHRUNK } : params, context);
    };
    panel = await openPanel(browser, server, handlers, { view: 'latents', ...files });
    const { page } = panel;
    await waitForMap(page, COUNT, '.map-plot', 60_000);

    await choose(page, 'Projection', 'tsne');
    await waitFor(page, () => document.querySelector('.projection-offer') !== null, undefined, 'the t-SNE offer');
    await screenshot(page, 'tsne-offer');
    const offer = await page.textContent('.projection-offer');
    assert.match(offer ?? '', /t-SNE runs on at most 100,000 points.*this map has 120,000.*The map still shows PCA/);
    assert.ok(asked.every(({ method }) => method !== 'tsne'), 'choosing t-SNE alone asks the engine for nothing');
    assert.match(await statusText(page), /^120,000 points · PCA/);

    await page.click('vscode-button:has-text("t-SNE of a random 100,000")');
    await waitForMap(page, SHRUNK, '.map-plot', 120_000);
    assert.deepEqual(asked.at(-1), { sessionId: asked.at(-1)!.sessionId, method: 'tsne', subsample: tsneMaxPoints }, 'the page asked for the stated subsample');
    const status = await statusText(page);
    assert.match(status, /^showing 3,000 of 120,000 points · t-SNE/);
    assert.match(status, /t-SNE of a random subsample of 3,000 of the 120,000 points \(seed 0\); the others are not on this map/);
    assert.equal(await page.$('.projection-offer'), null, 'the offer went once answered');

    await typeInto(page, 'Search', 'c3');
    await waitFor(page, () => /label "c3": 12,000 points/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'the label search');
    const marked = await mapMarks(page);
    assert.ok(marked.matches.length > 150 && marked.matches.length < 450, `about a tenth of the drawn rows match c3 (${marked.matches.length})`);
    await typeInto(page, 'Search', '');

    const lines = (await exported(panel, 'Export CSV')).trim().split('\n').slice(1).map((line) => line.split(','));
    assert.equal(lines.length, SHRUNK, 'one CSV row per drawn point');
    const indices = lines.map(([index]) => Number(index));
    assert.ok(indices.some((index) => index >= SHRUNK), 'rows carry sample indices, not row numbers');
    assert.ok(lines.every(([index, , , label]) => label === `c${Number(index) % CLUSTERS}`), 'each row\'s label is its sample\'s');
    assert.deepEqual(indices, [...indices].sort((a, b) => a - b), 'rows in sample order');

    // Hover and click a drawn row: the inspector and the pick name its sample.
    const row = Math.floor(SHRUNK / 2);
    const sample = indices[row]!;
    const at = await pointPosition(page, row);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await waitFor(page, (sample) => document.querySelector('.inspector-title')?.textContent?.startsWith(`#${sample} `) === true, sample, 'the hovered sample in the inspector');
    await page.mouse.down();
    await page.mouse.up();
    await waitFor(page, () => document.querySelectorAll('.map-pick').length === 1, undefined, 'the A mark');
    assert.deepEqual((await mapMarks(page)).picks, [row], 'the scatter marks the drawn row');
    await eventually(() => (panel!.host.state as { picks?: number[] } | undefined)?.picks?.length === 1, 'the saved pick');
    assert.deepEqual((panel.host.state as { picks: number[] }).picks, [sample], 'the explorer picks the sample');

    const selected = await boxSelect(page, 0.2, 0.8);
    assert.ok(selected > 100, `the box holds drawn rows (${selected})`);
    await waitFor(page, (selected) => new RegExp(`${selected.toLocaleString('en')} selected`).test(document.querySelector('.status-line')?.textContent ?? ''), selected, 'the selection in the status line');
    const selection = (await exported(panel, 'Export selection')).trim().split('\n').slice(1).map((line) => line.split(','));
    assert.equal(selection.length, selected);
    const drawn = new Map(lines.map(([index, x, y]) => [index, `${x},${y}`]));
    assert.ok(selection.every(([index, x, y]) => drawn.get(index!) === `${x},${y}`), 'each selected sample carries its own map coordinates');

    await choose(page, 'Projection', 'umap');
    await waitFor(page, () => /UMAP: .*%/.test(document.querySelector('.progress-label')?.textContent ?? ''), undefined, 'UMAP of every point under way');
    assert.equal(asked.at(-1)!.subsample, undefined, 'UMAP runs on every point');
    await page.click('vscode-button:has-text("Cancel")');
    await waitFor(page, () => /UMAP cancelled — still showing t-SNE/.test(document.querySelector('.view-message')?.textContent ?? ''), undefined, 'the cancel');

    await closeClean(panel);
    panel = undefined;
  });
});
