/**
 * Many views at once (issue #14): twelve explorer panels and a compare page on one checkpoint, and a
 * notebook page with 24 latent-map outputs. Browsers keep about 16 live WebGL contexts per renderer process and drop
 * the oldest beyond that; every map of a page shares one context (common/map/reglRenderer.ts), so
 * the notebook's 24 outputs hold one and the browser takes none away. Losses still happen (driver
 * resets, other pages' contexts), so the test takes them away with WEBGL_lose_context. Every visible map must be drawn, a lost one must say so and redraw once
 * visible again, and closing the panels must give the engine back every tensor their sessions held.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createHandlers } from '../../src/engine/handlers';
import { LATENTS_MIME } from '../../src/shared/notebookPayload';
import { launchChromium } from '../support/chromium';
import { sampleLatents } from '../support/sampleLatents';
import { trainCheckpoints } from './harness/checkpoints';
import { notebookOutputPage, openNotebookOutputs, outputSelector, renderOutput } from './harness/notebookOutput';
import { contextCounts, drawnMapPixels, loseMapContext, mapRanges, openTab, restoreMapContext, mapMarks, waitFor, waitForMap } from './harness/pageQueries';
import { closeClean, openPanel, type Panel, screenshot } from './harness/panel';
import { HarnessServer } from './harness/server';

const PANELS = 12;
const OUTPUTS = 24;
/** The bundled sample, which the checkpoint's sessions encode in full. */
const SAMPLE_COUNT = 5000;
/** Points per notebook output: enough to fill the map with pixels, few enough to plot 24 quickly. */
const OUTPUT_COUNT = 1000;
const WAIT = 15_000;
/** Thirteen pages and fourteen sessions start at once on a machine that may be shared: the first draws get longer. */
const FIRST_DRAW_WAIT = 60_000;
const LOST_NOTICE = "The map's graphics context was lost (too many views open); it redraws when this view is visible again or you point at it.";

/** Waits until the plot at `selector` shows every point with no lost-context notice over it. */
function drawnWithoutNotice(page: Page, selector: string, count: number, what: string): Promise<void> {
  return waitFor(
    page,
    ({ selector, count }) => {
      const map = document.querySelector(selector) as (HTMLElement & { latentMap?: { count(): number } }) | null;
      return map?.latentMap?.count() === count && map.querySelector('.context-lost') === null;
    },
    { selector, count },
    what,
    WAIT,
  );
}

function lostNotice(page: Page, selector = '.map-plot'): Promise<string | null> {
  return page.evaluate((selector) => document.querySelector(`${selector} .context-lost[role=status]`)?.textContent ?? null, selector);
}

function waitForNotice(page: Page, selector = '.map-plot'): Promise<void> {
  return waitFor(page, (selector) => document.querySelector(`${selector} .context-lost`) !== null, selector, 'the lost-context notice', WAIT);
}

/** Waits until a panel's map is drawn again after its `times`-th loss, with every point. */
async function redrawn(page: Page, times: number, selector = '.map-plot'): Promise<void> {
  await drawnWithoutNotice(page, selector, SAMPLE_COUNT, `the map to redraw after loss ${times}`);
  await waitFor(page, ({ selector, times }) => document.querySelector(selector)?.getAttribute('data-gl-recovered') === String(times), { selector, times }, `recovery ${times}`, WAIT);
  assert.ok((await drawnMapPixels(page, selector)) > 1000, 'the redrawn map has its points');
  assert.deepEqual(await contextCounts(page, selector), { lost: times, recovered: times });
}

describe('many views at once', () => {
  let browser: Browser;
  let server: HarnessServer;
  let checkpoints: Awaited<ReturnType<typeof trainCheckpoints>> | undefined;
  let sample: Awaited<ReturnType<typeof sampleLatents>>;
  const handlers = createHandlers();
  const panels: Panel[] = [];
  let notebook: Page | undefined;
  /** Over every page: contexts the test took away, those the browser did, recoveries, and maps still lost out of view. */
  const totals = { forced: 0, lostByTheBrowser: 0, recovered: 0, lostOutOfView: 0 };

  const numTensors = async () => (await handlers.info({}, { signal: new AbortController().signal, emit: () => undefined })).numTensors;

  before(async () => {
    server = new HarnessServer();
    browser = await launchChromium();
    [checkpoints, sample] = await Promise.all([trainCheckpoints(['vae2d']), sampleLatents(2), server.start()]);
  });

  after(async () => {
    await Promise.all(panels.map((panel) => panel.close()));
    await notebook?.context().close();
    await browser?.close();
    await server?.stop();
    checkpoints?.dispose();
  });

  test(`${PANELS} explorer panels and a compare page: every map drawn, a lost context redraws, closing frees the sessions' tensors`, async () => {
    const baseline = await numTensors();
    const checkpoint = checkpoints!.folders.vae2d;
    const compareMaps = ['A', 'B'].map((run) => `.map-plot[data-run="${run}"]`);
    const opened = await Promise.all([
      ...Array.from({ length: PANELS }, () => openPanel(browser, server, handlers, { view: 'explore', checkpoint })),
      openPanel(browser, server, handlers, { view: 'compare', checkpoints: [checkpoint, checkpoint] }),
    ]);
    panels.push(...opened);
    const explorers = opened.slice(0, PANELS);
    const { page: comparePage } = opened[PANELS]!;
    for (const [index, { page }] of explorers.entries()) {
      await waitForMap(page, SAMPLE_COUNT, '.map-plot', FIRST_DRAW_WAIT);
      assert.equal((await mapMarks(page)).count, SAMPLE_COUNT, `panel ${index} draws every sample`);
      assert.ok((await drawnMapPixels(page)) > 1000, `panel ${index}: the scatter drew the points`);
    }
    for (const map of compareMaps) {
      await waitForMap(comparePage, SAMPLE_COUNT, map, FIRST_DRAW_WAIT);
      assert.ok((await drawnMapPixels(comparePage, map)) > 1000, `compare ${map}: the scatter drew the points`);
    }
    assert.ok((await numTensors()) > baseline, 'the open sessions hold their models');

    // Lost in view: the notice shows until the map redraws, by itself once the page has been quiet
    // for a moment, or when the browser offers the context back, whichever comes first.
    const [first, second, third] = explorers.map(({ page }) => page) as [Page, Page, Page];
    // Zoomed first: the redrawn map must keep the user's view, not go back to the whole map.
    const whole = await mapRanges(first);
    const plotBox = (await first.locator('.map-plot .map-canvas').first().boundingBox())!;
    await first.mouse.move(plotBox.x + plotBox.width / 2, plotBox.y + plotBox.height / 2);
    await first.mouse.wheel(0, -400);
    await waitFor(first, (before) => JSON.stringify((document.querySelector('.map-plot') as unknown as { latentMap: { region(): { x: number[] } } }).latentMap.region().x) !== JSON.stringify(before), whole.x, 'the wheel zoom', WAIT);
    const view = await mapRanges(first);
    await loseMapContext(first);
    await waitForNotice(first);
    assert.equal(await lostNotice(first), LOST_NOTICE);
    await restoreMapContext(first);
    await redrawn(first, 1);
    assert.deepEqual(await mapRanges(first), view, 'the redrawn map keeps the zoomed view');

    // Lost behind another tab: the map redraws when its tab is shown again.
    await openTab(second, 'training');
    await loseMapContext(second);
    await waitForNotice(second);
    await openTab(second, 'map');
    await redrawn(second, 1);

    // Lost again and again in view (as when more maps are in view than the browser keeps contexts
    // for): the re-plots stop, and the map waits for the user to look at it.
    for (let losses = 1; losses <= 3; losses++) {
      await loseMapContext(third);
      await redrawn(third, losses);
    }
    await loseMapContext(third);
    await waitForNotice(third);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(await contextCounts(third), { lost: 4, recovered: 3 }, 'the fourth loss in view waits');
    assert.equal(await lostNotice(third), LOST_NOTICE);
    await screenshot(third, 'many-views-lost-context');
    const box = (await third.locator('.map-plot').first().boundingBox())!;
    await third.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    await redrawn(third, 4);
    // Or when the host says the panel came to the front (VS Code's onDidChangeViewState).
    await third.mouse.move(0, 0);
    await loseMapContext(third);
    await waitForNotice(third);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(await contextCounts(third), { lost: 5, recovered: 4 }, 'the fifth loss in view waits too');
    await explorers[2]!.host.deliver({ type: 'shown' });
    await redrawn(third, 5);

    // The compare page's maps share the page's one context: both lose it, both redraw.
    await loseMapContext(comparePage, compareMaps[0]);
    await Promise.all(compareMaps.map((map) => waitForNotice(comparePage, map)));
    for (const map of compareMaps) await redrawn(comparePage, 1, map);

    const maps = [...explorers.map(({ page }) => ({ page, selector: '.map-plot' })), ...compareMaps.map((selector) => ({ page: comparePage, selector }))];
    for (const { page, selector } of maps) {
      const { lost, recovered } = await contextCounts(page, selector);
      totals.forced += lost;
      totals.recovered += recovered;
    }
    // One at a time off the list, so a panel that fails its check is still closed in `after`.
    for (let panel = panels.shift(); panel; panel = panels.shift()) await closeClean(panel);
    const deadline = Date.now() + WAIT;
    while ((await numTensors()) !== baseline && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await numTensors(), baseline, 'closing the panels closed their sessions and freed every tensor');
  });

  test(`a notebook with ${OUTPUTS} latent-map outputs: each map is drawn when scrolled into view, whatever the browser took away`, async () => {
    const context = await browser.newContext({ viewport: { width: 1040, height: 900 } });
    notebook = await context.newPage();
    const page = notebook;
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await openNotebookOutputs(page, server.registerPage('many-outputs', notebookOutputPage(server.origin)));
    const ids = Array.from({ length: OUTPUTS }, (_, index) => `map-${index}`);
    const plotOf = (id: string) => `${outputSelector(id)} .latent-map-plot`;
    for (const [index, id] of ids.entries()) await renderOutput(page, id, LATENTS_MIME, payload(sample, index));

    const counts = () => Promise.all(ids.map((id) => contextCounts(page, plotOf(id))));
    const lostByTheBrowser = (await counts()).reduce((sum, count) => sum + count.lost, 0);
    assert.equal(lostByTheBrowser, 0, `the ${OUTPUTS} maps share the page's one WebGL context, so the browser takes none away`);
    // Lost anyway (a driver reset): every output shares the loss, and each redraws once in view.
    await loseMapContext(page, plotOf(ids[0]!));
    await waitForNotice(page, plotOf(ids[0]!));

    for (const id of ids) {
      await page.evaluate((selector) => document.querySelector(selector)!.scrollIntoView({ block: 'center' }), plotOf(id));
      await drawnWithoutNotice(page, plotOf(id), OUTPUT_COUNT, `${id} to be drawn once in view`);
      assert.ok((await drawnMapPixels(page, plotOf(id))) > 500, `${id}: the scatter drew the points`);
    }
    await screenshot(page, 'many-views-notebook');

    const final = await counts();
    const inView = await page.evaluate((selectors) => selectors.map((selector) => {
      const box = document.querySelector(selector)!.getBoundingClientRect();
      return box.bottom > 0 && box.top < innerHeight;
    }), ids.map(plotOf));
    const stillLost = await page.evaluate((selectors) => selectors.map((selector) => document.querySelector(`${selector} .context-lost`) !== null), ids.map(plotOf));
    assert.ok(!stillLost.some((lost, index) => lost && inView[index]), 'no map in view shows the notice');
    for (const [index, { lost, recovered }] of final.entries()) {
      assert.equal(lost - recovered, stillLost[index] ? 1 : 0, `${ids[index]}: every loss but a pending one (out of view) was recovered`);
      totals.forced += lost;
      totals.recovered += recovered;
    }
    totals.lostOutOfView += stillLost.filter(Boolean).length;
    assert.deepEqual(pageErrors, []);
  });

  test('report: every lost context in view was recovered', () => {
    const lost = totals.forced + totals.lostByTheBrowser;
    console.log(JSON.stringify({ glContextsRecovered: totals.recovered, glContextsLost: lost, ...totals }));
    assert.ok(totals.forced > 0, 'contexts were lost');
    assert.equal(totals.recovered, lost - totals.lostOutOfView, 'every loss was recovered but those of maps out of view at the end');
  });
});

/** Output `index`: a window of the sample's 2-D PCA latents with their labels, so every map differs. */
function payload({ digits, latents }: Awaited<ReturnType<typeof sampleLatents>>, index: number): string {
  const start = (index * 150) % (SAMPLE_COUNT - OUTPUT_COUNT);
  const base64 = (array: Float32Array | Int32Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
  return JSON.stringify({
    version: 1,
    title: `map ${index}`,
    latents: { dtype: 'float32', shape: [OUTPUT_COUNT, 2], data: base64(latents.subarray(start * 2, (start + OUTPUT_COUNT) * 2)) },
    labels: { dtype: 'int32', shape: [OUTPUT_COUNT], data: base64(Int32Array.from(digits.labels!.subarray(start, start + OUTPUT_COUNT))) },
  });
}
