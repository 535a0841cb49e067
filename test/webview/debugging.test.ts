/**
 * The explorer's debugging tabs (issue #16) in real Chromium against a real in-process engine: the
 * worst-reconstructed samples of a k-sparse checkpoint, prior samples of a VAE and a VQ-VAE, and the
 * unit health a β-VAE recorded while its dims collapsed — extended live as the run resumes — and a
 * run that recorded none. Each tab is also shot in light, dark and high-contrast themes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadBackend } from '../../src/engine/backend';
import { createHandlers } from '../../src/engine/handlers';
import { runTraining } from '../../src/engine/training/runTraining';
import type { ResultOf, Session, TrainParams } from '../../src/shared/protocol';
import type { RequestContext } from '../../src/shared/rpc';
import { launchChromium } from '../support/chromium';
import { checkpointSpecs, trainCheckpoint } from './harness/checkpoints';
import { canvasPixels, choose, eventually, mapMarks, mapProjection, openTab, typeInto, waitFor, waitForMap, waitForPixelsToChange } from './harness/pageQueries';
import { closeClean, openPanel, type Panel } from './harness/panel';
import { shootThemes } from './harness/themes';
import { HarnessServer } from './harness/server';

const SAMPLE_COUNT = 5000;
/** Few probes keep the recorded timeline small; its unit health is measured on them. */
const PROBES = 200;

const specs = {
  ksparse: { ...checkpointSpecs.ksparse, timelineProbes: PROBES },
  vae2d: { ...checkpointSpecs.vae2d, timelineProbes: PROBES },
  vqvae: { ...checkpointSpecs.vqvae, timelineProbes: PROBES },
  // A β this high pays more for KL than most dims are worth to the reconstruction: they collapse.
  collapsing: { ...checkpointSpecs.vae2d, model: 'betavae', latentDim: 6, epochs: 3, config: { encoder: 'dense', hidden: [32], beta: 20 }, timelineProbes: PROBES },
  untracked: { ...checkpointSpecs.ae16, timelineProbes: 0 },
} satisfies Record<string, Omit<TrainParams, 'out'>>;
type Name = keyof typeof specs;

const context = (): RequestContext => ({ signal: new AbortController().signal, emit: () => undefined });

/** The rule the Unit health tab states: the first epoch from which a dim's KL stays below 0.01 nats. */
function collapseEpochs(timeline: ResultOf<'timeline'>, dims: number): Map<number, number> {
  const deaths = new Map<number, number>();
  const epochs = Array.from(timeline.epochs);
  for (let dim = 0; dim < dims; dim++) {
    let died: number | undefined;
    for (let row = epochs.length - 1; row >= 0 && timeline.klPerDim![row * dims + dim]! < 0.01; row--) died = epochs[row];
    if (died !== undefined) deaths.set(dim, died);
  }
  return deaths;
}

describe('debugging tabs', () => {
  let browser: Browser;
  let server: HarnessServer;
  let handlers: ReturnType<typeof createHandlers>;
  let dir: string;
  const folders = {} as Record<Name, string>;

  before(async () => {
    server = new HarnessServer();
    dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-debugging-'));
    browser = await launchChromium();
    await server.start();
    for (const name of Object.keys(specs) as Name[]) folders[name] = await trainCheckpoint(specs[name], path.join(dir, name));
    handlers = createHandlers();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Explores a checkpoint in a panel that is closed whatever happens, and checked clean when the body passed. */
  async function explore(name: Name, body: (panel: Panel) => Promise<void>): Promise<void> {
    const panel = await openPanel(browser, server, handlers, { view: 'explore', checkpoint: folders[name] });
    try {
      await waitForMap(panel.page, SAMPLE_COUNT);
      await body(panel);
    } catch (error) {
      await panel.close();
      throw error;
    }
    await closeClean(panel);
  }

  /** A session of the engine's own, to check the page against what the engine answers. */
  async function withSession<T>(name: Name, use: (session: Session) => Promise<T>): Promise<T> {
    const session = await handlers.openSession({ checkpoint: folders[name] }, context());
    try {
      return await use(session);
    } finally {
      await handlers.closeSession({ sessionId: session.sessionId }, context());
    }
  }

  /** The table's rows as shown: sample index, label text and the atoms cell. */
  function tableRows(page: Page): Promise<{ index: number; label: string; units: string }[]> {
    return page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLTableRowElement>('.worst-row'), (row) => ({
        index: Number(row.dataset.index),
        label: row.cells[2]!.textContent ?? '',
        units: row.querySelector('.units')?.textContent ?? '',
      })),
    );
  }

  test('worst samples: sorted by error, filtered by class, a row picks its sample on the map', async () => {
    const errors = await withSession('ksparse', async (session) => ({ values: session.reconstructionError!, labels: session.labels! }));
    await explore('ksparse', async ({ page, host }) => {
      await openTab(page, 'worst');
      await waitFor(page, () => document.querySelectorAll('.worst-row canvas').length === 300, undefined, '100 rows of input, reconstruction and difference');
      const rows = await tableRows(page);
      const largest = errors.values.indexOf(Math.max(...errors.values));
      assert.equal(rows[0]!.index, largest, 'the first row is the sample with the largest error');
      for (let i = 1; i < rows.length; i++) assert.ok(errors.values[rows[i - 1]!.index]! >= errors.values[rows[i]!.index]!, `row ${i} is not above row ${i + 1}`);
      assert.ok(rows.every((row) => /^\d+( \d+){0,3}$/.test(row.units)), 'each row lists the (at most k = 4) atoms its sample used');
      assert.equal(await page.locator('.worst-chart .bars .point').count(), 10, 'a bar of mean error for each of the 10 classes');
      await shootThemes(page, 'worst-samples');

      await page.focus('.worst-more vscode-button');
      await page.keyboard.press('Enter');
      await waitFor(page, () => document.querySelectorAll('.worst-row').length === 200, undefined, 'the next 100 rows');
      await waitFor(page, () => document.activeElement === document.querySelectorAll('.worst-row')[100], undefined, 'the keyboard carrying on at row 101');

      await choose(page, 'Class', '3');
      await waitFor(page, () => Array.from(document.querySelectorAll<HTMLTableRowElement>('.worst-row')).every((row) => row.cells[2]!.textContent === '3'), undefined, 'only class 3');
      const threes = await tableRows(page);
      const worstThree = Array.from(errors.labels.keys()).filter((index) => errors.labels[index] === 3).reduce((best, index) => (errors.values[index]! > errors.values[best]! ? index : best));
      assert.equal(threes[0]!.index, worstThree, 'the filtered table starts at the worst 3');
      assert.equal(threes.length, Math.min(100, errors.labels.filter((label) => label === 3).length));

      const picked = threes[1]!.index;
      await page.locator('.worst-row').nth(1).focus();
      await page.keyboard.press('Enter');
      await waitFor(page, () => !document.querySelector('vscode-tab-panel[data-view="map"]')?.hasAttribute('hidden'), undefined, 'the map tab');
      await eventually(() => (host.state as { picks: number[] }).picks.at(-1) === picked, 'the row picked in the saved state');
      await waitFor(page, (picked) => (document.querySelector('.map-plot') as unknown as { latentMap: { picks(): number[] } }).latentMap.picks().includes(picked), picked, 'the pick on the map');
      assert.equal((await mapMarks(page)).picks.at(-1), picked);
    });
  });

  test('prior samples: an 8×8 grid, reseeding draws another, the same seed the same one; a VQ-VAE draws codes', async () => {
    await explore('vae2d', async ({ page }) => {
      await openTab(page, 'prior');
      await waitFor(page, () => document.querySelector('canvas.prior-grid') !== null, undefined, 'the prior grid');
      assert.deepEqual(await page.evaluate(() => [document.querySelector<HTMLCanvasElement>('canvas.prior-grid')!.width, document.querySelector<HTMLCanvasElement>('canvas.prior-grid')!.height]), [8 * 28, 8 * 28], '64 samples of 28×28');
      assert.match((await page.textContent('.prior figcaption')) ?? '', /^64 samples, z ~ N\(0, 1\.00²·I\), seed 1$/);
      const first = await canvasPixels(page, 'canvas.prior-grid');
      await shootThemes(page, 'prior-samples');

      await page.click('vscode-button:has-text("Reseed")');
      await waitForPixelsToChange(page, 'canvas.prior-grid', first, 'a reseeded grid');
      const seed = /seed (\d+)$/.exec((await page.textContent('.prior figcaption')) ?? '')![1]!;
      assert.notEqual(seed, '1');
      const reseeded = await canvasPixels(page, 'canvas.prior-grid');

      await typeInto(page, 'Seed', '1');
      await waitFor(page, (first) => document.querySelector<HTMLCanvasElement>('canvas.prior-grid')?.toDataURL() === first, first[0]!, 'the seed-1 grid again');
      await typeInto(page, 'Seed', seed);
      await waitFor(page, (reseeded) => document.querySelector<HTMLCanvasElement>('canvas.prior-grid')?.toDataURL() === reseeded, reseeded[0]!, 'the reseeded grid again');

      await page.focus('.prior-view input[type=range]');
      await page.keyboard.press('Home');
      await waitFor(page, () => /N\(0, 0\.00²·I\)/.test(document.querySelector('.prior figcaption')?.textContent ?? ''), undefined, 'temperature 0');
      await typeInto(page, 'Seed', 'seven');
      await waitFor(page, () => /"seven" is not a seed/.test(document.querySelector('.prior-view .view-message')?.textContent ?? ''), undefined, 'a one-line error');
    });

    await explore('vqvae', async ({ page }) => {
      await openTab(page, 'prior');
      await waitFor(page, () => document.querySelector('canvas.prior-grid') !== null, undefined, 'the VQ-VAE prior grid');
      assert.match((await page.textContent('.prior-view .toolbar')) ?? '', /uniformly random code/);
      assert.equal(await page.locator('.prior-view input[type=range]').count(), 0, 'no temperature for codes');
    });
  });

  test('unit health: collapsed β-VAE dims marked where their KL fell, a dim opens in Traversal, live epochs extend it', async () => {
    const { timeline, dims } = await withSession('collapsing', async (session) => ({ timeline: await handlers.timeline({ sessionId: session.sessionId }, context()), dims: session.latentDim }));
    const expected = collapseEpochs(timeline, dims);
    assert.ok(expected.size > 0, `β = 20 collapses a dim (KL per dim: ${Array.from(timeline.klPerDim!).map((kl) => kl.toFixed(3)).join(' ')})`);
    await explore('collapsing', async ({ page, host }) => {
      await openTab(page, 'health');
      const plot = '.health-section[data-field="klPerDim"] .health-plot';
      await waitFor(page, (plot) => ((document.querySelector(plot) as unknown as { data?: unknown[] } | null)?.data?.length ?? 0) === 2, plot, 'the KL heatmap');
      const marks = await page.evaluate((plot) => {
        const [, deaths] = (document.querySelector(plot) as unknown as { data: { x: number[]; y: number[] }[] }).data;
        return deaths!.y.map((dim, i) => [dim, deaths!.x[i]!] as [number, number]);
      }, plot);
      assert.deepEqual(new Map(marks), expected, 'each collapsed dim is marked at the epoch its KL fell below 0.01 nats for good');
      assert.match((await page.textContent('.health-section[data-field="klPerDim"]')) ?? '', /stays below 0\.01 nats/, 'the rule is stated');
      await shootThemes(page, 'unit-health');

      const lastEpoch = timeline.epochs.at(-1)!;
      await eventually(() => host.requests.some((request) => request.method === 'timeline' && (request.params as { after?: number }).after === lastEpoch), 'a poll for epochs after the last');
      await runTraining(await loadBackend(), { ...specs.collapsing, epochs: specs.collapsing.epochs + 1, out: folders.collapsing, resume: true });
      await waitFor(page, ({ plot, epoch }) => (document.querySelector(plot) as unknown as { data: { x: number[] }[] }).data[0]!.x.includes(epoch), { plot, epoch: lastEpoch + 1 }, 'the resumed epoch in the heatmap');

      const [dim] = [...expected.keys()];
      await page.click(`.health-dead vscode-button[data-unit="${dim}"]`);
      await waitFor(page, (dim) => (document.activeElement as HTMLElement | null)?.dataset.dim === String(dim), dim, `the z${dim} slider focused in Traversal`);
      assert.ok(await page.locator('vscode-tab-panel[data-view="traversal"]').isVisible());

      const polls = () => host.requests.filter((request) => request.method === 'timeline').length;
      const hiddenAt = polls();
      await page.waitForTimeout(4500);
      assert.ok(polls() <= hiddenAt + 1, 'no polling while the tab is hidden');
    });
  });

  test('unit health of units and codes: activation frequency of a k-sparse run, code usage of a VQ-VAE whose row opens the code in Features', async () => {
    await explore('ksparse', async ({ page }) => {
      await openTab(page, 'health');
      const plot = '.health-section[data-field="unitFrequency"] .health-plot';
      await waitFor(page, (plot) => ((document.querySelector(plot) as unknown as { data?: { y: number[] }[] } | null)?.data?.[0]?.y.length ?? 0) === 32, plot, 'a frequency row for each of the 32 atoms');
      assert.equal(await page.locator('.health-section').count(), 1, 'a k-sparse run records no KL and no code usage');
      await shootThemes(page, 'unit-health-ksparse');
    });
    await explore('vqvae', async ({ page }) => {
      await openTab(page, 'health');
      const plot = '.health-section[data-field="codeUsage"] .health-plot';
      await waitFor(page, (plot) => ((document.querySelector(plot) as unknown as { data?: { y: number[] }[] } | null)?.data?.[0]?.y.length ?? 0) === 8, plot, 'a usage row for each of the 8 codes');
      const code = 2;
      const at = await page.evaluate(
        ({ plot, code }) => {
          const element = document.querySelector(plot) as unknown as HTMLElement & { data: { x: number[] }[]; _fullLayout: { xaxis: PlotAxis; yaxis: PlotAxis } };
          const { xaxis, yaxis } = element._fullLayout;
          const box = element.getBoundingClientRect();
          return { x: box.left + xaxis._offset + xaxis.l2p(element.data[0]!.x.at(-1)!), y: box.top + yaxis._offset + yaxis.l2p(code) };
          interface PlotAxis {
            _offset: number;
            l2p(value: number): number;
          }
        },
        { plot, code },
      );
      await page.mouse.move(at.x, at.y, { steps: 3 });
      // Plotly clicks what it last hovered, and it throttles hover.
      await page.waitForTimeout(300);
      await page.mouse.click(at.x, at.y);
      await waitFor(page, (code) => document.querySelector('.feature-detail h3')?.textContent === `Top samples for code #${code}`, code, `the Features tab showing code ${code}`);
      assert.ok(await page.locator('vscode-tab-panel[data-view="features"]').isVisible());
    });
  });

  test('timeline: the scrubber moves the probes to each epoch\'s layout, play runs to the last, a live run adds its epoch', async () => {
    const served = await withSession('vae2d', (session) => handlers.timeline({ sessionId: session.sessionId }, context()));
    const probes = served.probes.length;
    const layout = (epoch: number) => Array.from(served.coordinates.subarray(epoch * probes * 2, (epoch + 1) * probes * 2));
    await explore('vae2d', async ({ page }) => {
      await openTab(page, 'timeline');
      const map = '.timeline-view .map-plot';
      const shown = async () => {
        const projection = await mapProjection(page, map);
        return projection && projection.x.flatMap((x, i) => [x, projection.y[i]!]);
      };
      const captionIs = (text: string, what: string) => waitFor(page, (text) => document.querySelector('.timeline-view .slider-value')?.textContent === text, text, what);
      await captionIs('epoch 2 of 2', 'the last epoch shown first');
      // The page's session lays the epochs out anew: the same layout to float32 rounding.
      const near = (a: number[] | undefined, b: number[]) => a !== undefined && a.length === b.length && a.every((value, i) => Math.abs(value - b[i]!) < 1e-4);
      // The caption moves at once; the map takes the newest epoch once it has finished drawing the one before.
      const showsLayout = async (epoch: number, what: string) => {
        const deadline = Date.now() + 30_000;
        while (!near(await shown(), layout(epoch))) {
          if (Date.now() > deadline) assert.fail(what);
          await page.waitForTimeout(50);
        }
      };
      await showsLayout(1, 'the map shows the engine\'s layout of epoch 2');
      const before = await page.evaluate((map) => Array.from(document.querySelectorAll<HTMLCanvasElement>(`${map} canvas`), (canvas) => canvas.toDataURL()), map);
      await page.focus('.timeline-view input[type="range"]');
      await page.keyboard.press('Home');
      await captionIs('epoch 1 of 2', 'the scrubber at epoch 1');
      await showsLayout(0, 'the probes moved to epoch 1\'s layout');
      await waitForPixelsToChange(page, `${map} canvas`, before, 'the map redrawn at epoch 1');

      await page.click('.timeline-view vscode-button');
      await waitFor(page, () => document.querySelector('.timeline-view .slider-value')?.textContent === 'epoch 2 of 2' && document.querySelector('.timeline-view vscode-button')?.textContent === 'Play', undefined, 'play running to the last epoch and stopping');
      await showsLayout(1, 'play ends on epoch 2\'s layout');
      await shootThemes(page, 'timeline');

      await runTraining(await loadBackend(), { ...specs.vae2d, epochs: 3, out: folders.vae2d, resume: true });
      await captionIs('epoch 3 of 3', 'the resumed run\'s epoch added live and shown');
    });
  });

  test('unit health says why when the run recorded no timeline; prior samples say why a plain autoencoder has none', async () => {
    await explore('untracked', async ({ page }) => {
      await openTab(page, 'health');
      await waitFor(page, () => /records no latent timeline/.test(document.querySelector('.health-view')?.textContent ?? ''), undefined, 'the reason');
      await shootThemes(page, 'unit-health-none');
      await openTab(page, 'prior');
      assert.match((await page.textContent('.prior-view')) ?? '', /learned no prior/);
    });
  });
});
