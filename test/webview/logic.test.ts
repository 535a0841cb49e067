/** The webview's pure logic, in Node: quantiles, interpolation paths, the latest-only scheduler, CSV, compared metrics, metadata search and coloring. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coordinatesCsv } from '../../src/webview/panel/csv';
import { LatestOnly } from '../../src/webview/panel/latestOnly';
import { interpolationPath, lerp, slerp } from '../../src/webview/common/math/interpolate';
import { gaussianGrid, normalQuantile } from '../../src/webview/common/math/normalQuantile';
import { metricRows } from '../../src/webview/panel/views/compare/metricsTable';
import { runName } from '../../src/shared/paths';
import type { MetadataColumn } from '../../src/shared/protocol';
import { columnQuery, search } from '../../src/webview/common/map/search';
import { pointColors, rankCategories, SHOWN_CATEGORIES } from '../../src/webview/common/map/mapColoring';
import { metadataText } from '../../src/webview/common/map/labels';
import { NULL_RGB } from '../../src/webview/common/render/palette';
import { EngineError } from '../../src/shared/protocol';
import { DirectionStore } from '../../src/webview/panel/views/directionStore';
import { directionNote, meanDifference, movedRows, querySet, setMean, STRIP_STEPS, stepText } from '../../src/webview/panel/views/latentDirection';

/** Φ by Simpson's rule on the density: slow, independent of the approximation under test. */
function normalCdf(x: number): number {
  const steps = 20_000;
  const low = -12;
  const h = (x - low) / steps;
  const density = (t: number) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  let sum = density(low) + density(x);
  for (let i = 1; i < steps; i++) sum += density(low + i * h) * (i % 2 === 1 ? 4 : 2);
  return (sum * h) / 3;
}

describe('normalQuantile', () => {
  test('inverts the normal CDF across the body and both tails', () => {
    for (const p of [1e-9, 1e-6, 0.001, 0.02, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.99, 0.999999]) {
      // Relative to the smaller tail, where a quantile's precision matters.
      const error = Math.abs(normalCdf(normalQuantile(p)) - p) / Math.min(p, 1 - p);
      assert.ok(error < 1e-6, `Φ(Φ⁻¹(${p})) is off by ${error} relative`);
    }
  });

  test('known values, symmetry and the ends', () => {
    assert.equal(normalQuantile(0.5), 0);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
    assert.ok(Math.abs(normalQuantile(0.2) + normalQuantile(0.8)) < 1e-12);
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
    assert.ok(Number.isNaN(normalQuantile(1.5)));
  });

  test('the Gaussian grid is symmetric and increasing', () => {
    const grid = gaussianGrid(15);
    assert.equal(grid.length, 15);
    assert.equal(grid[7], 0);
    for (let i = 1; i < grid.length; i++) assert.ok(grid[i]! > grid[i - 1]!);
    assert.ok(Math.abs(grid[0]! + grid[14]!) < 1e-12);
  });
});

describe('interpolation', () => {
  const a = Float32Array.from([3, 0]);
  const b = Float32Array.from([0, 3]);

  test('lerp and slerp agree at the ends', () => {
    for (const mode of [lerp, slerp]) {
      assert.deepEqual(Array.from(mode(a, b, 0)), [3, 0]);
      assert.deepEqual(Array.from(mode(a, b, 1)).map((v) => Math.round(v * 1e5) / 1e5), [0, 3]);
    }
  });

  test('slerp keeps the norm between vectors of equal norm; lerp cuts the corner', () => {
    assert.ok(Math.abs(Math.hypot(...slerp(a, b, 0.5)) - 3) < 1e-5);
    assert.ok(Math.hypot(...lerp(a, b, 0.5)) < 2.2);
  });

  test('slerp of parallel vectors falls back to the straight line', () => {
    assert.deepEqual(Array.from(slerp(a, Float32Array.from([6, 0]), 0.5)), [4.5, 0]);
  });

  test('a path has the requested steps as rows, both ends included', () => {
    const path = interpolationPath('lerp', a, b, 4);
    assert.equal(path.length, 8);
    assert.deepEqual(Array.from(path.subarray(0, 2)), [3, 0]);
    assert.deepEqual(Array.from(path.subarray(6, 8)), [0, 3]);
  });
});

describe('LatestOnly', () => {
  test('runs one value at a time and skips the values overtaken while it ran', async () => {
    const ran: number[] = [];
    let inFlight = 0;
    let release!: () => void;
    const runner = new LatestOnly<number>(async (value) => {
      inFlight++;
      assert.equal(inFlight, 1, 'at most one run in flight');
      ran.push(value);
      await new Promise<void>((resolve) => (release = resolve));
      inFlight--;
    }, (error) => assert.fail(String(error)));
    runner.push(1);
    for (let value = 2; value <= 9; value++) runner.push(value);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, [1, 9]);
  });

  test('a failing run is reported and the next value still runs', async () => {
    const errors: unknown[] = [];
    const ran: number[] = [];
    const runner = new LatestOnly<number>(async (value) => {
      ran.push(value);
      if (value === 1) throw new Error('boom');
    }, (error) => errors.push(error));
    runner.push(1);
    await new Promise((resolve) => setImmediate(resolve));
    runner.push(2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, [1, 2]);
    assert.equal(errors.length, 1);
  });
});

describe('coordinatesCsv', () => {
  test('writes the rows asked for, each with its own coordinates, quoting label names that need it', () => {
    const csv = coordinatesCsv({ indices: [2, 0], x: [2, 0.5], y: [5, 3], labelOf: (index) => (index === 2 ? 'say "hi", then' : 'zero') });
    assert.equal(csv, 'index,x,y,label\n2,2,5,"say ""hi"", then"\n0,0.5,3,zero\n');
  });

  test('leaves the label column empty without labels', () => {
    assert.equal(coordinatesCsv({ indices: [0], x: [1], y: [2] }), 'index,x,y,label\n0,1,2,\n');
  });
  test('adds the metadata columns after the label, quoting names and values per RFC 4180', () => {
    const columns = [
      { name: 'city, country', textOf: (index: number) => ['Paris, France', ''][index]! },
      { name: 'note', textOf: (index: number) => ['two\nlines', 'a "quote"'][index]! },
    ];
    const csv = coordinatesCsv({ indices: [0, 1], x: [1, 2], y: [3, 4], columns });
    assert.equal(csv, 'index,x,y,label,"city, country",note\n0,1,3,,"Paris, France","two\nlines"\n1,2,4,,,"a ""quote"""\n');
  });
});

describe('metadata search', { timeout: 60_000 }, () => {
  const species: MetadataColumn = { name: 'species', codes: Int32Array.from([0, 1, -1, 2, 0, 3]), categories: ['cat', 'Cattle', 'dog', ' padded*'] };
  const score: MetadataColumn = { name: 'score', values: Float32Array.from([0.5, NaN, -1, 3, 0.1, 2]) };
  const scoreTwo: MetadataColumn = { name: 'score 2', values: Float32Array.from([1, 1, 1, 1, 1, 1]) };
  const session = { count: 6, labels: Int32Array.from([0, 1, 0, 1, 0, 1]), labelNames: ['a:b', 'x'], metadata: [species, score, scoreTwo] };
  const indices = (query: string) => search(session, query)?.indices;

  test('text: exact but for case, value* for a prefix, quotes for a literal value, = as :', () => {
    assert.deepEqual(indices('species:cat'), [0, 4]);
    assert.deepEqual(indices('species:CAT'), [0, 4]);
    assert.deepEqual(indices('Species = cat'), [0, 4], 'column names are matched in any case, spaces round the operator allowed');
    assert.deepEqual(indices('species:cat*'), [0, 1, 4]);
    assert.deepEqual(indices('species:" padded*"'), [5]);
    assert.deepEqual(indices('species:bird'), []);
    assert.equal(search(session, 'species:cat')!.description, 'species = "cat": 2 points');
    assert.equal(search(session, 'species:ca*')!.description, 'species starts with "ca": 3 points');
  });

  test('numbers: comparisons and float32 equality; nulls never match', () => {
    assert.deepEqual(indices('score>0.5'), [3, 5]);
    assert.deepEqual(indices('score>=0.5'), [0, 3, 5]);
    assert.deepEqual(indices('score<0.5'), [2, 4]);
    assert.deepEqual(indices('score <= -1'), [2]);
    assert.deepEqual(indices('score=0.1'), [4], '0.1 as the float32 the column holds');
    assert.deepEqual(indices('score:3'), [3]);
    assert.equal(search(session, 'score>0.5')!.description, 'score > 0.5: 2 points');
    assert.deepEqual(indices('score 2<2'), [0, 1, 2, 3, 4, 5], 'the longest column name the query starts with');
  });

  test('label names and #index keep their meaning', () => {
    assert.deepEqual(indices('a:b'), [0, 2, 4], 'a label that looks like a query is still a label');
    assert.deepEqual(indices('#3'), [3]);
    assert.equal(search(session, 'plain words')!.description, 'no label or sample "plain words"');
  });

  test('a query that cannot be read says what is wrong and what to type', () => {
    const problem = (query: string) => {
      const result = search(session, query)!;
      assert.equal(result.malformed, true, query);
      assert.deepEqual(result.indices, []);
      assert.doesNotMatch(result.description, /\n/);
      return result.description;
    };
    assert.equal(problem('country:France'), 'no column "country" — the columns are species, score, score 2; e.g. species:cat');
    assert.equal(problem('species>cat'), 'species holds text, which has no order for ">" — e.g. species:cat (value* for a prefix)');
    assert.equal(problem('score>high'), '"high" is not a number, and score holds numbers — e.g. score>0.5');
    assert.equal(problem('species:'), 'species: needs a value — e.g. species:cat');
    assert.match(search({ count: 1, labels: undefined, labelNames: undefined }, 'country:France')!.description, /this map has no metadata columns/);
  });

  test('a legend entry types a query that finds exactly its category', () => {
    for (const [code, name] of species.categories!.entries()) {
      const expected = Array.from(species.codes!.entries()).filter(([, each]) => each === code).map(([i]) => i);
      assert.deepEqual(indices(columnQuery('species', name)), expected, name);
    }
  });

  test('a million rows in one pass over the typed arrays', () => {
    const rows = 1_000_000;
    const values = Float32Array.from({ length: rows }, (_, i) => (i % 10 === 0 ? NaN : i % 1000));
    const codes = Int32Array.from({ length: rows }, (_, i) => i % 3);
    const big = { count: rows, labels: undefined, labelNames: undefined, metadata: [{ name: 'v', values }, { name: 'c', codes, categories: ['x', 'y', 'z'] }] };
    const started = performance.now();
    const found = search(big, 'v>=990')!;
    const byCategory = search(big, 'c:y')!;
    const elapsed = performance.now() - started;
    assert.equal(found.indices.length, 9 * (rows / 1000), 'values 991…999 in every thousand rows (990 is a multiple of 10, so null)');
    assert.equal(byCategory.indices.length, Math.ceil((rows - 1) / 3));
    assert.ok(elapsed < 2000, `took ${elapsed.toFixed(0)} ms`);
  });
});

describe('metadata coloring', { timeout: 60_000 }, () => {
  test('50,000 distinct values: the most frequent get colors, the rest one shared color, nulls grey', () => {
    const categories = Array.from({ length: 50_000 }, (_, i) => `id${i}`);
    // id7 is the most frequent, id3 next; the other points spread over every id; every fifth point is null.
    const codes = Int32Array.from({ length: 60_000 }, (_, i) => (i % 5 === 0 ? -1 : i < 4000 ? 7 : i < 6000 ? 3 : i % 50_000));
    const ranked = rankCategories(codes, categories);
    assert.equal(ranked.shown.length, SHOWN_CATEGORIES);
    assert.deepEqual(ranked.shown.slice(0, 2).map(({ name }) => name), ['id7', 'id3']);
    assert.equal(ranked.nulls, 12_000);
    assert.equal(ranked.shown.reduce((sum, { count }) => sum + count, 0) + ranked.others.count + ranked.nulls, codes.length, 'every point counted once');
    assert.equal(ranked.shown.length + ranked.others.categories, new Set(Array.from(codes).filter((code) => code >= 0)).size, 'every category present counted once');
    codes.forEach((code, i) => {
      const rank = ranked.ranks[i]!;
      if (code < 0) assert.equal(rank, -1);
      else if (rank < SHOWN_CATEGORIES) assert.equal(ranked.shown[rank]!.name, categories[code]);
      else assert.equal(rank, SHOWN_CATEGORIES);
    });
    const colors = pointColors({ kind: 'label', categories: ranked.ranks });
    assert.equal(colors.palette.length, SHOWN_CATEGORIES + 2, 'the shown, the others, the nulls');
    assert.deepEqual(colors.palette.at(-1), NULL_RGB);
    assert.equal(colors.values[0], SHOWN_CATEGORIES + 1, 'a null point takes the grey');
  });

  test('one category past the limit is shown rather than called one more value', () => {
    const codes = Int32Array.from({ length: SHOWN_CATEGORIES + 1 }, (_, i) => i);
    const ranked = rankCategories(codes, Array.from(codes, String));
    assert.equal(ranked.shown.length, SHOWN_CATEGORIES + 1);
    assert.deepEqual(ranked.others, { categories: 0, count: 0 });
  });

  test('numbers: NaN is grey, not the low end of the scale', () => {
    const colors = pointColors({ kind: 'continuous', values: Float32Array.from([2, NaN, 4, 3]), title: 'score' });
    assert.deepEqual(colors.range, [2, 4]);
    assert.deepEqual(colors.palette.at(-1), NULL_RGB);
    // The scatter picks color floor(position · (palette length − 1)).
    const slot = (position: number) => Math.floor(position * (colors.palette.length - 1));
    const last = colors.palette.length - 1;
    assert.deepEqual(Array.from(colors.values, slot), [0, last, last - 1, Math.floor((last - 1) / 2)]);
    const complete = pointColors({ kind: 'continuous', values: Float32Array.from([2, 4]), title: 'score' });
    assert.notDeepEqual(complete.palette.at(-1), NULL_RGB, 'no grey slot without nulls');
    assert.deepEqual(Array.from(complete.values), [0, 1]);
  });

  test('metadata values as text: numbers as the file wrote them, nulls undefined', () => {
    const numbers: MetadataColumn = { name: 'n', values: Float32Array.from([0.1, -1234, NaN, 1 / 3]) };
    assert.deepEqual([0, 1, 2, 3].map((i) => metadataText(numbers, i)), ['0.1', '-1234', undefined, '0.33333334']);
    const text: MetadataColumn = { name: 't', codes: Int32Array.from([1, -1]), categories: ['a', 'b'] };
    assert.deepEqual([0, 1].map((i) => metadataText(text, i)), ['b', undefined]);
  });
});

describe('compared metrics', () => {
  const vae = [{ epoch: 1, loss: 9, kl: 2, elbo: -9, val_loss: 10 }, { epoch: 2, loss: 5, kl: 3, elbo: -5, val_loss: 6 }];
  const ae = [{ epoch: 1, loss: 7, elbo: -4, val_loss: 6, mse: 0.1 }];

  test("one row per term of either run's last epoch, loss first, each training term before its validation twin", () => {
    assert.deepEqual(metricRows([vae, ae]).map((row) => row.term), ['loss', 'val_loss', 'elbo', 'kl', 'mse']);
  });

  test('lower wins, except the ELBO; ties, and terms only one run has, mark nothing', () => {
    const rows = Object.fromEntries(metricRows([vae, ae]).map((row) => [row.term, row]));
    assert.deepEqual(rows.loss, { term: 'loss', values: [5, 7], better: 0 });
    assert.deepEqual(rows.elbo, { term: 'elbo', values: [-5, -4], better: 1 });
    assert.equal(rows.val_loss!.better, undefined, 'a tie');
    assert.deepEqual(rows.kl, { term: 'kl', values: [3, undefined], better: undefined });
    assert.deepEqual(rows.mse!.values, [undefined, 0.1]);
  });

  test('a run without history has no values', () => {
    assert.deepEqual(metricRows([[], ae]).map((row) => row.values[0]), [undefined, undefined, undefined, undefined]);
  });
});

describe('runName', () => {
  test('names a run by its folder, given the folder or its latent-lab.json', () => {
    assert.equal(runName('/work/runs/vae-20261125-034512'), 'vae-20261125-034512');
    assert.equal(runName('C:\\runs\\ae-1\\latent-lab.json'), 'ae-1');
    assert.equal(runName('/runs/ae-2/'), 'ae-2');
  });
});

describe('attribute directions', () => {
  // Four 2-d points: two of label 0 around (1, 0), two of label 1 around (0, 2).
  const latents = Float32Array.from([1, 0.5, 1, -0.5, 0, 2, 0, 2]);
  const session = { count: 4, labels: Int32Array.from([0, 0, 1, 1]), labelNames: undefined, metadata: [{ name: 'pen', codes: Int32Array.from([0, 1, 1, -1]), categories: ['thin', 'thick'] }] };

  test('set means, the difference of means, and a point moved along it at the strip steps', () => {
    assert.deepEqual(Array.from(setMean(latents, 2, [0, 1])), [1, 0]);
    const direction = meanDifference(latents, 2, [0, 1], [2, 3]);
    assert.deepEqual(Array.from(direction), [1, -2]);
    const rows = movedRows(Float32Array.from([0, 2]), direction, [0, 1, -0.5]);
    assert.deepEqual(Array.from(rows), [0, 2, 1, 0, -0.5, 3], 't = 1 takes a point at mean(B) to mean(A)');
    assert.deepEqual([STRIP_STEPS[0], STRIP_STEPS.at(-1), STRIP_STEPS.includes(0)], [-2, 2, true]);
    assert.deepEqual([stepText(1.5), stepText(-0.25), stepText(0)], ['+1.50 × d', '−0.25 × d', '±0.00 × d']);
  });

  test('sets from the map search: a label, label:name, a metadata column; one-line problems otherwise', () => {
    const a = querySet(session, '0');
    const b = querySet(session, 'label:1');
    assert.ok(!('problem' in a) && !('problem' in b));
    assert.deepEqual([a.indices, a.name, b.indices, b.name], [[0, 1], 'label 0', [2, 3], 'label 1']);
    assert.equal(directionNote(a, b), 'label 0 − label 1 (2 vs 2 points)');
    const thick = querySet(session, 'pen:thick');
    assert.ok(!('problem' in thick));
    assert.deepEqual([thick.indices, thick.name], [[1, 2], 'pen = "thick"']);
    assert.match((querySet(session, 'label:3') as { problem: string }).problem, /^no label "3" — type a label/, 'label:3 is no label, not sample #3');
    assert.match((querySet(session, 'ink:blue') as { problem: string }).problem, /^no column "ink" — the columns are pen/);
    assert.match((querySet(session, 'pen:dotted') as { problem: string }).problem, /^pen = "dotted": no points match$/);
    assert.match((querySet(session, '  ') as { problem: string }).problem, /^type a label/);
  });

  test('a session without a checkpoint folder keeps its directions in the page and says why', async () => {
    const reason = 'a foreign session has no checkpoint folder to keep directions in; they last while the page is open — open a Latent Lab checkpoint to save them';
    const asked: string[] = [];
    const client = {
      request: (method: string) => {
        asked.push(method);
        return { result: Promise.resolve({ directions: [], unsaved: reason }) };
      },
    };
    const store = new DirectionStore(client as never, 'session-1');
    assert.deepEqual(await store.load(), { directions: [], unsaved: reason });
    await store.save('thick', Float32Array.from([1, 2]), 'pen = "thick" − pen = "thin" (2 vs 1 points)');
    await store.save('slant', Float32Array.from([0, 1]), undefined);
    const replaced = await store.save('thick', Float32Array.from([3, 4]), undefined);
    assert.deepEqual(replaced.directions.map(({ name, vector }) => [name, vector]), [['slant', [0, 1]], ['thick', [3, 4]]]);
    assert.deepEqual((await store.remove('slant')).directions.map(({ name }) => name), ['thick']);
    assert.deepEqual(asked, ['directions'], 'only the first list was asked of the engine');
    assert.equal(store.list.value?.unsaved, reason);
  });

  test('a failure to list is an error, and the next load asks again', async () => {
    let calls = 0;
    const client = { request: () => ({ result: ++calls === 1 ? Promise.reject(new EngineError('failed', 'directions.json is damaged')) : Promise.resolve({ directions: [{ name: 'x', vector: [1] }] }) }) };
    const store = new DirectionStore(client as never, 'session-1');
    await assert.rejects(store.load(), /directions.json is damaged/);
    assert.deepEqual((await store.load()).directions.map(({ name }) => name), ['x']);
    assert.equal(calls, 2);
  });
});
