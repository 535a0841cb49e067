/**
 * The README's picture of the explorer: a checkpoint trained on the bundled sample (the quick
 * start's) opened in the real explorer page — Debian's Chromium, the webview test harness, an
 * in-process engine — with two picked digits, saved as the map above the interpolation strip between
 * them. Needs `npm run build` first (the harness serves dist/).
 * Usage: node --import tsx scripts/readme-screenshot.ts <checkpoint folder> [out.png]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { loadBackend } from '../src/engine/backend';
import { loadDataset } from '../src/engine/data/loadDataset';
import { createHandlers } from '../src/engine/handlers';
import { encodeAll } from '../src/engine/models/encodeAll';
import { openCheckpoint } from '../src/engine/models/openCheckpoint';
import { launchChromium } from '../test/support/chromium';
import { closeClean, openPanel } from '../test/webview/harness/panel';
import { openTab, typeInto, waitFor, waitForMap } from '../test/webview/harness/pageQueries';
import { HarnessServer } from '../test/webview/harness/server';

const [checkpoint, out = 'media/readme/explorer.png'] = process.argv.slice(2);
/** The page's padding, kept around the strip placed under the map. */
const MARGIN = 16;
/** The bundled sample's digits, all of which the explorer maps. */
const SAMPLE_COUNT = 5000;

/**
 * The two samples nearest to their digit's mean latent, for the two digits whose means lie furthest
 * apart: typical digits at both ends, and a path that crosses other digits' clusters between them.
 */
async function typicalPair(folder: string): Promise<[number, number]> {
  const { tf } = await loadBackend();
  const { model } = await openCheckpoint(tf, folder);
  const data = await loadDataset('sample');
  const latents = await encodeAll(tf, model, data.x, data.shape);
  const dims = model.latentDim;
  model.dispose();
  const labels = data.labels!;
  const point = (index: number) => latents.subarray(index * dims, (index + 1) * dims);
  const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (value, dim) => value - b[dim]!));
  const groups = [...new Set(labels)].map((digit) =>
    labels.reduce<number[]>((members, label, index) => {
      if (label === digit) members.push(index);
      return members;
    }, []),
  );
  const means = groups.map((members) => Array.from({ length: dims }, (_, dim) => members.reduce((sum, index) => sum + point(index)[dim]!, 0) / members.length));
  let ends: [number, number] = [0, 1];
  for (let a = 0; a < groups.length; a++) {
    for (let b = a + 1; b < groups.length; b++) if (distance(means[a]!, means[b]!) > distance(means[ends[0]]!, means[ends[1]]!)) ends = [a, b];
  }
  return ends.map((group) => groups[group]!.reduce((best, index) => (distance(point(index), means[group]!) < distance(point(best), means[group]!) ? index : best))) as [number, number];
}

async function main(): Promise<void> {
  if (!checkpoint) throw new Error('usage: node --import tsx scripts/readme-screenshot.ts <checkpoint folder> [out.png]');
  const picks = await typicalPair(checkpoint);
  const server = new HarnessServer();
  const browser = await launchChromium();
  try {
    await server.start();
    const panel = await openPanel(browser, server, createHandlers(), { view: 'explore', checkpoint: path.resolve(checkpoint) });
    const { page } = panel;
    // Smaller than the harness's window: the README shows it at its width, and the file stays small.
    await page.setViewportSize({ width: 1080, height: 700 });
    await waitForMap(page, SAMPLE_COUNT);
    await openTab(page, 'interpolation');
    await typeInto(page, 'A', String(picks[0]));
    await typeInto(page, 'B', String(picks[1]));
    await waitFor(page, () => document.querySelectorAll('.strip .step canvas').length === 10, undefined, 'the interpolation strip');
    const strip = PNG.sync.read(await page.locator('.strip').screenshot());
    await openTab(page, 'map');
    await waitFor(page, () => (document.querySelector('.map-plot') as unknown as { data: { x: unknown[] }[] }).data[2]!.x.length === 2, undefined, 'the picks on the map');
    const map = PNG.sync.read(await page.screenshot());
    await closeClean(panel);

    const picture = new PNG({ width: map.width, height: map.height + strip.height + MARGIN });
    // The page's own background (--vscode-editor-background), opaque, around the strip.
    for (let offset = 0; offset < picture.data.length; offset += 4) picture.data.set([0x1f, 0x1f, 0x1f, 0xff], offset);
    PNG.bitblt(map, picture, 0, 0, map.width, map.height, 0, 0);
    PNG.bitblt(strip, picture, 0, 0, Math.min(strip.width, map.width - MARGIN), strip.height, MARGIN, map.height);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, PNG.sync.write(picture));
    console.log(`${out}: picks #${picks[0]} and #${picks[1]}, ${picture.width}×${picture.height}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
