/// <reference path="../../src/webview/common/map/reglScatterplotSources.d.ts" />
/**
 * The explorer's map at 200,000 points, in real Chromium (software WebGL) against a real in-process
 * engine: 2-D latents in ten labelled clusters with an 8×8 image each. Every point is drawn; hover
 * finds a point and shows its thumbnail without a scatter frame; a box and a lasso select what the coordinates
 * say it holds; a label search marks exactly that label; a click picks a point and its mark sits on
 * it, before, during and after a pan. The first frame is the map's own (firstFrame.ts), and the
 * scatter's full frame after it paints the same pixels; the k-d tree sorted after that frame
 * (spatialIndex.ts) is a k-d tree that answers every query as regl-scatterplot's own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { createHandlers } from '../../src/engine/handlers';
import { seededRandom } from '../../src/engine/training/random';
import { launchChromium } from '../support/chromium';
import { handMadeNpy, npyHeader } from '../support/helpers';
import { closeClean, openPanel, type Panel } from './harness/panel';
import { type FrameState, SLOW_FRAME_MS } from '../../src/webview/common/map/motionFrames';
import { boxSelect, drawnMapPixels, type MapElement, mapMarks, pointPosition, statusText, typeInto, waitFor, waitForMap } from './harness/pageQueries';
import { HarnessServer } from './harness/server';
import createKDBushClass from 'regl-scatterplot/src/kdbush-class.js';
import { SpatialIndex } from '../../src/webview/common/map/spatialIndex';

const COUNT = 200_000;
const CLUSTERS = 10;
const SIDE = 8;

/** Point i belongs to cluster i % 10, labelled `c<cluster>`: a Gaussian blob round a point of a circle. */
function clusteredLatents(): Float32Array {
  const random = seededRandom(7);
  const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const latents = new Float32Array(COUNT * 2);
  for (let i = 0; i < COUNT; i++) {
    const angle = (2 * Math.PI * (i % CLUSTERS)) / CLUSTERS;
    latents[2 * i] = 6 * Math.cos(angle) + gaussian();
    latents[2 * i + 1] = 6 * Math.sin(angle) + gaussian();
  }
  return latents;
}

/** The map's point furthest left: alone at its position, so hover and click cannot take a neighbour. */
function lonePoint(page: Page): Promise<number> {
  return page.evaluate(() => {
    const xs = document.querySelector<MapElement>('.map-plot')!.latentMap.projection()!.x;
    let lone = 0;
    xs.forEach((x, i) => {
      if (x < xs[lone]!) lone = i;
    });
    return lone;
  });
}

interface MarkAndPoint {
  /** The A mark's centre on the page. */
  mark: [number, number] | undefined;
  /** Where the map puts the picked point on the page. */
  point: [number, number];
  frames: FrameState;
}

/** Both positions, read in one go between frames. */
function markAndPoint(page: Page, index: number): Promise<MarkAndPoint> {
  return page.evaluate((index) => {
    const map = document.querySelector<MapElement>('.map-plot')!;
    const box = map.getBoundingClientRect();
    const [x, y] = map.latentMap.screenPosition(index)!;
    const mark = map.querySelector(`.map-pick[data-index="${index}"]`)?.getBoundingClientRect();
    return { mark: mark && [mark.left + mark.width / 2, mark.top + mark.height / 2], point: [box.left + x, box.top + y], frames: map.latentMap.frames()! };
  }, index);
}

function assertNear(actual: [number, number] | undefined, expected: [number, number], what: string): void {
  assert.ok(actual && Math.hypot(actual[0] - expected[0], actual[1] - expected[1]) < 1.5, `${what}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
}

describe('the map at 200,000 points', { timeout: 120_000 }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let panel: Panel | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-scale-webview-'));
  const files = { latents: path.join(dir, 'latents.npy'), labels: path.join(dir, 'labels.csv'), images: path.join(dir, 'images.npy') };

  before(async () => {
    server = new HarnessServer();
    // The browser first: without one the suite fails at once, before a server is left listening.
    browser = await launchChromium();
    await server.start();
    writeFileSync(files.latents, encodeNpy(clusteredLatents(), [COUNT, 2]));
    writeFileSync(files.labels, `label\n${Array.from({ length: COUNT }, (_, i) => `c${i % CLUSTERS}`).join('\n')}\n`);
    const pixels = Buffer.alloc(COUNT * SIDE * SIDE);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 256;
    writeFileSync(files.images, handMadeNpy(npyHeader('|u1', `(${COUNT}, ${SIDE}, ${SIDE})`), pixels));
  });

  after(async () => {
    await panel?.close();
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('draws every point; hover, box and lasso selection, label search, pick and pan stay exact', { timeout: 90_000 }, async () => {
    panel = await openPanel(browser, server, createHandlers(), { view: 'latents', ...files });
    const { page } = panel;
    await waitForMap(page, COUNT, '.map-plot', 60_000);
    assert.equal((await mapMarks(page)).count, COUNT, 'the map draws every point');
    assert.ok((await drawnMapPixels(page)) > 1000, 'the scatter rendered the points');
    assert.match(await statusText(page), /^200,000 points · latent dims · colored by label/);

    // The map drew the points' first frame itself (firstFrame.ts) and the scatter skipped its own
    // first frame of them as the same picture: a full frame of the scatter now paints exactly it.
    const handover = await page.evaluate(async () => {
      const map = document.querySelector<MapElement>('.map-plot')!;
      const canvas = map.querySelector<HTMLCanvasElement>('.map-canvas')!;
      // No named functions in here: the page has not the helper the test's compiler names them with.
      const copy = document.createElement('canvas');
      [copy.width, copy.height] = [canvas.width, canvas.height];
      const context = copy.getContext('2d', { willReadFrequently: true })!;
      const { first, full } = map.latentMap.frames()!;
      context.drawImage(canvas, 0, 0);
      const before = new Uint32Array(context.getImageData(0, 0, copy.width, copy.height).data.buffer);
      await map.latentMap.redraw();
      context.clearRect(0, 0, copy.width, copy.height);
      context.drawImage(canvas, 0, 0);
      const after = new Uint32Array(context.getImageData(0, 0, copy.width, copy.height).data.buffer);
      let differing = 0;
      let painted = 0;
      after.forEach((pixel, i) => {
        if (pixel !== before[i]) differing++;
        if (pixel !== 0) painted++;
      });
      return { first, full, differing, painted, after: map.latentMap.frames()! };
    });
    assert.ok(handover.first, `the first frame path drew the points and the scatter drew them no second time (${JSON.stringify(handover)})`);
    assert.equal(handover.full, 1, 'one full frame before the redraw: the first frame path\'s');
    assert.ok(handover.painted > 1000, 'the frames hold the points');
    assert.equal(handover.differing, 0, "the scatter's own frame paints the first frame's picture, pixel for pixel");
    assert.ok(!handover.after.first && handover.after.full === 2, 'the redraw was the scatter\'s own full frame');

    const lone = await lonePoint(page);
    const framesBefore = await page.evaluate(() => document.querySelector<MapElement>('.map-plot')!.latentMap.frames()!.full);
    const at = await pointPosition(page, lone);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await waitFor(page, (lone) => document.querySelector('.inspector-title')?.textContent === `#${lone} · label c${lone % 10}`, lone, 'the hovered point in the inspector');
    await waitFor(page, () => document.querySelectorAll('.inspector canvas').length === 1, undefined, 'the hovered thumbnail');
    const hover = await page.evaluate(({ x, y }) => {
      const map = document.querySelector<MapElement>('.map-plot')!;
      const box = map.getBoundingClientRect();
      return { hovered: map.latentMap.hovered(), nearest: map.latentMap.nearest(x - box.left, y - box.top), full: map.latentMap.frames()!.full };
    }, at);
    assert.equal(hover.hovered, lone, 'the map hovers the point under the pointer');
    assert.equal(hover.nearest, lone, 'the k-d tree agrees with a scan of every point');
    assert.equal(hover.full, framesBefore, 'hovering drew no frame of the 200,000 points');
    await page.mouse.move(5, 5, { steps: 2 });
    await waitFor(page, () => document.querySelector<MapElement>('.map-plot')!.latentMap.hovered() === undefined, undefined, 'the hover cleared off the map');
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    assert.equal(await page.evaluate(() => document.querySelector<MapElement>('.map-plot')!.latentMap.frames()!.full), framesBefore, 'the pointer leaving the map drew no frame either');

    const selected = await boxSelect(page, 0.3, 0.6);
    const inBox = await page.evaluate(() => {
      const map = document.querySelector<MapElement>('.map-plot')!;
      const canvas = map.querySelector<HTMLCanvasElement>('.map-canvas')!;
      const bounds = canvas.getBoundingClientRect();
      const { x: [x0, x1], y: [y0, y1] } = map.latentMap.region()!;
      // The corners where boxSelect's mouse events landed (whole pixels), in data coordinates; screen y grows downwards.
      const [left, right] = [0.3, 0.6].map((f) => x0 + ((Math.round(bounds.left + bounds.width * f) - bounds.left) / canvas.clientWidth) * (x1 - x0));
      const [top, bottom] = [0.3, 0.6].map((f) => y1 - ((Math.round(bounds.top + bounds.height * f) - bounds.top) / canvas.clientHeight) * (y1 - y0));
      const { x, y } = map.latentMap.projection()!;
      return x.filter((px, i) => px >= left! && px <= right! && y[i]! >= bottom! && y[i]! <= top!).length;
    });
    assert.ok(inBox > 1000, `the box holds a good part of the map (${inBox} points)`);
    assert.equal(selected, inBox, 'the selection holds exactly the points inside the box');
    assert.equal((await mapMarks(page)).selection.length, inBox);

    // A lasso round a triangle: it selects the points inside the path the pointer drew.
    const corners: [number, number][] = [[0.25, 0.25], [0.75, 0.4], [0.4, 0.75]];
    await page.click('.map-plot [data-tool="lasso"]');
    const canvasBox = (await page.locator('.map-plot .map-canvas').first().boundingBox())!;
    const onPage = ([fx, fy]: [number, number]) => ({ x: Math.round(canvasBox.x + canvasBox.width * fx), y: Math.round(canvasBox.y + canvasBox.height * fy) });
    await page.mouse.move(onPage(corners[0]!).x, onPage(corners[0]!).y);
    await page.mouse.down();
    for (const corner of [...corners.slice(1), corners[0]!]) await page.mouse.move(onPage(corner).x, onPage(corner).y, { steps: 12 });
    await page.mouse.up();
    await waitFor(page, (inBox) => document.querySelector<MapElement>('.map-plot')!.latentMap.selection().length !== inBox, inBox, 'the lasso selection');
    await page.click('.map-plot [data-tool="pan"]');
    const lassoed = (await mapMarks(page)).selection.length;
    const inTriangle = await page.evaluate((triangle) => {
      const map = document.querySelector<MapElement>('.map-plot')!;
      const { x: [x0, x1], y: [y0, y1] } = map.latentMap.region()!;
      // The corners in data coordinates (screen y grows downwards); a point is inside where it lies on the same side of all three edges.
      const cx = triangle.map(([fx]) => x0 + fx * (x1 - x0));
      const cy = triangle.map(([, fy]) => y1 - fy * (y1 - y0));
      const { x, y } = map.latentMap.projection()!;
      let inside = 0;
      for (let i = 0; i < x.length; i++) {
        let positive = 0;
        let negative = 0;
        for (let e = 0; e < 3; e++) {
          const [a, b] = [e, (e + 1) % 3];
          const cross = (cx[b]! - cx[a]!) * (y[i]! - cy[a]!) - (cy[b]! - cy[a]!) * (x[i]! - cx[a]!);
          if (cross >= 0) positive++;
          if (cross <= 0) negative++;
        }
        if (positive === 3 || negative === 3) inside++;
      }
      return inside;
    }, corners);
    assert.ok(inTriangle > 1000, `the triangle holds a good part of the map (${inTriangle} points)`);
    assert.ok(Math.abs(lassoed - inTriangle) <= inTriangle * 0.01, `the lasso selects the points inside its path: ${lassoed} vs ${inTriangle} by the coordinates`);
    assert.match(await statusText(page), new RegExp(`${lassoed.toLocaleString('en')} selected`));
    await page.focus('.map-plot');
    await page.keyboard.press('Escape');
    await waitFor(page, () => document.querySelector<MapElement>('.map-plot')!.latentMap.selection().length === 0 && !/selected/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'Escape clearing the selection');
    await typeInto(page, 'Search', 'c3');
    await waitFor(page, () => /label "c3": 20,000 points/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'the label search');
    const matches = (await mapMarks(page)).matches;
    assert.equal(matches.length, COUNT / CLUSTERS);
    assert.ok(matches.every((index) => index % CLUSTERS === 3), 'every match carries the label');
    await typeInto(page, 'Search', '');

    const before = await pointPosition(page, lone);
    await page.mouse.move(before.x, before.y);
    await page.mouse.down();
    await page.mouse.up();
    await waitFor(page, (lone) => document.querySelector(`.map-pick[data-index="${lone}"]`) !== null, lone, 'the A mark');
    assert.deepEqual((await mapMarks(page)).picks, [lone]);
    const picked = await markAndPoint(page, lone);
    assertNear(picked.mark, picked.point, 'the A mark sits on the picked point');
    assertNear(picked.point, [before.x, before.y], 'where it was clicked');

    // One arrow-key step: where full frames are slow, the frame that shows it is the last full one
    // moved to the new view (until the camera rests), and the mark has moved with the points.
    const stepped = await page.evaluate(async (lone) => {
      const map = document.querySelector<MapElement>('.map-plot')!;
      const { full, fullMs } = map.latentMap.frames()!;
      const from = map.latentMap.screenPosition(lone)!;
      const deadline = performance.now() + 10_000;
      map.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
      while (!map.latentMap.frames()!.moved && map.latentMap.frames()!.full === full) {
        if (performance.now() > deadline) throw new Error('no frame after the pan step');
        await new Promise(requestAnimationFrame);
      }
      // The lone point's pixels on the map's canvas, where the camera puts it now and where it was.
      const canvas = map.querySelector<HTMLCanvasElement>('.map-canvas')!;
      const alpha = [map.latentMap.screenPosition(lone)!, from].map(([x, y]) => {
        const pixels = canvas.getContext('2d')!.getImageData(Math.round(x * devicePixelRatio) - 1, Math.round(y * devicePixelRatio) - 1, 3, 3).data;
        return Math.max(...pixels.filter((_, i) => i % 4 === 3));
      });
      return { ...map.latentMap.frames()!, fullMsBefore: fullMs, alpha: { now: alpha[0]!, before: alpha[1]! } };
    }, lone);
    assert.equal(stepped.moved, stepped.fullMsBefore > SLOW_FRAME_MS, `a moved copy exactly when full frames are slow (the last took ${stepped.fullMsBefore} ms)`);
    assert.ok(stepped.alpha.now > 0 && stepped.alpha.before === 0, `the frame shows the point where the camera now puts it, not where it was (alpha ${JSON.stringify(stepped.alpha)})`);
    const moving = await markAndPoint(page, lone);
    assertNear(moving.mark, moving.point, 'the A mark follows the point during the pan');
    assert.ok(moving.point[0] > picked.point[0] + 10, 'the points moved right as the view went left');
    await waitFor(page, () => !document.querySelector<MapElement>('.map-plot')!.latentMap.frames()!.moved, undefined, 'the full frame after the pan');
    const rested = await markAndPoint(page, lone);
    assertNear(rested.mark, rested.point, 'the A mark on the point once the full frame is drawn');
    assert.deepEqual(rested.point, moving.point, 'the full frame shows the view the pan ended on');
    assert.ok(rested.frames.full > stepped.full || !stepped.moved, 'a full frame replaced the moved copy');

    await closeClean(panel);
    panel = undefined;
  });
});

describe("the map's k-d tree, sorted after the first frame", () => {
  test('is a k-d tree regl-scatterplot reads as its own and answers every query as the tree it builds itself, sorted in slices or at once', async () => {
    const random = seededRandom(3);
    const count = 50_000;
    // Clumped points with repeats, as a projection has; then sorted and constant runs, which a naive pivot makes quadratic.
    const layouts: [string, Float32Array, Float32Array][] = [
      ['clumped', Float32Array.from({ length: count }, () => Math.round(random() * 400) / 100), Float32Array.from({ length: count }, (_, i) => (i % 7 === 0 ? 0.5 : random() * 2 - 1))],
      ['sorted', Float32Array.from({ length: count }, (_, i) => i / count), Float32Array.from({ length: count }, (_, i) => 1 - i / count)],
      ['one point', new Float32Array(count).fill(0.25), new Float32Array(count).fill(-0.25)],
    ];
    const KDBush = createKDBushClass();
    for (const [name, x, y] of layouts) {
      const reference = new KDBush(count);
      for (let i = 0; i < count; i++) reference.add(x[i]!, y[i]!);
      reference.finish();
      const sliced = new SpatialIndex(x, y);
      // The scatter reads the buffer as a tree from the start: its header is final before any sorting.
      assert.doesNotThrow(() => KDBush.from(sliced.buffer));
      assert.ok(!sliced.done);
      sliced.start();
      await sliced.ready;
      const atOnce = new SpatialIndex(x, y);
      atOnce.start();
      atOnce.finishNow();
      for (const [how, index] of [['in slices between tasks', sliced], ['started, then finished at once (an interaction)', atOnce]] as const) {
        assert.ok(index.done, `${name}, ${how}`);
        assertKdTree(index.buffer, x, y, `${name}, ${how}`);
        const tree = KDBush.from(index.buffer);
        for (let query = 0; query < 300; query++) {
          const [qx, qy, radius] = [random() * 4, random() * 2 - 1, random() * 0.2];
          const sorted = (ids: number[]) => ids.sort((a, b) => a - b);
          assert.deepEqual(sorted(tree.within(qx, qy, radius)), sorted(reference.within(qx, qy, radius)), `${name}, ${how}: points within ${radius} of (${qx}, ${qy})`);
        }
      }
    }
  });
});

/** KDBush 4's layout (8-byte header, 16- or 32-bit ids, Float64 coordinates, 64 points a node): every range split at its middle, on x and y by turns, ids a permutation carrying their points. */
function assertKdTree(buffer: ArrayBuffer, x: Float32Array, y: Float32Array, label: string): void {
  const count = x.length;
  const idBytes = count < 65_536 ? 2 : 4;
  const ids = idBytes === 2 ? new Uint16Array(buffer, 8, count) : new Uint32Array(buffer, 8, count);
  const coords = new Float64Array(buffer, 8 + count * idBytes + ((8 - ((count * idBytes) % 8)) % 8), 2 * count);
  const seen = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    seen[ids[i]!] = 1;
    assert.ok(coords[2 * i] === x[ids[i]!] && coords[2 * i + 1] === y[ids[i]!], `${label}: item ${i} carries its point`);
  }
  assert.ok(seen.every((flag) => flag === 1), `${label}: every point once`);
  const ranges = [[0, count - 1, 0]];
  while (ranges.length > 0) {
    const [left, right, axis] = ranges.pop()!;
    if (right! - left! <= 64) continue;
    const middle = (left! + right!) >> 1;
    const split = coords[2 * middle + axis!]!;
    for (let i = left!; i < middle; i++) assert.ok(coords[2 * i + axis!]! <= split, `${label}: item ${i} left of the split at ${middle}`);
    for (let i = middle + 1; i <= right!; i++) assert.ok(coords[2 * i + axis!]! >= split, `${label}: item ${i} right of the split at ${middle}`);
    ranges.push([left!, middle - 1, 1 - axis!], [middle + 1, right!, 1 - axis!]);
  }
}
