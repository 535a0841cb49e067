import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type CsvRecord, CsvTokenizer } from '../../src/engine/data/readers/csvTokenizer';
import { inspectDataset, loadDataset } from '../../src/engine/data/loadDataset';
import { rejectsWithDataError } from '../support/helpers';

const dir = mkdtempSync(join(tmpdir(), 'latent-lab-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}


/** Every record of `text` fed in chunks of `size` characters, with field positions. */
function tokenize(text: string, size: number): string[][] {
  const records: string[][] = [];
  const tokenizer = new CsvTokenizer('t.csv', (record: CsvRecord) => {
    records.push(record.fields.map((field, i) => `${field}@${record.lines[i]}:${record.columns[i]}`));
    return true;
  });
  for (let at = 0; at < text.length; at += size) tokenizer.push(text.slice(at, at + size));
  tokenizer.end();
  return records;
}

test('the tokenizer handles quotes, escaped quotes, CRLF, blank lines and any chunking alike', () => {
  const text = 'a,"b, c",d\r\n\r\n1,"say ""hi""\nthere",3\n,x,\n"q"';
  const expected = [['a@1:1', 'b, c@1:3', 'd@1:10'], ['1@3:1', 'say "hi"\nthere@3:3', '3@4:8'], ['@5:1', 'x@5:2', '@5:4'], ['q@6:1']];
  for (const size of [1, 2, 3, 7, 1000]) assert.deepEqual(tokenize(text, size), expected, `chunks of ${size}`);
  assert.throws(() => tokenize('a,"open\n1,2\n', 4), /t\.csv:1:3: a quoted field never closes/);
  assert.throws(() => tokenize('a,"b"x,c\n', 100), /t\.csv:1:6: unexpected character after a closing quote/);
});

test('string labels become sorted label names; features are scaled per column', async () => {
  const path = csv('iris.csv', '\uFEFFsepal,petal,"name, long",species\r\n5.0,1.5,"1000",setosa\r\n6.5,4.5,2e3,versicolor\r\n  7.0 ,-2,.5,setosa\r\n');
  await rejectsWithDataError(loadDataset(path), /iris\.csv:2:16: column "species" holds "setosa", not a number/);
  const dataset = await loadDataset(path, { labelColumn: 'species' });
  assert.equal(dataset.count, 3);
  assert.deepEqual(dataset.shape, [3]);
  assert.deepEqual(dataset.labelNames, ['setosa', 'versicolor']);
  assert.deepEqual(Array.from(dataset.labels!), [0, 1, 0]);
  assert.deepEqual(dataset.normalization, { kind: 'minmax', min: [5, -2, 0.5], max: [7, 4.5, 2000] });
  assert.deepEqual(Array.from(dataset.x.subarray(0, 3)), [0, 3.5 / 6.5, 999.5 / 1999.5].map(Math.fround));
  const summary = await inspectDataset(path, { labelColumn: 'species' });
  assert.deepEqual(summary, {
    format: 'csv',
    path,
    count: 3,
    shape: [3],
    dtype: 'float64',
    labels: { count: 3, classes: 2, names: ['setosa', 'versicolor'] },
    min: -2,
    max: 2000,
  });
});

test('integer labels are class indices; labelColumn picks or disables the label column', async () => {
  const path = csv('digits.csv', 'a,b,target\n1,2,3\n4,5,0.0\n7,8,3.000e+00\n');
  const dataset = await loadDataset(path);
  assert.deepEqual(Array.from(dataset.labels!), [3, 0, 3]);
  assert.equal(dataset.labelNames, undefined);
  assert.deepEqual((await inspectDataset(path)).labels, { count: 3, classes: 4 });
  const negative = await loadDataset(csv('negative.csv', 'a,label\n1,-1\n2,1\n'));
  assert.deepEqual(negative.labelNames, ['-1', '1'], 'negative numbers are names, not class indices');
  const byName = await loadDataset(path, { labelColumn: 'a' });
  assert.deepEqual(Array.from(byName.labels!), [1, 4, 7]);
  assert.deepEqual(byName.shape, [2]);
  const none = await loadDataset(path, { labelColumn: null });
  assert.equal(none.labels, undefined);
  assert.deepEqual(none.shape, [3]);
  await rejectsWithDataError(loadDataset(path, { labelColumn: 'kind' }), /digits\.csv: has no column "kind" for labels; its columns are "a", "b", "target"/);
  const limited = await loadDataset(path, { limit: 2 });
  assert.equal(limited.count, 2);
  assert.deepEqual(Array.from(limited.labels!), [3, 0]);
});

test('bad cells and ragged rows are one-line errors at file:line:column', async () => {
  const cases: [string, string, RegExp][] = [
    ['ragged.csv', 'a,b,c\n1,2,3\n4,5\n', /ragged\.csv:3:3: this row has 2 fields but the header has 3; every row needs one value per column/],
    ['long.csv', 'a,b\n1,2\n3,4,5\n', /long\.csv:3:3: this row has 3 fields but the header has 2/],
    ['nan.csv', 'a,b\n1,2\n3,NaN\n', /nan\.csv:3:3: column "b" is NaN; replace NaN and infinite values/],
    ['inf.csv', 'a,b\n1,-inf\n', /inf\.csv:2:3: column "b" is -inf/],
    ['overflow.csv', 'a,b\n1,1e999\n', /overflow\.csv:2:3: column "b" is 1e999/],
    ['empty-cell.csv', 'a,b\n1,\n', /empty-cell\.csv:2:3: column "b" is empty; fill in or drop rows with missing values/],
    ['word.csv', 'id,x\nabc,1\n', /word\.csv:2:1: column "id" holds "abc", not a number; drop non-numeric columns or name it as the label column/],
    ['hex.csv', 'x\n0x1F\n', /hex\.csv:2:1: column "x" holds "0x1F", not a number/],
    ['no-label.csv', 'a,label\n1,2\n3, \n', /no-label\.csv:3:3: the label is empty/],
    ['quote.csv', 'a,b\n1,"2\n', /quote\.csv:2:3: a quoted field never closes/],
    ['empty.csv', '', /empty\.csv: is empty; expected a header row and data rows/],
    ['header-only.csv', 'a,b\n', /header-only\.csv: has a header but no data rows/],
    ['only-label.csv', 'label\n1\n', /only-label\.csv: has no feature columns besides the label column "label"/],
  ];
  for (const [name, text, pattern] of cases) await rejectsWithDataError(loadDataset(csv(name, text)), pattern);
  await rejectsWithDataError(inspectDataset(join(dir, 'nan.csv')), /nan\.csv:3:3: column "b" is NaN/);
});

test('a CSV over the size cap is refused before it is read', async () => {
  const path = join(dir, 'huge.csv');
  const handle = openSync(path, 'w');
  ftruncateSync(handle, 1024 ** 3 + 1);
  closeSync(handle);
  await rejectsWithDataError(loadDataset(path), /huge\.csv: is 1\.0 GiB, over the 1\.0 GiB CSV limit; convert it to \.npy/);
});
