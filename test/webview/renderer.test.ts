/**
 * The notebook renderer (dist/renderer.js) in real Chromium, on payloads that the documented Python
 * helper (python/latent_lab_display.py) builds from scikit-learn's digits in the reference venv.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { LATENTS_MIME } from '../../src/shared/notebookPayload';
import { launchChromium } from '../support/chromium';
import { cspViolations, disposeOutput, notebookOutputPage, openNotebookOutputs, outputSelector, renderOutput } from './harness/notebookOutput';
import { drawnMapPixels, extremePoints, mapMarks, mapProjection, pointPosition, waitFor } from './harness/pageQueries';
import { screenshot } from './harness/panel';
import { HarnessServer } from './harness/server';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

interface Encoded {
  dtype: string;
  shape: number[];
  data: string;
}
interface Payload {
  version: number;
  title?: string;
  latents: Encoded;
  labels?: Encoded;
  labelNames?: string[];
  thumbnails?: Encoded;
}

/** The output's map coordinates and axis titles, as the page sees them. */
function plotData(page: Page, id: string): Promise<{ x: number[]; y: number[]; axes: string[] } | undefined> {
  return mapProjection(page, `${outputSelector(id)} .latent-map-plot`);
}

function textOf(page: Page, selector: string): Promise<string> {
  return page.evaluate((selector) => document.querySelector(selector)?.textContent ?? '', selector);
}

describe('notebook renderer', () => {
  let browser: Browser;
  let server: HarnessServer;
  let page: Page;
  let folder: string;
  let payloadText: string;
  let payload: Payload;
  const pageErrors: string[] = [];

  before(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'latent-lab-notebook-'));
    server = new HarnessServer();
    const makePayloads = async () => {
      const { stdout } = await run('bash', [path.join(repoRoot, 'scripts/provision-python.sh'), 'reference'], { maxBuffer: 16 * 1024 * 1024 });
      await run(stdout.trim(), [path.join(__dirname, 'harness/notebook_payloads.py'), folder]);
    };
    browser = await launchChromium();
    await Promise.all([server.start(), makePayloads()]);
    payloadText = readFileSync(path.join(folder, 'digits.json'), 'utf8');
    payload = JSON.parse(payloadText) as Payload;
    const context = await browser.newContext({ viewport: { width: 1040, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await openNotebookOutputs(page, server.registerPage('notebook', notebookOutputPage(server.origin)));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test('digits: every point on a PCA that matches scikit-learn, a named legend, hover thumbnails, dispose', async () => {
    const count = payload.latents.shape[0]!;
    await renderOutput(page, 'digits', LATENTS_MIME, payloadText);
    const plot = `${outputSelector('digits')} .latent-map-plot`;

    assert.equal((await mapMarks(page, plot)).count, count, 'the map draws every point');
    assert.ok((await drawnMapPixels(page, plot)) > 1000, 'the scatter rendered the points with WebGL');
    const reference = JSON.parse(readFileSync(path.join(folder, 'digits-pca.json'), 'utf8')) as { x: number[]; y: number[]; explained: number };
    const drawn = (await plotData(page, 'digits'))!;
    assert.deepEqual(drawn.axes, ['PCA 1', 'PCA 2']);
    for (const axis of ['x', 'y'] as const) {
      const sign = Math.sign(drawn[axis][0]! * reference[axis][0]!);
      const worst = Math.max(...drawn[axis].map((value, i) => Math.abs(value - sign * reference[axis][i]!)));
      assert.ok(worst < 1e-3, `${axis} is scikit-learn's PCA up to sign (worst difference ${worst})`);
    }
    const status = await textOf(page, `${outputSelector('digits')} .latent-map-status`);
    assert.match(status, /^1,797 points · PCA of 64 dims, \d+% of the variance$/);
    assert.equal(Number(/(\d+)%/.exec(status)![1]), Math.round(reference.explained * 100), 'the explained variance is scikit-learn’s');
    assert.equal(await textOf(page, `${outputSelector('digits')} .latent-map-title`), 'scikit-learn digits, 64-d pixels');

    const labels = new Int32Array(Uint8Array.from(Buffer.from(payload.labels!.data, 'base64')).buffer);
    const legend = await page.evaluate((selector) => Array.from(document.querySelectorAll(`${selector} .legend-entry`), (entry) => [entry.querySelector('.legend-name')!.textContent, entry.querySelector('.legend-count')!.textContent]), outputSelector('digits'));
    assert.deepEqual(legend, NAMES.map((name, label) => [name, String(labels.filter((value) => value === label).length)]), 'one legend entry per label, named, with its count');

    const [left] = await extremePoints(page, plot);
    const at = await pointPosition(page, left, plot);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    const card = `${outputSelector('digits')} .inspector`;
    await waitFor(page, ({ card, title }) => document.querySelector(card)?.textContent === title && document.querySelector(`${card} canvas`) !== null, { card, title: `#${left} · label ${NAMES[labels[left]!]}` }, `the hover card of point ${left}`);
    const shown = await page.evaluate((selector) => {
      const canvas = document.querySelector<HTMLCanvasElement>(selector)!;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      return { width: canvas.width, height: canvas.height, grey: Array.from({ length: canvas.width * canvas.height }, (_, i) => data[i * 4]!) };
    }, `${card} canvas`);
    const thumbnails = Buffer.from(payload.thumbnails!.data, 'base64');
    assert.deepEqual([shown.width, shown.height], [8, 8]);
    assert.deepEqual(shown.grey, Array.from(thumbnails.subarray(left * 64, (left + 1) * 64)), 'the card shows the hovered point’s own thumbnail');

    await page.click(`${outputSelector('digits')} .legend-entry:has-text("three")`);
    const threes = labels.filter((value) => value === 3).length;
    await waitFor(page, (selector) => /label "three": \d+ points$/.test(document.querySelector(selector)?.textContent ?? ''), `${outputSelector('digits')} .latent-map-status`, 'the legend click to ring the threes');
    assert.equal((await mapMarks(page, plot)).matches.length, threes, 'every three is ringed');
    await screenshot(page, 'notebook-renderer');

    await page.evaluate((selector) => ((window as unknown as { disposedPlot: unknown }).disposedPlot = document.querySelector(selector)), plot);
    await disposeOutput(page, 'digits');
    const after = await page.evaluate(() => {
      const map = (window as unknown as { disposedPlot: HTMLElement & { latentMap: { count(): number } } }).disposedPlot;
      return { points: map.latentMap.count(), attached: map.isConnected, canvases: document.querySelectorAll('canvas').length };
    });
    assert.deepEqual(after, { points: 0, attached: false, canvases: 0 }, 'disposeOutputItem frees the map and empties the output');
  });

  test('2-D latents without labels are drawn on their own dims', async () => {
    await renderOutput(page, 'plane', LATENTS_MIME, readFileSync(path.join(folder, 'plane.json'), 'utf8'));
    const drawn = (await plotData(page, 'plane'))!;
    const reference = JSON.parse(readFileSync(path.join(folder, 'digits-pca.json'), 'utf8')) as { x: number[] };
    assert.equal(drawn.x.length, 1797);
    assert.deepEqual(drawn.axes, ['z0', 'z1']);
    assert.ok(drawn.x.every((value, i) => Math.abs(value - Math.fround(reference.x[i]!)) < 1e-9), 'x is the first latent dim as sent');
    assert.equal(await textOf(page, `${outputSelector('plane')} .latent-map-status`), '1,797 points · latent dims');
    assert.equal(await page.locator(`${outputSelector('plane')} .legend`).count(), 0, 'no legend without labels');
    await disposeOutput(page);
    assert.equal(await page.locator('.latent-map-plot').count(), 0, 'disposeOutputItem without an id disposes every output');
  });

  test('a malformed payload shows one line saying what is wrong, where, and what to do', async () => {
    const labels = Buffer.from(payload.labels!.data, 'base64');
    const cases: [string, string, RegExp][] = [
      ['shape', JSON.stringify({ ...payload, latents: { ...payload.latents, shape: [1797, 63] } }), /latents\.data: 460032 bytes, but shape \[1797, 63\] of float32 needs 452844/],
      ['base64', JSON.stringify({ ...payload, latents: { ...payload.latents, data: '%%%' } }), /latents\.data: is not valid base64/],
      ['labels', JSON.stringify({ ...payload, labels: { dtype: 'int32', shape: [1796], data: labels.subarray(0, 1796 * 4).toString('base64') } }), /labels\.shape: 1796 labels for 1797 points/],
      ['no dims', JSON.stringify({ version: 1, latents: { dtype: 'float32', shape: [5, 0], data: '' } }), /latents\.shape: latents of 0 dimensions \(d = 0\)/],
      ['dtype', JSON.stringify({ ...payload, latents: { ...payload.latents, dtype: 'float64' } }), /latents\.dtype: expected "float32", got "float64"/],
      ['version', JSON.stringify({ ...payload, version: 2 }), /version: 2 is newer than this Latent Lab reads \(1\); update the extension/],
      ['not json', '{"version": 1, "latents":', /the output is not valid JSON/],
    ];
    for (const [id, text, expected] of cases) {
      await renderOutput(page, id, LATENTS_MIME, text);
      const lines = await page.evaluate((selector) => Array.from(document.querySelectorAll(`${selector} [role=alert]`), (line) => line.textContent ?? ''), outputSelector(id));
      assert.equal(lines.length, 1, `${id}: one error line`);
      assert.match(lines[0]!, /^Latent Lab cannot draw this latent map: /, id);
      assert.match(lines[0]!, expected, id);
      assert.match(lines[0]!, /build the output with latent_map\(\) from python\/latent_lab_display\.py/, `${id}: says what to do`);
      assert.doesNotMatch(lines[0]!, /\n/, `${id}: one line`);
      assert.equal(await page.locator(`${outputSelector(id)} .latent-map-plot`).count(), 0, `${id}: no plot`);
    }
    await disposeOutput(page);
  });

  test('the Python helper refuses bad arrays with one-line errors', async (t) => {
    const errors = JSON.parse(readFileSync(path.join(folder, 'errors.json'), 'utf8')) as Record<string, string | null>;
    const expected: Record<string, RegExp> = {
      'flat latents': /latents must be 2-D \[n, d\], got shape \(1797,\); use latents\.reshape\(-1, 1\)/,
      'no dims': /latents has d = 0 dims; the map shows 1 to 1024/,
      'not finite': /latents\[0, 1\] is nan/,
      'labels count': /labels must have shape \(1797,\), one per point, got \(1796,\)/,
      'unnamed label': /label 9 of point \d+ has no name \(label_names has 9\)/,
      'flat thumbnails': /thumbnails\.reshape\(-1, 8, 8\)/,
      'thumbnail range': /float thumbnails must lie in \[0, 1\]/,
      'names without labels': /label_names given without labels/,
    };
    for (const [name, pattern] of Object.entries(expected)) {
      assert.match(errors[name] ?? 'no error', pattern, name);
      assert.match(errors[name]!, /^latent_map: [^\n]+$/, `${name}: one line that names the helper`);
    }
    if (errors['without IPython'] === 'IPython is installed here') t.diagnostic('IPython is installed in the reference venv: latent_map displayed instead of refusing');
    else assert.match(errors['without IPython'] ?? '', /IPython is not installed.*call latent_map_payload\(\.\.\.\)/);
  });

  test('the page ran without CSP violations or uncaught errors', async () => {
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(pageErrors, []);
  });
});
