/** What the tests read from, and do to, the panel's page. */
import type { Page } from 'playwright-core';
import type { MapInspection } from '../../../src/webview/common/map/scatterMap';
import type { ViewName } from '../../../src/webview/panel/uiState';

/** A map's element, with what it shows (src/webview/common/map/scatterMap.ts exposes it for tests and bug reports). */
export interface MapElement extends HTMLElement {
  latentMap: MapInspection;
}

const TIMEOUT = 30_000;

export async function waitFor<A>(page: Page, predicate: (arg: A) => unknown, arg: A, what: string, timeout = TIMEOUT): Promise<void> {
  try {
    // Playwright types the argument through its serialisation wrapper; plain data is passed unchanged.
    await page.waitForFunction(predicate as (arg: unknown) => unknown, arg, { timeout });
  } catch (error) {
    const status = await page.evaluate(() => document.querySelector('.status-line')?.textContent ?? '').catch(() => '');
    throw new Error(`timed out waiting for ${what} (status line: "${status}")`, { cause: error });
  }
}

/** Waits for something the host side records (a saved file, a log line). */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What a map shows: its point count, the picked points, the ringed matches and the selection. */
export function mapMarks(page: Page, selector = '.map-plot'): Promise<{ count: number; picks: number[]; matches: number[]; selection: number[] }> {
  return page.evaluate((selector) => {
    const map = (document.querySelector(selector) as MapElement).latentMap;
    return { count: map.count(), picks: map.picks(), matches: map.matches(), selection: map.selection() };
  }, selector);
}

export function waitForMap(page: Page, count: number, selector = '.map-plot', timeout = TIMEOUT): Promise<void> {
  return waitFor(page, ({ count, selector }) => (document.querySelector(selector) as MapElement | null)?.latentMap.count() === count, { count, selector }, `a map of ${count} points`, timeout);
}

export function statusText(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector('.status-line')?.textContent ?? '');
}

/**
 * Drags the map's box-select tool from `from` to `to` (fractions of the map, taken to the nearest
 * whole pixel, where mouse events land); resolves to the count the status line reports.
 */
export async function boxSelect(page: Page, from: number, to: number): Promise<number> {
  await page.click('.map-plot [data-tool="box"]');
  const box = (await page.locator('.map-plot .map-canvas').first().boundingBox())!;
  await page.mouse.move(Math.round(box.x + box.width * from), Math.round(box.y + box.height * from));
  await page.mouse.down();
  await page.mouse.move(Math.round(box.x + box.width * to), Math.round(box.y + box.height * to), { steps: 5 });
  await page.mouse.up();
  await waitFor(page, () => / · [\d,]+ selected/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'the box selection');
  await page.click('.map-plot [data-tool="pan"]');
  return Number(/ · ([\d,]+) selected/.exec(await statusText(page))![1]!.replace(',', ''));
}

/** Page coordinates of map point `index`, for mouse hover and clicks. */
export function pointPosition(page: Page, index: number, selector = '.map-plot'): Promise<{ x: number; y: number }> {
  return page.evaluate(({ index, selector }) => {
    const map = document.querySelector(selector) as MapElement;
    const box = map.getBoundingClientRect();
    const [x, y] = map.latentMap.screenPosition(index)!;
    return { x: box.left + x, y: box.top + y };
  }, { index, selector });
}

/** The map points furthest left and right: two points a click cannot confuse. */
export function extremePoints(page: Page, selector = '.map-plot'): Promise<[number, number]> {
  return page.evaluate((selector) => {
    const xs = (document.querySelector(selector) as MapElement).latentMap.projection()!.x;
    return [xs.indexOf(Math.min(...xs)), xs.indexOf(Math.max(...xs))] as [number, number];
  }, selector);
}

/** The part of data space in view. */
export function mapRanges(page: Page, selector = '.map-plot'): Promise<{ x: [number, number]; y: [number, number] }> {
  return page.evaluate((selector) => (document.querySelector(selector) as MapElement).latentMap.region()!, selector);
}

/** The map's coordinates and axis titles. */
export function mapProjection(page: Page, selector = '.map-plot'): Promise<{ x: number[]; y: number[]; axes: [string, string] } | undefined> {
  return page.evaluate((selector) => {
    const map = (document.querySelector(selector) as MapElement | null)?.latentMap;
    const projection = map?.projection();
    return projection && { ...projection, axes: map!.axisTitles()! };
  }, selector);
}

/** How the map colors its points: the palette and the first points' values (category indices or positions along the scale). */
export function mapColoring(page: Page, selector = '.map-plot'): Promise<{ type: string; palette: string[]; values: number[] }> {
  return page.evaluate((selector) => (document.querySelector(selector) as MapElement).latentMap.coloring()!, selector);
}

export async function openTab(page: Page, view: ViewName): Promise<void> {
  await page.click(`vscode-tab-header[data-view="${view}"]`);
  await waitFor(page, (view) => !document.querySelector(`vscode-tab-panel[data-view="${view}"]`)?.hasAttribute('hidden'), view, `the ${view} tab`);
}

/** A canvas's pixels as a data URL: equal strings, equal pictures. */
export function canvasPixels(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((selector) => Array.from(document.querySelectorAll<HTMLCanvasElement>(selector), (canvas) => canvas.toDataURL()), selector);
}

export async function waitForPixelsToChange(page: Page, selector: string, before: string[], what: string): Promise<void> {
  await waitFor(
    page,
    ({ selector, before }) => {
      const now = Array.from(document.querySelectorAll<HTMLCanvasElement>(selector), (canvas) => canvas.toDataURL());
      return now.length > 0 && now.join() !== before.join();
    },
    { selector, before },
    what,
  );
}

/** Chooses an option of a vscode-single-select the way a user's pick ends: value set, change fired. */
export async function choose(page: Page, label: string, value: string): Promise<void> {
  await page.evaluate(
    ({ label, value }) => {
      const control = document.querySelector<HTMLElement & { value: string }>(`vscode-single-select[aria-label="${label}"]`);
      if (!control) throw new Error(`no select labelled ${label}`);
      control.value = value;
      control.dispatchEvent(new Event('change'));
    },
    { label, value },
  );
}

/** Types into a vscode-textfield and commits with Enter, as a keyboard user does. */
export async function typeInto(page: Page, label: string, text: string): Promise<void> {
  const field = page.locator(`vscode-textfield[aria-label="${label}"]`).first();
  await field.locator('input').fill(text);
  await field.locator('input').press('Enter');
}

/** Pixels the map drew: proof that the scatter rendered, not only that it got data. */
export function drawnMapPixels(page: Page, selector = '.map-plot'): Promise<number> {
  return page.evaluate((selector) => {
    const drawn = document.querySelector<HTMLCanvasElement>(`${selector} canvas.map-canvas`);
    if (!drawn || drawn.width === 0) return 0;
    const copy = document.createElement('canvas');
    copy.width = drawn.width;
    copy.height = drawn.height;
    const context = copy.getContext('2d')!;
    context.drawImage(drawn, 0, 0);
    const pixels = context.getImageData(0, 0, copy.width, copy.height).data;
    let count = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) count++;
    return count;
  }, selector);
}

/** A map's WebGL context losses and recoveries, as the page counts them (common/map/lostContext.ts). */
export function contextCounts(page: Page, selector = '.map-plot'): Promise<{ lost: number; recovered: number }> {
  return page.evaluate((selector) => {
    const map = document.querySelector(selector);
    return { lost: Number(map?.getAttribute('data-gl-lost') ?? 0), recovered: Number(map?.getAttribute('data-gl-recovered') ?? 0) };
  }, selector);
}

/**
 * Takes the map's WebGL context away as the browser does when too many are open; the extension
 * that did it stays on the page, so `restoreMapContext` can offer the context back.
 */
export function loseMapContext(page: Page, selector = '.map-plot'): Promise<void> {
  return page.evaluate((selector) => {
    const gl = (document.querySelector(selector) as MapElement | null)?.latentMap.context();
    const extension = gl?.getExtension('WEBGL_lose_context');
    if (!extension) throw new Error(`no WebGL context to lose in ${selector}`);
    (window as unknown as { lostContext: WEBGL_lose_context }).lostContext = extension;
    extension.loseContext();
  }, selector);
}

export function restoreMapContext(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as { lostContext: WEBGL_lose_context }).lostContext.restoreContext());
}
