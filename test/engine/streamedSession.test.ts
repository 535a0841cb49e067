/**
 * Explorer sessions over dataset files larger than the in-memory data budget: plain IDX and .npy
 * files are read where they lie, a batch at a time, and give the same session as the same digits
 * decoded whole; a file changed under an open session is refused in one line, and closing (or
 * failing to open) a session lets go of its file.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadBackend } from '../../src/engine/backend';
import { loadDataset, openSampleRows } from '../../src/engine/data/loadDataset';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { sampleFiles } from '../../src/engine/data/sample';
import { toPixels } from '../../src/engine/explorer/pixels';
import { createHandlers } from '../../src/engine/handlers';
import { runTraining } from '../../src/engine/training/runTraining';
import type { Session } from '../../src/shared/protocol';
import type { RequestContext } from '../../src/shared/rpc';
import { handMadeNpy, npyHeader, rejectsInOneLine, rejectsWithDataError } from '../support/helpers';

const DIGITS = 5000;
const PIXELS = 28 * 28;
/** Far below the 5,000 digits' 15.7 MB as float32, so none of these files may be loaded whole. */
const BUDGET = 1024 ** 2;

const workDir = mkdtempSync(path.join(tmpdir(), 'latent-lab-streamed-'));
const handlers = createHandlers();
const context = (): RequestContext => ({ signal: new AbortController().signal, emit: () => undefined });
const budgetBefore = process.env.LATENT_LAB_MAX_DATA_BYTES;
const checkpoint = path.join(workDir, 'vae');
let pixels: Buffer;
let idxImages: string;
let digitsNpy: string;
/** The bundled sample itself: gzipped IDX, which is decoded whole. */
let inMemory: Session | undefined;

const write = (name: string, bytes: Uint8Array): string => {
  const at = path.join(workDir, name);
  writeFileSync(at, bytes);
  return at;
};
const close = (session: Session) => handlers.closeSession({ sessionId: session.sessionId }, context());
const digitPixels = (index: number) => Array.from(pixels.subarray(index * PIXELS, (index + 1) * PIXELS));

before(async () => {
  await runTraining(await loadBackend(), { model: 'vae', latentDim: 2, config: { encoder: 'dense', hidden: [32] }, data: 'sample', limit: 400, epochs: 1, seed: 1, out: checkpoint });
  const sample = sampleFiles();
  const images = gunzipSync(readFileSync(sample.images));
  pixels = images.subarray(16);
  idxImages = write('digits-images-idx3-ubyte', images);
  write('digits-labels-idx1-ubyte', gunzipSync(readFileSync(sample.labels)));
  digitsNpy = write('digits.npy', handMadeNpy(npyHeader('|u1', `(${DIGITS}, 28, 28)`), pixels));
  inMemory = await handlers.openSession({ checkpoint, data: 'sample' }, context());
  process.env.LATENT_LAB_MAX_DATA_BYTES = String(BUDGET);
});

after(async () => {
  if (budgetBefore === undefined) delete process.env.LATENT_LAB_MAX_DATA_BYTES;
  else process.env.LATENT_LAB_MAX_DATA_BYTES = budgetBefore;
  if (inMemory) await close(inMemory);
  rmSync(workDir, { recursive: true, force: true });
});

/** Descriptors of this process open on `file`, as the kernel lists them. */
function descriptorsOn(file: string): string[] {
  const target = realpathSync(file);
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === target;
    } catch {
      return false; // the descriptor readdir itself used is gone by now
    }
  });
}

/** Counts the bytes FileHandle reads return from `file` until `stop`. */
async function countReadsOf(file: string): Promise<{ stop(): { bytes: number; largest: number } }> {
  const probe = await open(__filename);
  const prototype = Object.getPrototypeOf(probe) as { read: (this: { fd: number }, ...args: unknown[]) => Promise<{ bytesRead: number }> };
  await probe.close();
  const read = prototype.read;
  let bytes = 0;
  let largest = 0;
  prototype.read = async function (...args) {
    const result = await read.apply(this, args);
    if (descriptorsOn(file).includes(String(this.fd))) {
      bytes += result.bytesRead;
      largest = Math.max(largest, result.bytesRead);
    }
    return result;
  };
  return {
    stop: () => {
      prototype.read = read;
      return { bytes, largest };
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 2000; !condition(); ) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('an IDX file over the data budget is explored from disk: the same session as the digits decoded whole', async () => {
  await rejectsWithDataError(loadDataset(idxImages), /over the 1\.0 MiB limit/);
  const reads = await countReadsOf(idxImages);
  let read = { bytes: 0, largest: 0 };
  const session = await handlers.openSession({ checkpoint, data: idxImages }, context()).finally(() => (read = reads.stop()));
  try {
    // Each digit once to encode, the first 2,048 again for the KL diagnostic, 2 bytes of IDX magic.
    assert.equal(read.bytes, (DIGITS + 2048) * PIXELS + 2, 'the rows were read once each, not the file over and over');
    assert.ok(read.largest <= 2048 * PIXELS, `no read larger than the diagnostic's 2,048 digits, whatever the file's size (largest ${read.largest} bytes)`);
    const whole = inMemory!;
    assert.equal(session.count, DIGITS);
    assert.equal(session.totalCount, DIGITS);
    assert.equal(session.dataSource, idxImages);
    assert.deepEqual(session.latents, whole.latents);
    assert.deepEqual(session.reconstructionError, whole.reconstructionError);
    assert.deepEqual(session.klPerDim, whole.klPerDim);
    assert.deepEqual(session.labels, whole.labels, 'labels come from the labels file beside the images');

    const indices = Int32Array.from([4999, 0, 1, 2, 17]);
    const [streamed, decoded] = await Promise.all([session, whole].map((opened) => handlers.samples({ sessionId: opened.sessionId, indices }, context())));
    assert.deepEqual(Array.from(streamed!.inputs.pixels.subarray(0, PIXELS)), digitPixels(4999), 'the hovered digit is the file’s last sample');
    assert.deepEqual(streamed!.inputs, decoded!.inputs);
    assert.deepEqual(streamed!.reconstructions, decoded!.reconstructions);
  } finally {
    await close(session);
  }
});

test('a limited .npy session encodes only its first samples and still counts the whole file', async () => {
  const session = await handlers.openSession({ checkpoint, data: digitsNpy, limit: 300 }, context());
  try {
    assert.equal(session.count, 300);
    assert.equal(session.totalCount, DIGITS);
    assert.equal(session.labels, undefined, 'a .npy carries no labels');
    const expected = inMemory!.latents.subarray(0, 600);
    assert.ok(
      session.latents.every((value, i) => Math.abs(value - expected[i]!) < 1e-5),
      'the same latents as the first 300 digits decoded whole',
    );
    await assert.rejects(handlers.samples({ sessionId: session.sessionId, indices: Int32Array.of(300) }, context()), /index 300 is outside 0..299/);
  } finally {
    await close(session);
  }
});

test('a sample past the first 4 GiB of a file is read from its offset', async () => {
  // 2.7 million float32 digits: 8.5 GB that the file system stores sparsely, only the last digit written.
  const rows = 2_700_000;
  const header = handMadeNpy(npyHeader('<f4', `(${rows}, 28, 28)`), Buffer.alloc(0));
  const huge = write('huge.npy', header);
  truncateSync(huge, header.length + rows * PIXELS * 4);
  const last = Float32Array.from(digitPixels(7), (value) => value / 255);
  const file = await open(huge, 'r+');
  await file.write(new Uint8Array(last.buffer), 0, last.byteLength, header.length + (rows - 1) * PIXELS * 4).finally(() => file.close());

  const samples = await openSampleRows(huge, { normalization: { kind: 'minmax', min: [0], max: [1] } });
  try {
    assert.equal(samples.count, rows);
    const read = await samples.read(Int32Array.of(rows - 1, 0));
    assert.deepEqual(Array.from(toPixels(read.subarray(0, PIXELS))), digitPixels(7));
    assert.ok(read.subarray(PIXELS).every((value) => value === 0));
  } finally {
    await samples.close();
  }
});

test('a .npy with a float dtype is normalised by its own range, as when it is loaded whole', async () => {
  const count = 200;
  const floats = write('floats.npy', encodeNpy(Float32Array.from(pixels.subarray(0, count * PIXELS), (value) => value / 85 - 1), [count, 28, 28]));
  const latents = write('latents.npy', encodeNpy(inMemory!.latents.subarray(0, count * 2), [count, 2]));
  const session = await handlers.openSession({ latents, images: floats }, context());
  try {
    const whole = await loadDataset(floats);
    const { inputs } = await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.of(0, 199) }, context());
    assert.deepEqual(Array.from(inputs.pixels.subarray(0, PIXELS)), Array.from(toPixels(whole.x.subarray(0, PIXELS))));
    assert.deepEqual(Array.from(inputs.pixels.subarray(PIXELS)), Array.from(toPixels(whole.x.subarray(199 * PIXELS, 200 * PIXELS))));
  } finally {
    await close(session);
  }
});

test('a file truncated or rewritten under an open session is refused on the next read, in one line', async () => {
  for (const [name, change, pattern] of [
    ['truncated.npy', (file: string) => truncateSync(file, statSync(file).size - PIXELS), /truncated\.npy: truncated from \d+ to \d+ bytes since the session opened it; reopen it/],
    ['rewritten.npy', (file: string) => writeFile(file, handMadeNpy(npyHeader('|u1', `(${DIGITS}, 28, 28)`), Buffer.alloc(DIGITS * PIXELS))), /rewritten\.npy: rewritten since the session opened it/],
  ] as const) {
    const file = path.join(workDir, name);
    copyFileSync(digitsNpy, file);
    const session = await handlers.openSession({ checkpoint, data: file, limit: 100 }, context());
    try {
      await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.of(99) }, context());
      await change(file);
      await rejectsInOneLine(handlers.samples({ sessionId: session.sessionId, indices: Int32Array.of(99) }, context()), Error, pattern);
    } finally {
      await close(session);
    }
  }
});

test('closing a session, or failing to open one, lets go of the file', async () => {
  const session = await handlers.openSession({ checkpoint, data: digitsNpy, limit: 10 }, context());
  assert.equal(descriptorsOn(digitsNpy).length, 1, 'an open session holds its file');
  await close(session);
  await until(() => descriptorsOn(digitsNpy).length === 0, 'the closed session lets go of the file');

  const table = write('table.npy', encodeNpy(new Float32Array(50), [10, 5]));
  await rejectsWithDataError(handlers.openSession({ checkpoint, data: table }, context()), /table\.npy: samples have shape 5 but the model expects 28×28×1/);
  assert.equal(descriptorsOn(table).length, 0, 'a session that failed to open holds no file');
});
