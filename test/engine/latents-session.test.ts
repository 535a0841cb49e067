/**
 * Sessions over bare latents, without any model: the bundled digits' 16 leading principal
 * components as the latents, their labels as a CSV, the digits themselves as the images.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { type Backend, loadBackend } from '../../src/engine/backend';
import { type Dataset } from '../../src/engine/data/dataset';
import { readLabelsCsv } from '../../src/engine/data/readers/labelsCsv';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import type { RequestContext } from '../../src/shared/rpc';
import { createHandlers } from '../../src/engine/handlers';
import { EngineError, type Session } from '../../src/shared/protocol';
import { sampleLatents } from '../support/sampleLatents';
import { handMadeNpy, npyHeader, rejectsInOneLine, rejectsWithDataError } from '../support/helpers';

const DIM = 16;
const NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-latents-'));
const handlers = createHandlers();
const context = (): RequestContext => ({ signal: new AbortController().signal, emit: () => undefined });
let backend: Backend;
let digits: Dataset;
let latents: Float32Array;
const files: Record<string, string> = {};

function file(name: string, content: string | Buffer): string {
  const at = path.join(dir, name);
  writeFileSync(at, content);
  return at;
}

const lines = (rows: Iterable<string>) => `${[...rows].join('\n')}\n`;

before(async () => {
  backend = await loadBackend();
  ({ digits, latents } = await sampleLatents(DIM));
  const labels = Array.from(digits.labels!);
  files.latents = file('latents.npy', encodeNpy(latents, [digits.count, DIM]));
  files.names = file('names.csv', lines(['label', ...labels.map((label) => NAMES[label]!)]));
  files.indices = file('indices.csv', lines(['digit', ...labels.map(String)]));
  files.bare = file('bare.csv', lines(labels.map(String)));
  files.short = file('short.csv', lines(labels.slice(1).map(String)));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The engine's contract for requests a session cannot serve: a one-line error that says why. */
const open = (params: Parameters<typeof handlers.openSession>[0]) => handlers.openSession(params, context());
const close = (session: Session) => handlers.closeSession({ sessionId: session.sessionId }, context());

test('latents with a labels CSV and images: a session with no decoder, every count and label in place', async () => {
  const session = await open({ latents: files.latents!, labels: files.names!, images: 'sample' });
  assert.equal(session.kind, 'latents');
  assert.deepEqual(session.capabilities, { decodes: false, variational: false, adjustableK: false });
  assert.match(session.noDecoderReason ?? '', /^latents only: there is no decoder to decode with/);
  assert.equal(session.reconstructionError, undefined);
  assert.equal(session.klPerDim, undefined);
  assert.deepEqual(session.history, []);
  assert.equal(session.count, digits.count);
  assert.equal(session.totalCount, digits.count);
  assert.equal(session.latentDim, DIM);
  assert.deepEqual(session.inputShape, [28, 28, 1]);
  assert.equal(session.dataSource, files.latents);
  assert.deepEqual(Array.from(session.latents), Array.from(latents), 'the latents are the file, unchanged');
  assert.deepEqual(session.labelNames, [...NAMES].sort());
  for (const index of [0, 1, 2, 4999]) assert.equal(session.labelNames![session.labels![index]!], NAMES[digits.labels![index]!]);
  // Principal components are centred and come by decreasing variance.
  assert.ok(session.latentMean.every((mean) => Math.abs(mean) < 1e-3), `centred: ${session.latentMean.join(', ')}`);
  assert.ok(session.latentStd[0]! > session.latentStd[DIM - 1]! && session.latentStd[DIM - 1]! > 0);

  const { inputs, reconstructions } = await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([0, 4999]) }, context());
  assert.equal(reconstructions, undefined, 'no decoder, no reconstructions');
  assert.deepEqual(inputs.shape, [28, 28, 1]);
  assert.deepEqual(Array.from(inputs.pixels.subarray(0, 784)), Array.from(digits.x.subarray(0, 784), (value) => Math.round(value * 255)), 'the hovered image is the sample itself');

  for (const work of [
    handlers.decode({ sessionId: session.sessionId, latents: new Float32Array(DIM) }, context()),
    handlers.features({ sessionId: session.sessionId }, context()),
    handlers.topActivating({ sessionId: session.sessionId, feature: 0, count: 3 }, context()),
  ]) {
    await rejectsInOneLine(work, Error, /^latents only: there is no decoder to decode with/);
  }
  const pca = await handlers.project({ sessionId: session.sessionId, method: 'pca' }, context());
  assert.equal(pca.coordinates.length, 2 * digits.count);
  const raw = await handlers.project({ sessionId: session.sessionId, method: 'raw', dims: [2, 5] }, context());
  assert.deepEqual([raw.coordinates[0], raw.coordinates[1]], [latents[2], latents[5]]);
  assert.deepEqual(await close(session), { closed: true });
});

test('integer labels with or without a header; labelled images label the points when no CSV is given', async () => {
  for (const labels of [files.indices!, files.bare!]) {
    const session = await open({ latents: files.latents!, labels });
    assert.deepEqual(Array.from(session.labels!), Array.from(digits.labels!), `${labels}: one class index per row`);
    assert.equal(session.labelNames, undefined);
    assert.deepEqual(session.inputShape, [], 'no images, no inputs');
    await rejectsInOneLine(handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([0]) }, context()), Error, /opened without images.*reopen them with images/);
    await close(session);
  }
  const fromImages = await open({ latents: files.latents!, images: 'sample' });
  assert.deepEqual(Array.from(fromImages.labels!), Array.from(digits.labels!));
  assert.deepEqual(fromImages.labelNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  await close(fromImages);
});

test('a limit keeps the first rows of every file and a UMAP of them works as for any session', async () => {
  const session = await open({ latents: files.latents!, labels: files.names!, images: 'sample', limit: 300 });
  assert.equal(session.count, 300);
  assert.equal(session.totalCount, digits.count);
  assert.equal(session.latents.length, 300 * DIM);
  assert.equal(session.labels?.length, 300);
  await rejectsInOneLine(handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([300]) }, context()), Error, /index 300 is outside 0..299/);
  const umap = await handlers.project({ sessionId: session.sessionId, method: 'umap', seed: 1 }, context());
  assert.equal(umap.coordinates.length, 600);
  assert.ok(umap.coordinates.every(Number.isFinite));
  await close(session);
});

test('counts that disagree name each file and its count, in one line', async () => {
  await rejectsWithDataError(open({ latents: files.latents!, labels: files.short! }), /short\.csv has 4999 labels but .*latents\.npy has 5000 rows of latents; give one label per row of latents/);
  const fewer = file('fewer.npy', encodeNpy(latents.subarray(0, 600 * DIM), [600, DIM]));
  await rejectsWithDataError(open({ latents: fewer, images: 'sample' }), /^sample has 5000 samples but .*fewer\.npy has 600 rows of latents; give the images these latents were encoded from/);
  await rejectsWithDataError(open({ latents: fewer, images: 'sample', limit: 100 }), /^sample has 5000 samples but .*fewer\.npy has 600 rows/);
});

test('hostile or wrong latents files get a one-line error that says what to do', async () => {
  const body = Buffer.alloc(48);
  const cases: [string, Buffer, RegExp][] = [
    ['ints.npy', handMadeNpy(npyHeader('<i4', '(4, 3)'), body), /ints\.npy: latents have dtype int32; save float32 or float64 rows/],
    ['flat.npy', handMadeNpy(npyHeader('<f4', '(12,)'), body), /flat\.npy: latents have shape \(12\); save one row per sample, shape \(n, d\)/],
    ['cube.npy', handMadeNpy(npyHeader('<f4', '(2, 2, 3)'), body), /latents have shape \(2, 2, 3\)/],
    ['empty.npy', handMadeNpy(npyHeader('<f4', '(0, 3)'), Buffer.alloc(0)), /latents have shape \(0, 3\)/],
    ['lying.npy', handMadeNpy(npyHeader('<f8', '(2147483647, 1)'), Buffer.alloc(16)), /lying\.npy: the header declares shape \(2147483647, 1\).* the file is truncated or its header lies/],
    ['pickle.npy', handMadeNpy(npyHeader('|O', '(4, 3)'), body), /pickle\.npy: contains Python objects \(pickle\); Latent Lab never unpickles/],
    ['nan.npy', handMadeNpy(npyHeader('<f4', '(4, 3)'), Buffer.from(Float32Array.from([0, 1, 2, 3, 4, 5, NaN, 7, 8, 9, 10, 11]).buffer)), /nan\.npy: sample 2 contains NaN; replace NaN and infinite values/],
    ['huge.npy', handMadeNpy(npyHeader('<f8', '(1, 1)'), Buffer.from(Float64Array.from([1e300]).buffer)), /huge\.npy: sample 0 contains Infinity/],
    ['text.npy', Buffer.from('index,z0\n0,1\n'), /text\.npy: not a \.npy file/],
  ];
  for (const [name, bytes, pattern] of cases) await rejectsWithDataError(open({ latents: file(name, bytes) }), pattern);
  await rejectsWithDataError(open({ latents: path.join(dir, 'missing.npy') }), /missing\.npy: cannot read it/);
  const float64 = await open({ latents: file('f8.npy', handMadeNpy(npyHeader('<f8', '(2, 2)'), Buffer.from(Float64Array.from([0.5, -1, 2, 3]).buffer))) });
  assert.deepEqual(Array.from(float64.latents), [0.5, -1, 2, 3], 'float64 latents are read too');
  await close(float64);
});

test('labels files that are not one label per row are refused in one line', async () => {
  await rejectsWithDataError(readLabelsCsv(file('wide.csv', 'a,b,c\n1,2,3\n')), /wide\.csv: has 3 columns \("a", "b", "c"\) and none is named label.*save one label per row/);
  await rejectsWithDataError(readLabelsCsv(file('hole.csv', 'id,label\n0,3\n1,\n')), /hole\.csv:3:3: the label is empty/);
  await rejectsWithDataError(readLabelsCsv(file('ragged.csv', 'label\n3\n4,5\n')), /ragged\.csv:3: this row has 2 fields but the first row has 1/);
  await rejectsWithDataError(readLabelsCsv(file('blank.csv', '\n\n')), /blank\.csv: holds no labels/);
  const named = await readLabelsCsv(file('pandas.csv', ',label\n0,cat\n1,dog\n2,cat\n'));
  assert.deepEqual({ labels: Array.from(named.labels), names: named.labelNames }, { labels: [0, 1, 0], names: ['cat', 'dog'] }, "pandas' index column is skipped");
  const headless = await readLabelsCsv(file('headless.csv', 'cat\ndog\n'));
  assert.deepEqual(Array.from(headless.labels), [0, 1], 'among names, the first row is a label');
});

test('the request must name a checkpoint or latents, and only what goes with it', async () => {
  const refusals: [Parameters<typeof handlers.openSession>[0], RegExp][] = [
    [{}, /^openSession needs a checkpoint folder, .*or latents \(a \.npy, Parquet or Arrow file\)/],
    [{ latents: 'a.npy', checkpoint: 'run' }, /give either a checkpoint \(with its data\) or latents \(with labels and images\), not both/],
    [{ latents: 'a.npy', data: 'sample' }, /not both/],
    [{ checkpoint: 'run', labels: 'labels.csv' }, /labels and images go with latents/],
  ];
  for (const [params, pattern] of refusals) {
    await assert.rejects(open(params), (error: unknown) => error instanceof EngineError && error.code === 'bad-request' && pattern.test(error.message));
  }
});

test('a latents session leaves no tensors behind', async () => {
  const { tf } = backend;
  const warm = await open({ latents: files.latents!, images: 'sample', limit: 500 });
  await handlers.project({ sessionId: warm.sessionId, method: 'pca' }, context());
  await close(warm);
  const before = tf.memory().numTensors;
  for (let round = 0; round < 3; round++) {
    const session = await open({ latents: files.latents!, labels: files.names!, images: 'sample', limit: 500 });
    await handlers.project({ sessionId: session.sessionId, method: 'pca' }, context());
    await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([1, 2, 3]) }, context());
    await handlers.decode({ sessionId: session.sessionId, latents: new Float32Array(DIM) }, context()).catch(() => undefined);
    await close(session);
  }
  assert.equal(tf.memory().numTensors, before);
});
