/**
 * Compare Runs in real Chromium against a real in-process engine: a 2-D VAE beside a 16-d
 * autoencoder of the same data (metrics table, overlaid curves, linked maps, reload), a run of
 * other data that cannot be linked, and a run that cannot be opened.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createHandlers } from '../../src/engine/handlers';
import type { PanelTarget } from '../../src/shared/webviewProtocol';
import { trainCheckpoint, trainCheckpoints } from './harness/checkpoints';
import { launchChromium } from '../support/chromium';
import { closeClean, openPanel, type Panel, screenshot } from './harness/panel';
import { drawnMapPixels, extremePoints, mapMarks, pointPosition, statusText, waitFor, waitForMap } from './harness/pageQueries';
import { HarnessServer } from './harness/server';

const SAMPLE_COUNT = 5000;
const CSV_ROWS = 300;
const MAP_A = '.map-plot[data-run="A"]';
const MAP_B = '.map-plot[data-run="B"]';

interface Trace {
  name: string;
  line: { color: string; dash: string };
}

/** The table as text: header cells, then each body row's cells, a better value marked with `*`. */
function readTable(page: Page): Promise<string[][]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('table.metrics tr'), (row) =>
      Array.from(row.children, (cell) => `${cell.classList.contains('better') ? '*' : ''}${cell.textContent?.replace('✓', '') ?? ''}`),
    ),
  );
}

/** Final loss terms of a checkpoint, read from its latent-lab.json rather than from the page. */
function finalTerms(checkpoint: string): Record<string, number> {
  const { history } = JSON.parse(readFileSync(path.join(checkpoint, 'latent-lab.json'), 'utf8')) as { history: Record<string, number>[] };
  const { epoch: _epoch, ...terms } = history.at(-1)!;
  return terms;
}

/** A small labelled CSV of two blobs: data unlike the bundled sample, with its own sample count. */
function writeBlobsCsv(file: string): void {
  const rows = Array.from({ length: CSV_ROWS }, (_, i) => {
    const label = i % 2;
    const features = Array.from({ length: 6 }, (_, j) => (label * 2 + Math.sin(i * 7.3 + j * 1.9)).toFixed(4));
    return [...features, label].join(',');
  });
  writeFileSync(file, ['f0,f1,f2,f3,f4,f5,label', ...rows].join('\n'));
}

describe('compare runs webview', () => {
  let browser: Browser;
  let server: HarnessServer;
  let handlers: ReturnType<typeof createHandlers>;
  let checkpoints: Awaited<ReturnType<typeof trainCheckpoints>>;
  let blobs: string;

  before(async () => {
    server = new HarnessServer();
    browser = await launchChromium();
    [checkpoints] = await Promise.all([trainCheckpoints(['vae2d', 'ae16']), server.start()]);
    const dir = path.dirname(checkpoints.folders.vae2d);
    writeBlobsCsv(path.join(dir, 'blobs.csv'));
    blobs = await trainCheckpoint({ model: 'ae', data: path.join(dir, 'blobs.csv'), epochs: 2, batchSize: 16, latentDim: 2, seed: 3, config: { hidden: [8] } }, path.join(dir, 'blobs'));
    handlers = createHandlers();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    checkpoints?.dispose();
  });

  function compare(a: string, b: string): Promise<Panel> {
    return openPanel(browser, server, handlers, { view: 'compare', checkpoints: [a, b] });
  }


  test('same data: metrics table, overlaid loss curves, linked maps, reload', async () => {
    const { vae2d, ae16 } = checkpoints.folders;
    const panel = await compare(vae2d, ae16);
    const { page, host } = panel;
    await waitForMap(page, SAMPLE_COUNT, MAP_A);
    await waitForMap(page, SAMPLE_COUNT, MAP_B);

    const [header, ...body] = await readTable(page);
    assert.deepEqual(header, ['run', 'A · vae2d', 'B · ae16'], 'a column per run');
    assert.deepEqual(body.slice(0, 4), [
      ['kind', 'vae', 'ae'],
      ['latent size', '2', '16'],
      ['samples', '5,000', '5,000'],
      ['epochs trained', '2', '2'],
    ]);
    const finals = [finalTerms(vae2d), finalTerms(ae16)];
    const terms = new Set(finals.flatMap(Object.keys));
    const lossRows = body.slice(4);
    assert.deepEqual(new Set(lossRows.map(([term]) => term)), terms, 'a row per loss term of either run');
    assert.ok(terms.has('val_loss') && terms.has('kl') && !('kl' in finals[1]!), 'train and validation terms, some in one run only');
    for (const [term, ...cells] of lossRows) {
      const values = finals.map((final) => final[term!]);
      cells.forEach((cell, column) => {
        if (values[column] === undefined) assert.equal(cell, '—', `${term}: a run without the term shows a dash`);
      });
      const marked = cells.flatMap((cell, column) => (cell.startsWith('*') ? [column] : []));
      if (values.some((value) => value === undefined)) {
        assert.deepEqual(marked, [], `${term}: nothing to compare, nothing marked`);
      } else {
        const [a, b] = values as [number, number];
        const better = term!.endsWith('elbo') ? (a > b ? 0 : 1) : a < b ? 0 : 1;
        assert.deepEqual(marked, [better], `${term}: the better value (${a} vs ${b}) is marked`);
      }
    }

    const traces = await page.evaluate(() => (document.querySelector('.compare-view .training-plot') as unknown as { data: Trace[] }).data.map(({ name, line }) => ({ name, line: { color: line.color, dash: line.dash } })));
    assert.deepEqual(traces.map((trace) => trace.name), ['A loss', 'A val_loss', 'B loss', 'B val_loss'], 'four curves');
    assert.deepEqual(traces.map((trace) => trace.line.dash), ['solid', 'solid', 'dash', 'dash'], 'run A solid, run B dashed');
    assert.equal(traces[0]!.line.color, traces[2]!.line.color, 'loss has one color in both runs');
    assert.equal(traces[1]!.line.color, traces[3]!.line.color, 'val_loss has one color in both runs');
    assert.notEqual(traces[0]!.line.color, traces[1]!.line.color);

    assert.ok((await drawnMapPixels(page, MAP_A)) > 1000 && (await drawnMapPixels(page, MAP_B)) > 1000, 'both maps rendered with WebGL');
    assert.equal(await page.locator('.compare-maps .legend').count(), 1, 'one legend for both maps');
    assert.match(await statusText(page), /^A: 5,000 points · B: 5,000 points · colored by label$/);
    assert.equal(await page.locator('.compare-maps-section > .notice').count(), 0, 'same data: nothing to warn about');

    const [left] = await extremePoints(page, MAP_A);
    const at = await pointPosition(page, left, MAP_A);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await waitFor(
      page,
      ({ selector, index }) => {
        const matches = (document.querySelector(selector) as unknown as { latentMap: { matches(): number[] } }).latentMap.matches();
        return matches.length === 1 && matches[0] === index;
      },
      { selector: MAP_B, index: left },
      `map B to ring sample ${left}`,
    );
    assert.deepEqual((await mapMarks(page, MAP_A)).matches, [left], 'the hovered map rings the sample too');
    assert.match(await statusText(page), new RegExp(`^#${left} · label \\d · reconstruction error A [\\d.e-]+, B [\\d.e-]+$`));
    await screenshot(page, 'compare');

    const target: PanelTarget = { view: 'compare', checkpoints: [vae2d, ae16] };
    assert.deepEqual((host.state as { target: unknown }).target, target, 'the target is saved for a reload');
    await page.reload();
    await waitForMap(page, SAMPLE_COUNT, MAP_A);
    await waitForMap(page, SAMPLE_COUNT, MAP_B);
    assert.deepEqual((await readTable(page))[0], ['run', 'A · vae2d', 'B · ae16'], 'the compare page is back after a reload');
    assert.deepEqual((host.state as { target: unknown }).target, target);
    await closeClean(panel);
  });

  test('different data: the maps are not linked, and the page says why', async () => {
    const panel = await compare(checkpoints.folders.vae2d, blobs);
    const { page } = panel;
    await waitForMap(page, SAMPLE_COUNT, MAP_A);
    await waitForMap(page, CSV_ROWS, MAP_B);
    assert.match((await page.textContent('.compare-maps-section > .notice')) ?? '', /different data \(A: 5,000 samples, B: 300 samples\), so hovering a point does not link the maps/);
    assert.deepEqual((await readTable(page))[3], ['samples', '5,000', '300']);
    await closeClean(panel);
  });

  test('a run that cannot be opened: one line per run, and Retry', async () => {
    const missing = path.join(path.dirname(checkpoints.folders.vae2d), 'no-such-run');
    const panel = await compare(checkpoints.folders.vae2d, missing);
    const { page } = panel;
    await waitFor(page, () => document.querySelector('.run-lines .notice-error') !== null, undefined, 'the failed run');
    await waitFor(page, () => document.querySelectorAll('.run-lines .notice-busy').length === 0, undefined, 'both runs settled');
    const lines = await page.locator('.run-lines .run-line').allTextContents();
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^A · vae2d: 5,000 samples encoded$/);
    assert.match(lines[1]!, /^B · no-such-run: could not open .*no-such-run: /);
    assert.equal(await page.locator('vscode-button:has-text("Retry")').count(), 1);
    await closeClean(panel);
  });
});
