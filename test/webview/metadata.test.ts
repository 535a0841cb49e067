/**
 * Metadata columns on the latent map, in real Chromium against a real engine: a Parquet file pyarrow
 * wrote (test/support/columnarFixtures.ts) with text, integer, float and boolean columns, nulls in
 * each. The map colors by a column, searches a column, shows the hovered point's values, exports
 * them, and keeps the choice over a reload; every check is against what pyarrow wrote.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createHandlers } from '../../src/engine/handlers';
import { launchChromium } from '../support/chromium';
import { type ColumnarReference, makeColumnarFixtures, readColumnarReference } from '../support/columnarFixtures';
import { closeClean, openPanel, screenshot } from './harness/panel';
import { choose, eventually, extremePoints, mapColoring, mapMarks, pointPosition, typeInto, waitFor, waitForMap } from './harness/pageQueries';
import { HarnessServer } from './harness/server';

const ROWS = 300;
const COLUMNS = ['species', 'count', 'score', 'flag', 'label'];
/** NULL_RGB of src/webview/common/render/palette.ts, as the map's inspection spells it. */
const GREY = 'rgb(140, 140, 140)';

/** The rows whose value passes `test`, nulls never. */
function rowsWhere(values: (number | string | null)[], test: (value: number | string) => boolean): number[] {
  return values.flatMap((value, row) => (value !== null && test(value) ? [row] : []));
}

/** The legend beside the map: each entry's name and count. */
function legend(page: Page): Promise<[string, string][]> {
  return page.$$eval('.map-legend .legend-entry', (entries) => entries.map((entry) => [entry.querySelector('.legend-name')!.textContent!, entry.querySelector('.legend-count')!.textContent!] as [string, string]));
}

async function searchFor(page: Page, query: string, described: RegExp): Promise<number[]> {
  await typeInto(page, 'Search', query);
  await waitFor(page, (source) => new RegExp(source).test(document.querySelector('.status-line')?.textContent ?? ''), described.source, `the search ${query}`);
  return (await mapMarks(page)).matches;
}

async function colorBy(page: Page, column: string): Promise<void> {
  await choose(page, 'Color by', `column:${column}`);
  await waitFor(page, (column) => (document.querySelector('.status-line')?.textContent ?? '').includes(`colored by column ${column}`), column, `coloring by ${column}`);
}

describe('metadata on the latent map', { timeout: 600_000 }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let file: string;
  let reference: ColumnarReference;
  const handlers = createHandlers();

  before(async () => {
    server = new HarnessServer();
    const [fixtures] = await Promise.all([makeColumnarFixtures(), server.start()]);
    browser = await launchChromium();
    file = path.join(fixtures, 'list.parquet');
    reference = readColumnarReference(fixtures, 'list');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('color by, search, hover, export and reload with the columns of a Parquet file', async () => {
    const panel = await openPanel(browser, server, handlers, { view: 'latents', latents: file });
    const { page, host } = panel;
    await waitForMap(page, ROWS);
    const { species, score, count } = reference.metadata as Record<string, (number | string | null)[]>;

    const options = await page.$$eval('vscode-single-select[aria-label="Color by"] vscode-option', (all) => all.map((option) => [(option as HTMLElement & { value: string }).value, option.textContent]));
    assert.deepEqual(options.slice(-COLUMNS.length), COLUMNS.map((name) => [`column:${name}`, `column: ${name}`]), 'every metadata column, in file order');
    assert.equal(await page.$eval('vscode-textfield[aria-label="Search"]', (field) => (field as HTMLElement & { placeholder: string }).placeholder), 'label, #index, column:value, column>number');

    // Text: one color per species, most frequent first, and grey for the nulls.
    await colorBy(page, 'species');
    const bySpecies = await mapColoring(page);
    assert.equal(bySpecies.type, 'categorical');
    const names = [...new Set(species!.filter((value) => value !== null))] as string[];
    const countOf = (name: string) => species!.filter((value) => value === name).length;
    const ranked = names.sort((a, b) => countOf(b) - countOf(a) || a.localeCompare(b));
    const nulls = species!.filter((value) => value === null).length;
    assert.ok(nulls > 0, 'the fixture has null species');
    assert.deepEqual(await legend(page), [...ranked.map((name) => [name, String(countOf(name))]), ['(null)', String(nulls)]], 'the legend: each species and its count, then the nulls');
    assert.equal(bySpecies.palette.length, ranked.length + 1);
    assert.equal(bySpecies.palette.at(-1), GREY);
    bySpecies.values.forEach((value, row) => assert.equal(value, species![row] === null ? ranked.length : ranked.indexOf(species![row] as string), `row ${row}`));
    await screenshot(page, 'metadata-species');

    // Search a text column: exact but for case, and a prefix.
    const dogs = rowsWhere(species!, (value) => value === 'dog');
    assert.deepEqual(await searchFor(page, 'species:DOG', new RegExp(`species = "DOG": ${dogs.length} points`)), dogs);
    const prefixed = rowsWhere(species!, (value) => String(value).startsWith('b') || String(value).startsWith('B'));
    assert.deepEqual(await searchFor(page, 'species:b*', /species starts with "b"/), prefixed);
    // A legend entry searches for its species.
    await page.click(`.map-legend button.legend-entry:has-text("${ranked[0]}")`);
    await waitFor(page, (query) => (document.querySelector('vscode-textfield[aria-label="Search"]') as HTMLElement & { value: string }).value === query, `species:${ranked[0]}`, 'the legend click to search');
    await eventually(() => (host.state as { search: string }).search === `species:${ranked[0]}`, 'the search saved');
    assert.deepEqual((await mapMarks(page)).matches, rowsWhere(species!, (value) => value === ranked[0]));

    // Numbers: comparisons against the float32 the column holds; nulls never match.
    const high = rowsWhere(score!, (value) => Math.fround(value as number) > 0.5);
    assert.deepEqual(await searchFor(page, 'score>0.5', new RegExp(`score > 0.5: ${high.length} points`)), high);
    const low = rowsWhere(count!, (value) => (value as number) <= -500);
    assert.deepEqual(await searchFor(page, 'count <= -500', /count <= -500/), low);

    // A query that cannot be read says why, in one line, and matches nothing.
    await typeInto(page, 'Search', 'country:France');
    await waitFor(page, () => /no column "country"/.test(document.querySelector('.search-message .notice-error')?.textContent ?? ''), undefined, 'the unknown column message');
    assert.equal(await page.textContent('.search-message .notice-error'), 'no column "country" — the columns are species, count, score, flag, label; e.g. species:bird');
    assert.deepEqual((await mapMarks(page)).matches, []);
    await screenshot(page, 'metadata-search-problem');
    await typeInto(page, 'Search', 'score>high');
    await waitFor(page, () => /"high" is not a number/.test(document.querySelector('.search-message .notice-error')?.textContent ?? ''), undefined, 'the not-a-number message');
    await typeInto(page, 'Search', '');
    await waitFor(page, () => document.querySelector('.search-message .notice-error') === null, undefined, 'the message to go with the query');

    // Numbers color continuously; the nulls are grey, not the low end.
    await colorBy(page, 'score');
    const byScore = await mapColoring(page);
    assert.equal(byScore.type, 'continuous');
    assert.equal(byScore.palette.at(-1), GREY);
    byScore.values.forEach((value, row) => assert.ok(score![row] === null ? value === 1 : value < 1, `row ${row}: ${value}`));
    const scores = score!.filter((value) => value !== null) as number[];
    const lowest = score!.indexOf(Math.min(...scores));
    assert.equal(byScore.values[lowest], 0, 'the lowest score at the start of the scale');
    assert.deepEqual(await legend(page), [['(null)', String(score!.filter((value) => value === null).length)]], 'the legend names the grey');
    assert.equal(await page.textContent('.map-colorbar-title'), 'score');

    // Hover shows the point's values, nulls as a dash.
    const [left] = await extremePoints(page);
    const at = await pointPosition(page, left);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await waitFor(page, (index) => document.querySelector('.inspector-title')?.textContent?.startsWith(`#${index} `), left, 'the hovered point');
    await screenshot(page, 'metadata-hover');
    const shown = await page.$$eval('.inspector-metadata dt', (terms) => terms.map((term) => [term.textContent, term.nextElementSibling!.textContent]));
    assert.deepEqual(shown.map(([name]) => name), COLUMNS);
    for (const [name, text] of shown) {
      const value = reference.metadata[name!]![left]!;
      if (value === null) assert.equal(text, '—', name!);
      else if (typeof value === 'number') assert.equal(Math.fround(Number(text)), Math.fround(value), name!);
      else assert.equal(text, value, name!);
    }

    // The CSV export carries every column; nulls are empty fields.
    await page.click('vscode-button:has-text("Export CSV")');
    await eventually(() => host.saved.length === 1, 'the CSV export');
    const lines = host.saved[0]!.content.trimEnd().split('\n');
    assert.equal(lines[0], `index,x,y,label,${COLUMNS.join(',')}`);
    assert.equal(lines.length, ROWS + 1);
    lines.slice(1).forEach((line, row) => {
      const fields = line.split(',').slice(4);
      COLUMNS.forEach((name, column) => {
        const value = reference.metadata[name]![row]!;
        const field = fields[column]!;
        if (value === null) assert.equal(field, '', `${name}, row ${row}`);
        else if (typeof value === 'number') assert.equal(Math.fround(Number(field)), Math.fround(value), `${name}, row ${row}`);
        else assert.equal(field, value, `${name}, row ${row}`);
      });
    });

    // The choice survives a reload; a saved column this file lacks falls back to the labels.
    await page.reload();
    await waitFor(page, () => /colored by column score/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'the coloring restored');
    assert.equal(await page.$eval('vscode-single-select[aria-label="Color by"]', (select) => (select as HTMLElement & { value: string }).value), 'column:score');
    host.state = { ...(host.state as object), colorColumn: 'no such column' };
    await page.reload();
    await waitFor(page, () => /colored by label/.test(document.querySelector('.status-line')?.textContent ?? ''), undefined, 'the fallback coloring');
    assert.equal((await mapColoring(page)).type, 'categorical');
    await closeClean(panel);
  });
});
