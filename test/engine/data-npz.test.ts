import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import { inspectDataset, loadDataset } from '../../src/engine/data/loadDataset';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { rejectsWithDataError } from '../support/helpers';

const dir = mkdtempSync(join(tmpdir(), 'latent-lab-npz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Entry {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Lies for hostile archives. */
  declaredSize?: number;
  zip64Size?: bigint;
  crc?: number;
}

/** A small ZIP writer, enough for what numpy.savez produces (and for lying about it). */
function zip(entries: Entry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const stored = entry.deflate ? deflateRawSync(entry.data) : entry.data;
    const size = entry.zip64Size !== undefined ? 0xffffffff : (entry.declaredSize ?? entry.data.length);
    const crc = entry.crc ?? crc32(entry.data);
    const extra = entry.zip64Size !== undefined ? Buffer.alloc(20) : Buffer.alloc(0);
    if (entry.zip64Size !== undefined) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(entry.zip64Size, 4);
      extra.writeBigUInt64LE(BigInt(stored.length), 12);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.zip64Size !== undefined ? 0xffffffff : stored.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    local.copy(central, 8, 6, 30);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, extra, stored);
    centrals.push(central, name, extra);
    offset += local.length + name.length + extra.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A little-endian .npy of one integer dtype, for labels. */
function npyInts(descr: '<i8' | '<f4', values: number[]): Buffer {
  const template = encodeNpy(new Float32Array(values.length), [values.length]);
  const headerLength = 10 + template.readUInt16LE(8);
  const header = Buffer.from(template.subarray(0, headerLength));
  header.write(descr, header.indexOf("'<f4'") + 1, 'latin1');
  const body = Buffer.alloc(values.length * (descr === '<i8' ? 8 : 4));
  values.forEach((value, i) => (descr === '<i8' ? body.writeBigInt64LE(BigInt(value), i * 8) : body.writeFloatLE(value, i * 4)));
  return Buffer.concat([header, body]);
}

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}


const images = Float32Array.from({ length: 4 * 3 * 3 }, (_, i) => i % 10);
const x = encodeNpy(images, [4, 3, 3]);
const y = npyInts('<i8', [0, 2, 1, 2]);

for (const deflate of [false, true]) {
  test(`an .npz with x and y (${deflate ? 'savez_compressed' : 'savez'}) loads samples and integer labels`, async () => {
    const path = file(`xy-${deflate}.npz`, zip([{ name: 'x.npy', data: x, deflate }, { name: 'y.npy', data: y, deflate }]));
    const dataset = await loadDataset(path);
    assert.equal(dataset.count, 4);
    assert.deepEqual(dataset.shape, [3, 3, 1]);
    assert.deepEqual(dataset.normalization, { kind: 'minmax', min: [0], max: [9] });
    assert.deepEqual(Array.from(dataset.labels!), [0, 2, 1, 2]);
    assert.equal(dataset.labelNames, undefined);
    const limited = await loadDataset(path, { limit: 3 });
    assert.deepEqual(Array.from(limited.labels!), [0, 2, 1]);
    assert.equal(limited.x.length, 27);
    const summary = await inspectDataset(path);
    assert.deepEqual(summary, { format: 'npz', path, count: 4, shape: [3, 3, 1], dtype: 'float32', labels: { count: 4, classes: 3 }, min: 0, max: 9 });
  });
}

test('unnamed arrays (arr_0, arr_1) and a lone float array are found by convention', async () => {
  const positional = await loadDataset(file('positional.npz', zip([{ name: 'arr_0.npy', data: x }, { name: 'arr_1.npy', data: y }])));
  assert.deepEqual(Array.from(positional.labels!), [0, 2, 1, 2]);
  const named = await loadDataset(file('named.npz', zip([{ name: 'ids.npy', data: y }, { name: 'pixels.npy', data: x }])));
  assert.deepEqual(named.shape, [3, 3, 1]);
  assert.equal(named.labels, undefined);
  await rejectsWithDataError(
    loadDataset(file('ints.npz', zip([{ name: 'a.npy', data: y }, { name: 'b.npy', data: y }]))),
    /ints\.npz: cannot tell which array holds the samples \(a, b\); save them as x/,
  );
  await rejectsWithDataError(loadDataset(file('none.npz', zip([{ name: 'readme.txt', data: Buffer.from('hi') }]))), /none\.npz: holds no \.npy arrays/);
});

test('labels must be integers, one per sample', async () => {
  await rejectsWithDataError(
    loadDataset(file('short.npz', zip([{ name: 'x.npy', data: x }, { name: 'y.npy', data: npyInts('<i8', [0, 1, 2]) }]))),
    /short\.npz:y\.npy has 3 labels but .*short\.npz:x\.npy has 4 samples/,
  );
  await rejectsWithDataError(
    loadDataset(file('float-labels.npz', zip([{ name: 'x.npy', data: x }, { name: 'y.npy', data: npyInts('<f4', [0, 1, 2, 3]) }]))),
    /float-labels\.npz:y\.npy: labels have dtype float32; save integer class indices/,
  );
  await rejectsWithDataError(
    loadDataset(file('negative.npz', zip([{ name: 'x.npy', data: x }, { name: 'y.npy', data: npyInts('<i8', [0, -1, 2, 3]) }]))),
    /labels range from -1 to 3; class indices must be between 0/,
  );
});

test('a zip bomb inflates no further than its declared size and is refused', async () => {
  const small = encodeNpy(new Float32Array(8), [2, 4]);
  // A valid, consistent .npy entry that declares its real size but inflates to 64 MiB more.
  const bomb = Buffer.concat([small, Buffer.alloc(64 * 1024 * 1024)]);
  const path = file('bomb.npz', zip([{ name: 'x.npy', data: bomb, deflate: true, declaredSize: small.length, crc: crc32(small) }]));
  const before = process.memoryUsage().rss;
  await rejectsWithDataError(loadDataset(path), new RegExp(`bomb\\.npz:x\\.npy: inflates past its declared ${small.length} bytes; the archive is corrupt or a zip bomb`));
  assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024, 'the bomb was not inflated');
  await rejectsWithDataError(inspectDataset(path), /inflates past its declared \d+ bytes/);
});

test('impossible, oversized, ZIP64 and corrupt entries are refused from the directory', async () => {
  const data = deflateRawSync(Buffer.alloc(1000));
  await rejectsWithDataError(
    loadDataset(file('claims.npz', zip([{ name: 'x.npy', data: Buffer.alloc(1000), deflate: true, declaredSize: 4_000_000_000 }]))),
    /claims\.npz:x\.npy: declares 4000000000 bytes from \d+ stored bytes, which is impossible; the archive is corrupt or a zip bomb/,
  );
  await rejectsWithDataError(loadDataset(file('zip64.npz', zip([{ name: 'x.npy', data, zip64Size: 100n * 1024n ** 3n }]))), /zip64\.npz: uses ZIP64.*which Latent Lab does not read/);
  process.env.LATENT_LAB_MAX_DATA_BYTES = '100000';
  try {
    await rejectsWithDataError(loadDataset(file('big.npz', zip([{ name: 'x.npy', data: Buffer.alloc(200_000), deflate: true }]))), /big\.npz:x\.npy: declares 200000 bytes uncompressed, over the 100000 bytes limit; save a smaller array or raise LATENT_LAB_MAX_DATA_BYTES/);
  } finally {
    delete process.env.LATENT_LAB_MAX_DATA_BYTES;
  }
  await rejectsWithDataError(loadDataset(file('crc.npz', zip([{ name: 'x.npy', data: x, crc: 1234 }]))), /crc\.npz:x\.npy: CRC mismatch/);
  const garbage = zip([{ name: 'x.npy', data: x, deflate: true }]);
  garbage.fill(0x55, 60, 90);
  await rejectsWithDataError(loadDataset(file('garbage.npz', garbage)), /garbage\.npz:x\.npy: (the compressed data is corrupt or truncated \(.+\); re-download|inflates to \d+ bytes, not the 272 it declares; the archive is truncated or corrupt)/);
  const truncated = zip([{ name: 'x.npy', data: x }]);
  await rejectsWithDataError(loadDataset(file('truncated.npz', truncated.subarray(0, 200))), /truncated\.npz: not a zip archive/);
  const pointsAway = zip([{ name: 'x.npy', data: x }]);
  pointsAway.writeUInt32LE(0x7fff0000, pointsAway.length - 22 - (46 + 'x.npy'.length) + 42);
  await rejectsWithDataError(loadDataset(file('away.npz', pointsAway)), /away\.npz:x\.npy: declares data beyond the end of the archive/);
});

test('entry names that escape the archive, duplicates and too many entries are refused', async () => {
  for (const [name, label] of [['../evil.npy', 'dotdot'], ['/etc/x.npy', 'absolute'], ['a\\..\\x.npy', 'backslash'], ['C:/x.npy', 'drive']]) {
    await rejectsWithDataError(loadDataset(file(`${label}.npz`, zip([{ name: name!, data: x }]))), new RegExp(`${label}\\.npz: entry name ".*" is absolute, escapes the archive`));
  }
  await rejectsWithDataError(loadDataset(file('control.npz', zip([{ name: 'x\n.npy', data: x }]))), /control\.npz: entry name "x\\n\.npy" is absolute, escapes the archive or holds control characters/);
  await rejectsWithDataError(loadDataset(file('twice.npz', zip([{ name: 'x.npy', data: x }, { name: 'x.npy', data: x }]))), /twice\.npz:x\.npy: appears twice/);
  const many = zip(Array.from({ length: 10_001 }, (_, i) => ({ name: `a${i}.npy`, data: Buffer.alloc(0) })));
  await rejectsWithDataError(loadDataset(file('many.npz', many)), /many\.npz: has 10001 entries, over the limit of 10000/);
});
