/**
 * Latents from Parquet and Arrow IPC files written by pyarrow, opened as sessions through the engine's
 * handlers: the latents and metadata must be what pyarrow wrote (the fixtures' .npy and .json say
 * what that was), and damaged or unsuitable files must be refused in one line naming the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { planColumns, type ColumnInfo } from '../../src/engine/data/readers/columnar';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { createHandlers } from '../../src/engine/handlers';
import { type MetadataColumn, type Session, sessionSchema } from '../../src/shared/protocol';
import type { RequestContext } from '../../src/shared/rpc';
import { makeColumnarFixtures, readColumnarReference } from '../support/columnarFixtures';
import { rejectsWithDataError } from '../support/helpers';

const ROWS = 300;
const handlers = createHandlers();
const context = (): RequestContext => ({ signal: new AbortController().signal, emit: () => undefined });
const open = (params: Parameters<typeof handlers.openSession>[0]) => handlers.openSession(params, context());
const close = (session: Session) => handlers.closeSession({ sessionId: session.sessionId }, context());
const scratch = mkdtempSync(path.join(tmpdir(), 'latent-lab-columnar-'));
let fixtures: string;

const fixture = (name: string) => path.join(fixtures, name);
function file(name: string, content: string | Uint8Array): string {
  const at = path.join(scratch, name);
  writeFileSync(at, content);
  return at;
}

before(async () => {
  fixtures = await makeColumnarFixtures();
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A metadata column read from the file agrees, row by row, with what pyarrow wrote (null as NaN or -1). */
function assertColumn(column: MetadataColumn, expected: (number | string | null)[], rows: number): void {
  const where = `column ${column.name}`;
  const isText = expected.some((value) => typeof value === 'string');
  if (isText) {
    assert.equal(column.values, undefined, `${where}: text has codes, not values`);
    const distinct = [...new Set(expected.slice(0, rows).filter((value) => value !== null))].sort();
    assert.deepEqual(column.categories, distinct, `${where}: the distinct values, sorted`);
    assert.equal(column.codes!.length, rows);
    column.codes!.forEach((code, i) => assert.equal(code === -1 ? null : column.categories![code], expected[i], `${where}, row ${i}`));
  } else {
    assert.equal(column.codes, undefined, `${where}: numbers have values, not codes`);
    assert.equal(column.values!.length, rows);
    column.values!.forEach((value, i) => assert.ok(expected[i] === null ? Number.isNaN(value) : value === Math.fround(expected[i] as number), `${where}, row ${i}: ${value} ≠ ${expected[i]}`));
  }
}

async function assertReadsAsWritten(name: string, reference: string, rows = ROWS, limit?: number): Promise<Session> {
  const expected = readColumnarReference(fixtures, reference);
  const dim = expected.shape[1]!;
  const session = await open({ latents: fixture(name), ...(limit ? { limit } : {}) });
  sessionSchema.parse(session);
  assert.equal(session.kind, 'latents');
  assert.equal(session.count, rows, `${name}: rows`);
  assert.equal(session.totalCount, ROWS, `${name}: rows in the file`);
  assert.equal(session.latentDim, dim, `${name}: dimensions`);
  assert.deepEqual(session.latents, expected.latents.subarray(0, rows * dim), `${name}: the latents pyarrow wrote`);
  assert.deepEqual(session.metadata?.map(({ name: column }) => column), Object.keys(expected.metadata), `${name}: metadata columns in file order`);
  for (const column of session.metadata!) assertColumn(column, expected.metadata[column.name]!, rows);
  return session;
}

test('a fixed-size-list latents column with metadata reads as pyarrow wrote it, from Parquet, Arrow IPC file, stream and Feather', async () => {
  for (const name of ['list.parquet', 'list.arrow', 'list.arrows', 'list.feather', 'list-zstd.feather']) {
    const session = await assertReadsAsWritten(name, 'list');
    const labels = readColumnarReference(fixtures, 'list').metadata.label!;
    assert.deepEqual(session.labelNames, ['class 0', 'class 1', 'class 2'], `${name}: the label column names the classes`);
    session.labels!.forEach((label, i) => assert.equal(session.labelNames![label], labels[i]));
    await close(session);
  }
});

test('list<double> latents, z0…z7 float columns out of order, and unnamed float columns (snappy, zstd, gzip, brotli, lz4) each read as written', async () => {
  for (const name of ['variable.parquet', 'variable.feather']) {
    const variable = await assertReadsAsWritten(name, 'variable');
    assert.equal(variable.labels, undefined, `${name}: no label column, no labels`);
    await close(variable);
  }
  const classes = readColumnarReference(fixtures, 'columns').metadata.class!;
  for (const name of ['columns.parquet', 'columns.arrows']) {
    const columns = await assertReadsAsWritten(name, 'columns');
    assert.deepEqual(Array.from(columns.labels!), classes, `${name}: an integer class column gives class indices`);
    assert.equal(columns.labelNames, undefined);
    await close(columns);
  }
  for (const name of ['floats.parquet', 'floats-brotli.parquet', 'floats-lz4.parquet']) await close(await assertReadsAsWritten(name, 'floats'));
});

test('a limit keeps the first rows across row groups and batches and still counts them all', async () => {
  for (const [name, limit] of [['list.parquet', 100], ['list.arrows', 120], ['columns.parquet', 129], ['columns.arrows', 129]] as const) {
    const session = await assertReadsAsWritten(name, name.startsWith('list') ? 'list' : 'columns', limit, limit);
    assert.equal(session.labels?.length, limit);
    await close(session);
  }
});

test('a labels CSV wins over the label column and images go with columnar latents, with the same count checks', async () => {
  const names = readColumnarReference(fixtures, 'list').metadata.species!.map((value) => value ?? 'unknown');
  const labels = file('species.csv', `label\n${names.join('\n')}\n`);
  const images = file('images.npy', encodeNpy(Float32Array.from({ length: ROWS * 64 }, (_, i) => (i % 64) / 64), [ROWS, 8, 8]));
  const session = await open({ latents: fixture('list.parquet'), labels, images });
  assert.deepEqual(session.labelNames, ['bird', 'cat', 'dog', 'fish', 'unknown']);
  session.labels!.forEach((label, i) => assert.equal(session.labelNames![label], names[i]));
  assert.deepEqual(session.inputShape, [8, 8, 1], 'grey images, one channel');
  assert.equal(session.metadata?.length, 5, 'the metadata comes along');
  const { inputs } = await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([299]) }, context());
  assert.equal(inputs.count, 1);
  await close(session);

  const short = file('short.csv', `label\n${names.slice(1).join('\n')}\n`);
  await rejectsWithDataError(open({ latents: fixture('list.arrow'), labels: short }), /short\.csv has 299 labels but .*list\.arrow has 300 rows of latents; give one label per row/);
  await rejectsWithDataError(open({ latents: fixture('list.feather'), images: 'sample' }), /^sample has 5000 samples but .*list\.feather has 300 rows of latents/);
});

test('the rule for finding the latents: one float list, else numbered float columns, else every float column', () => {
  const columns = (...specs: [string, ColumnInfo['kind']][]) => specs.map(([name, kind]) => ({ name, kind }));
  const plan = (...specs: [string, ColumnInfo['kind']][]) => planColumns(columns(...specs), 'f.parquet');
  assert.deepEqual(plan(['id', 'number'], ['emb', 'float-list'], ['score', 'float']).latents, { list: 'emb' });
  assert.deepEqual(plan(['dim_1', 'float'], ['score', 'float'], ['dim_0', 'float'], ['when', 'other']), {
    latents: { columns: ['dim_0', 'dim_1'] },
    metadata: columns(['score', 'float']),
  });
  assert.deepEqual(plan(['latent1', 'float'], ['latent2', 'float']).latents, { columns: ['latent1', 'latent2'] }, 'numbered from 1');
  assert.deepEqual(plan(['a', 'float'], ['name', 'text'], ['b', 'float']).latents, { columns: ['a', 'b'] });
  assert.throws(() => plan(['z0', 'float'], ['z1', 'float'], ['z3', 'float']), /f\.parquet: latent columns "z0"…"z3" lack "z2"; number the float latent columns from 0 \(or 1\) without gaps/);
  assert.throws(() => plan(['z0', 'float'], ['dim_0', 'float']), /latent-like float columns with 2 prefixes \(z0…, dim_0…\); keep one set/);
  assert.throws(() => plan(['id', 'number'], ['name', 'text']), /f\.parquet: found no latents: give them as one column of float lists .* or as the only float columns/);
});

test('damaged or unsuitable files are refused in one line that names the file', async () => {
  const parquet = readFileSync(fixture('list.parquet'));
  const arrow = readFileSync(fixture('list.arrow'));
  const refusals: [string, RegExp][] = [
    [file('truncated.parquet', parquet.subarray(0, parquet.length - 100)), /truncated\.parquet: not a readable Parquet file \(.*\); check that it was copied whole/],
    [file('cut.parquet', parquet.subarray(0, 4000)), /cut\.parquet: not a readable Parquet file/],
    [file('text.parquet', 'id,z0\n0,1\n'), /text\.parquet: not a readable Parquet file/],
    [file('empty.parquet', ''), /empty\.parquet: not a readable Parquet file/],
    [file('truncated.arrow', arrow.subarray(0, arrow.length - 200)), /truncated\.arrow: not (a readable Arrow IPC file|an Arrow IPC file)/],
    [file('text.arrows', 'not arrow at all\n'), /text\.arrows: not (a readable Arrow IPC file|an Arrow IPC file)/],
    [fixture('no-floats.parquet'), /no-floats\.parquet: found no latents: give them as one column of float lists/],
    [fixture('ragged.parquet'), /ragged\.parquet: row 5 of "z" has 2 values but the first row has 3; every row needs the same number of latents/],
    [fixture('nan.parquet'), /nan\.parquet: sample 6 contains NaN; replace NaN and infinite values/],
    [fixture('inf.arrow'), /inf\.arrow: sample 3 contains Infinity/],
    [fixture('null-row.parquet'), /null-row\.parquet: row 3 of "embedding" is null; every sample needs latents/],
    [fixture('null-row.arrows'), /null-row\.arrows: row 3 of "embedding" is null; every sample needs latents/],
    [fixture('two-lists.parquet'), /two-lists\.parquet: has 2 columns of float lists \("a", "b"\); keep one, the latents/],
    [fixture('wide.parquet'), /wide\.parquet: has 300 columns besides the latents; at most 256 are read as metadata/],
    [fixture('lz4.feather'), /lz4\.feather: its record batches are LZ4-compressed .* write it with compression="zstd" or "uncompressed"/],
  ];
  for (const [latents, pattern] of refusals) await rejectsWithDataError(open({ latents }), pattern);
  await rejectsWithDataError(open({ latents: path.join(scratch, 'missing.parquet') }), /missing\.parquet: cannot read it/);
});
