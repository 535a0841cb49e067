/**
 * Latent Lab in a real VS Code workbench: code-server (offline, see ENVIRONMENT.md) driven by
 * Debian's Chromium, with the extension installed from its .vsix by code-server. Commands from the palette, the New Experiment quick picks, a real training
 * run on the engine, the explorer's latent map and interpolation in the webview, and the panel
 * restored by the serializer after a window reload.
 *
 * Fails in one line naming what is missing when code-server cannot be provisioned
 * (scripts/e2e/setup-code-server.sh, run by `npm test`'s provisioning); it never skips. Screenshots,
 * the browser console and the workbench's logs land in test-artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { ensureBuilt, provision, type Provisioned, removeWorkbench, startWorkbench, type Workbench } from './support/codeServer';
import {
  answerInputBox,
  artifactDir,
  ConsoleLog,
  findFrame,
  findLatentLabFrame,
  openFile,
  pickQuickPickItem,
  runCommand,
  screenshot,
  waitForNotification,
  waitForWorkbench,
} from './support/workbench';
import { launchChromium } from '../support/chromium';
import { writeLatentMapNotebook } from './support/notebook';

const SAMPLE_COUNT = 5_000;
let provisioned: Provisioned | undefined;
let workbench: Workbench | undefined;
let browser: Browser | undefined;
let consoleLog: ConsoleLog | undefined;

before(
  async () => {
    rmSync(artifactDir, { recursive: true, force: true });
    mkdirSync(artifactDir, { recursive: true });
    // Cached: a second or so once provisioned; a cold run downloads code-server (minutes).
    const result = await provision(15 * 60_000);
    if ('problem' in result) throw new Error(`code-server could not be provisioned: ${result.problem}; run 'bash scripts/provision-tests.sh'`);
    provisioned = result;
    console.log(`e2e: code-server ${result.codeServerVersion} on Node ${result.nodeVersion} (${result.codeServer}), Chromium ${result.chromium}`);
    if (await ensureBuilt()) console.log('e2e: dist/ was missing or older than src/: rebuilt it (npm run build)');
  },
  { timeout: 16 * 60_000 },
);

after(async () => {
  await browser?.close().catch(() => undefined);
  if (workbench) {
    await workbench.stop();
    collectLogs(workbench);
    if (!process.env.LATENT_LAB_E2E_KEEP) removeWorkbench(workbench);
  }
});

test('Latent Lab in a real VS Code workbench (code-server + Chromium)', { timeout: 240_000 }, async (t) => {
  assert.ok(provisioned, 'code-server was not provisioned (see the before hook)');
  workbench = await startWorkbench(provisioned);
  browser = await launchChromium({ executablePath: provisioned.chromium });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  consoleLog = new ConsoleLog(page);
  const steps = new Steps(t, page);

  await steps.run('the workbench opens with Latent Lab installed', async () => {
    const started = Date.now();
    await page.goto(workbench!.url);
    await waitForWorkbench(page);
    console.log(`e2e: workbench up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await screenshot(page, '01-workbench');
    // VS Code says why it did not load an extension only in the server's log.
    const folder = path.basename(workbench!.extensionDir);
    const refused = workbench!.serverLogs(/remoteagent|exthost/).split('\n').find((line) => line.includes(folder) && /\[error\]/.test(line));
    assert.equal(refused, undefined, `VS Code did not load the extension: ${refused?.replace(/^.*\[error\]\s*/, '')}`);
  });

  await steps.run('Show Engine Info reports the backend', async () => {
    await runCommand(page, 'Latent Lab: Show Engine Info');
    // The first request forks the engine and loads tfjs (native binding or fallback).
    const text = await waitForNotification(page, /Latent Lab engine: backend/, 60_000);
    console.log(`e2e: ${text.trim()}`);
    assert.match(text, /backend (tensorflow|wasm|cpu)/);
    if (process.env.LATENT_LAB_REQUIRE_NATIVE === '1') assert.match(text, /backend tensorflow \(native\)/, 'LATENT_LAB_REQUIRE_NATIVE=1 but the engine in the workbench is not on the native backend');
    await screenshot(page, '02-engine-info');
  });

  let trainingFrame: Frame | undefined;
  await steps.run('New Experiment: VAE on the bundled sample, latent 2, 2 epochs, trains', async () => {
    await runCommand(page, 'Latent Lab: New Experiment');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'model kind' }).waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, '03-new-experiment-kind');
    await pickQuickPickItem(page, 'model kind', 'VAE');
    await pickQuickPickItem(page, 'dataset', 'Bundled sample');
    await answerInputBox(page, 'latent size', '2');
    await answerInputBox(page, 'epochs', '2');

    trainingFrame = await findLatentLabFrame(page, { header: /training/i, timeoutMs: 30_000 });
    await page.locator('.tabs-container .tab', { hasText: 'Training vae' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await trainingFrame.locator('.training-view').waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, '04-training');

    const done = await waitForNotification(page, /Latent Lab: (vae (completed|stopped|diverged)|training failed)/, 150_000);
    console.log(`e2e: ${done.trim()}`);
    assert.match(done, /vae completed/, `training did not complete: ${done.trim()}`);
    const outcome = trainingFrame.locator('.training-outcome .outcome');
    await outcome.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await outcome.textContent()) ?? '', /completed after 2 epochs/);
    await screenshot(page, '05-trained');
  });

  let explorer: Frame | undefined;
  let restoredMap: { frame: Frame; png: PNG } | undefined;
  await steps.run('the explorer shows the latent map with every point drawn', async () => {
    assert.ok(trainingFrame, 'no training panel');
    await trainingFrame.locator('vscode-button', { hasText: 'Explore this model' }).click();
    explorer = await findLatentLabFrame(page, { header: /2-d latent/, timeoutMs: 60_000 });
    await expectMapDrawn(page, explorer, '06-latent-map');
  });

  await steps.run('interpolation: two points, the slider changes the decoded image', async () => {
    assert.ok(explorer, 'no explorer panel');
    await explorer.locator('vscode-tab-header[data-view="interpolation"]').click();
    const view = explorer.locator('.interpolation-view');
    await view.waitFor({ state: 'visible', timeout: 10_000 });
    // Samples 1 and 3 of the bundled set are a 0 and a 1, the classes a 2-d VAE puts furthest
    // apart, so their decodings differ even after two epochs.
    await typeIndex(explorer, 'A', '1');
    await typeIndex(explorer, 'B', '3');
    await view.locator('.strip figure.step canvas').first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await view.locator('.strip figure.step canvas').count(), 10, 'the strip shows the default 10 steps');
    await view.locator('.live-frame canvas').waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, '07-interpolation');

    const slider = view.locator('input[type="range"][aria-label="t"]');
    await dragSlider(page, slider, 0);
    await view.locator('.live-frame figcaption', { hasText: 't = 0.00' }).waitFor({ timeout: 15_000 });
    const atStart = await canvasGrey(view.locator('.live-frame canvas'));
    await screenshot(page, '08-slider-t0');
    await dragSlider(page, slider, 1);
    await view.locator('.live-frame figcaption', { hasText: 't = 1.00' }).waitFor({ timeout: 15_000 });
    const atEnd = await canvasGrey(view.locator('.live-frame canvas'));
    await screenshot(page, '09-slider-t1');

    assert.equal(atStart.length, atEnd.length);
    assert.ok(atStart.length >= 28 * 28, `the live frame is an image (${atStart.length} pixels)`);
    const moved = compare(atStart, atEnd);
    console.log(`e2e: dragging t from 0 to 1 changed ${moved.changed} of ${atStart.length} pixels of the decoded image (largest change ${moved.largest} grey levels)`);
    // Two epochs leave the decoder close to the mean digit, so the change is small but real; a
    // slider that decoded nothing new would leave every pixel as it was.
    assert.ok(moved.changed >= 20, `the decoded image should change along the path (${moved.changed} pixels changed, largest change ${moved.largest})`);
    // The live frame decodes the same latents as the strip's ends (t = 0 and t = 1).
    const steps = view.locator('.strip figure.step canvas');
    const first = compare(atStart, await canvasGrey(steps.first()));
    const last = compare(atEnd, await canvasGrey(steps.last()));
    assert.ok(first.largest <= 1 && last.largest <= 1, `the live frame matches the strip's ends (largest differences ${first.largest} at t = 0, ${last.largest} at t = 1)`);
  });

  await steps.run('after Reload Window the explorer panel is restored with its points', async () => {
    const reloaded = page.waitForEvent('load', { timeout: 30_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await waitForWorkbench(page);
    const restored = await findLatentLabFrame(page, { header: /2-d latent/, timeoutMs: 60_000 });
    await restored.locator('vscode-tabs').waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, '10-restored');
    // The webview's saved state brings back the tab and the picks, not only the checkpoint.
    const { selected, interpolation } = await restored.locator('vscode-tabs').evaluate((tabs) => ({
      selected: (tabs as HTMLElement & { selectedIndex: number }).selectedIndex,
      interpolation: Array.from(tabs.querySelectorAll('vscode-tab-header'), (header) => header.getAttribute('data-view')).indexOf('interpolation'),
    }));
    console.log(`e2e: restored panel selected tab index ${selected} (interpolation is ${interpolation})`);
    const picks = await restored.locator('.interpolation-view vscode-textfield').evaluateAll((fields) => fields.slice(0, 2).map((field) => (field as HTMLElement & { value: string }).value));
    console.log(`e2e: restored picks ${JSON.stringify(picks)}`);
    await restored.locator('vscode-tab-header[data-view="map"]').click();
    restoredMap = { frame: restored, png: await expectMapDrawn(page, restored, '11-restored-map', 2) };
    assert.ok(interpolation > 0);
    assert.equal(selected, interpolation, 'the restored panel reopens on the tab that was selected (interpolation)');
    assert.deepEqual(picks, ['1', '3'], 'the restored panel keeps the picked points');
  });

  await steps.run('the picked points A and B are visible on the map', async () => {
    assert.ok(restoredMap, 'no restored map');
    // The picks are drawn in the accent color (the theme's focus border), which no label color is near.
    const accent = await restoredMap.frame.locator('.map-view .map-pick').first().evaluate((mark) => getComputedStyle(mark).color.match(/\d+/g)?.slice(0, 3).map(Number) ?? []);
    assert.equal(accent.length, 3, 'the picked-point marks have a color');
    let marked = 0;
    const { png } = restoredMap;
    for (let i = 0; i < png.data.length; i += 4) {
      if (Math.hypot(png.data[i]! - accent[0]!, png.data[i + 1]! - accent[1]!, png.data[i + 2]! - accent[2]!) < 40) marked++;
    }
    console.log(`e2e: ${marked} pixels of the map in the picks' color rgb(${accent.join(', ')})`);
    assert.ok(marked >= 30, `the A and B marks are not visible: ${marked} pixels in their color rgb(${accent.join(', ')})`);
  });

  await steps.run('a notebook output of the Latent Lab MIME type shows the interactive latent map', async () => {
    const count = writeLatentMapNotebook(path.join(workbench!.workspace, 'latents.ipynb'));
    await openFile(page, 'latents.ipynb');
    const output = await findFrame(page, '.latent-lab-output', 60_000);
    await output.waitForFunction((count) => (document.querySelector('.latent-map-plot') as (HTMLElement & { latentMap?: { count(): number } }) | null)?.latentMap?.count() === count, count, { timeout: 60_000 });
    await screenshot(page, '13-notebook-output');
    const status = (await output.locator('.latent-map-status').textContent()) ?? '';
    console.log(`e2e: notebook output: ${status.trim()}`);
    assert.match(status, new RegExp(count.toLocaleString('en')), 'the output says how many points it shows');
  }, { independent: true });

  await steps.run('deleting the run on disk (as another window would): its open explorer says so and the Runs view drops it', async () => {
    assert.ok(restoredMap, 'no restored explorer');
    const runs = path.join(workbench!.workspace, 'latent-lab-runs');
    const trained = readdirSync(runs).filter((name) => name.startsWith('vae-'));
    assert.equal(trained.length, 1, `one trained run in ${runs}: ${trained.join(', ')}`);
    await runCommand(page, 'Latent Lab: Focus on Runs View');
    const listed = page.locator('.sidebar .monaco-list-row', { hasText: trained[0]! });
    await listed.waitFor({ state: 'visible', timeout: 30_000 });
    rmSync(path.join(runs, trained[0]!), { recursive: true });
    const deleted = restoredMap.frame.locator('.notice-error', { hasText: 'was deleted on disk' });
    await deleted.waitFor({ state: 'attached', timeout: 30_000 });
    console.log(`e2e: ${((await deleted.textContent()) ?? '').trim()}`);
    // The Runs view follows the folder without a refresh.
    await listed.waitFor({ state: 'detached', timeout: 30_000 });
  });

  await steps.run('no errors from Latent Lab in the extension host or the webview', async () => {
    const problems: string[] = [];
    // The extension host's log names the extension by id when activating it fails; the output
    // channel's own log file ("N-Latent Lab.log") is all ours.
    for (const line of workbench!.serverLogs(/exthost/).split('\n')) {
      if (/latent-lab\.latent-lab/.test(line) && /\[error\]|failed/i.test(line)) problems.push(`extension host: ${line.trim()}`);
    }
    for (const line of workbench!.serverLogs(/Latent Lab\.log$/).split('\n')) {
      if (/\[error\]/.test(line)) problems.push(`Latent Lab output: ${line.trim()}`);
    }
    for (const entry of consoleLog!.errors()) {
      if (/webview\.js|latent.?lab/i.test(`${entry.url} ${entry.text}`)) problems.push(`browser console: ${entry.text.split('\n')[0]} (${entry.url})`);
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  }, { independent: true });
});

/** Runs the steps in order; after one fails the rest are skipped (they depend on it). */
class Steps {
  private failed: string | undefined;

  constructor(private readonly t: TestContext, private readonly page: Page) {}

  /** `independent` steps run even after a failure (they check what happened, not build on it). */
  async run(name: string, body: () => Promise<void>, options: { independent?: boolean } = {}): Promise<void> {
    const failed = options.independent ? undefined : this.failed;
    await this.t.test(name, failed ? { skip: `an earlier step failed: ${failed}` } : {}, async () => {
      try {
        await body();
      } catch (error) {
        this.failed = name;
        await screenshot(this.page, `failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
        throw error;
      }
    });
  }
}

/** The map tab: the map draws every sample, the status line says so, and the map has colored pixels. */
async function expectMapDrawn(page: Page, frame: Frame, name: string, picks?: number): Promise<PNG> {
  const map = frame.locator('.map-view .map-plot');
  await map.waitFor({ state: 'visible', timeout: 30_000 });
  const status = frame.locator('footer.status-line');
  await status.filter({ hasText: /points/ }).waitFor({ timeout: 60_000 });
  const statusText = ((await status.textContent()) ?? '').trim();
  console.log(`e2e: status line "${statusText}"`);
  assert.match(statusText, new RegExp(`${SAMPLE_COUNT.toLocaleString('en-US')} points`));
  const traced = await frame.waitForFunction(
    () => {
      const map = document.querySelector('.map-view .map-plot') as (HTMLElement & { latentMap?: { count(): number } }) | null;
      const count = map?.latentMap?.count() ?? 0;
      return count > 0 ? count : false;
    },
    undefined,
    { timeout: 30_000 },
  );
  assert.equal(await traced.jsonValue(), SAMPLE_COUNT, 'the map draws every sample');
  if (picks !== undefined) {
    // The picked samples (A, B) are marked above the points.
    await frame.waitForFunction((picks) => document.querySelectorAll('.map-view .map-pick').length === picks, picks, { timeout: 10_000 }).catch(() => undefined);
    const marked = await frame.locator('.map-view .map-pick').allTextContents();
    console.log(`e2e: the map marks ${marked.length} picked points ${JSON.stringify(marked)}`);
    assert.equal(marked.length, picks, 'the map marks the picked points');
  }
  // Marks follow the camera a frame later; give it a moment, then look at the picture itself.
  await page.waitForTimeout(500);
  await screenshot(page, name);
  const png = PNG.sync.read(await map.screenshot({ path: path.join(artifactDir, `${name}-plot.png`) }));
  let colored = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const r = png.data[i]!;
    const g = png.data[i + 1]!;
    const b = png.data[i + 2]!;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colored++;
  }
  console.log(`e2e: ${colored} colored pixels in the ${png.width}×${png.height} map`);
  assert.ok(colored > 1_000, `the map should show colored points (${colored} colored pixels)`);
  return png;
}

async function typeIndex(frame: Frame, label: string, value: string): Promise<void> {
  const input = frame.locator(`.interpolation-view vscode-textfield[aria-label="${label}"] input`);
  await input.fill(value);
  // The field commits on change (Enter or leaving it).
  await input.press('Enter');
  await input.press('Tab');
}

/** Drags the range input's thumb with the mouse to one end (0: left, 1: right). */
async function dragSlider(page: Page, slider: ReturnType<Frame['locator']>, to: 0 | 1): Promise<void> {
  const box = await slider.boundingBox();
  assert.ok(box, 'the interpolation slider has no box');
  const value = Number(await slider.inputValue());
  const y = box.y + box.height / 2;
  const x = (fraction: number) => box.x + 8 + fraction * (box.width - 16);
  await page.mouse.move(x(value), y);
  await page.mouse.down();
  await page.mouse.move(x(to === 0 ? -0.2 : 1.2), y, { steps: 12 });
  await page.mouse.up();
}

/** A decoded image's grey levels (the red channel of its 2-D canvas, at the canvas's native size). */
async function canvasGrey(canvas: ReturnType<Frame['locator']>): Promise<number[]> {
  return canvas.evaluate((element) => {
    const target = element as HTMLCanvasElement;
    const data = target.getContext('2d')!.getImageData(0, 0, target.width, target.height).data;
    const grey: number[] = [];
    for (let i = 0; i < data.length; i += 4) grey.push(data[i]!);
    return grey;
  });
}

function compare(a: number[], b: number[]): { changed: number; largest: number } {
  assert.equal(a.length, b.length, 'images of different sizes');
  let changed = 0;
  let largest = 0;
  for (let i = 0; i < a.length; i++) {
    const difference = Math.abs(a[i]! - b[i]!);
    if (difference > 0) changed++;
    largest = Math.max(largest, difference);
  }
  return { changed, largest };
}

function collectLogs(bench: Workbench): void {
  mkdirSync(artifactDir, { recursive: true });
  const logs = path.join(bench.userDataDir, 'logs');
  if (existsSync(logs)) cpSync(logs, path.join(artifactDir, 'logs'), { recursive: true });
  writeFileSync(path.join(artifactDir, 'code-server.log'), bench.output());
  consoleLog?.save(path.join(artifactDir, 'browser-console.log'));
}
