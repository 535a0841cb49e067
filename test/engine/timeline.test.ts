/** The latent timeline: recorded every epoch with the checkpoint, read back, continued on resume, refused when damaged. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { type Backend, loadBackend } from '../../src/engine/backend';
import { loadCheckpoint } from '../../src/engine/checkpoint/checkpoint';
import { decodeEpoch, encodeEpoch, epochFileBytes, readEpochLatents } from '../../src/engine/checkpoint/timeline';
import { loadDataset } from '../../src/engine/data/loadDataset';
import { openCheckpoint } from '../../src/engine/models/openCheckpoint';
import { runTraining } from '../../src/engine/training/runTraining';
import { disposeModelParts } from '../../src/engine/models/modelKind';
import { procrustes } from '../../src/engine/explorer/timelineView';
import { createHandlers } from '../../src/engine/handlers';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { callHandler } from '../support/helpers';

let backend: Backend;
const workDir = mkdtempSync(path.join(tmpdir(), 'latent-lab-timeline-'));
before(async () => {
  backend = await loadBackend();
});
after(() => rmSync(workDir, { recursive: true, force: true }));

const PROBES = 100;
const base = { data: 'sample', limit: 1500, batchSize: 100, timelineProbes: PROBES } as const;

async function timelineOf(out: string) {
  const { meta, parts } = await loadCheckpoint(backend.tf, out);
  disposeModelParts(parts);
  assert.ok(meta.timeline, `${out} records a timeline`);
  return meta.timeline;
}

test('quantised epochs read back within range / 131070 of every value, and a damaged file is refused in one line', () => {
  const dim = 3;
  const latents = Float32Array.from({ length: 50 * dim }, (_, i) => Math.sin(i * 1.7) * (1 + (i % dim) * 40));
  latents[dim] = 7; // a row far from the rest widens dimension 0's range
  const bytes = encodeEpoch(latents, dim);
  assert.equal(bytes.length, epochFileBytes(50, dim));
  const back = decodeEpoch(bytes, 50, dim, 'epoch');
  for (let j = 0; j < dim; j++) {
    const column = latents.filter((_, i) => i % dim === j);
    const range = Math.max(...column) - Math.min(...column);
    for (let i = j; i < latents.length; i += dim) assert.ok(Math.abs(back[i]! - latents[i]!) <= range / 131_070 + 1e-6 * Math.abs(latents[i]!), `value ${i}`);
  }
  assert.throws(() => decodeEpoch(bytes.subarray(1), 50, dim, 'epoch-000001.bin'), /^CheckpointError: epoch-000001.bin has \d+ bytes but 50 probes × 3 dims need \d+; the timeline is damaged/);
  const poisoned = Uint8Array.from(bytes);
  new DataView(poisoned.buffer).setFloat32(4 * dim, Number.NaN, true);
  assert.throws(() => decodeEpoch(poisoned, 50, dim, 'epoch'), /dimension 0 has a range of/);
});

test('every epoch records the probes, the last epoch equals the trained model encoding them, and earlier epochs are written once', async () => {
  const out = path.join(workDir, 'vae');
  const first = await runTraining(backend, { ...base, model: 'vae', epochs: 1, latentDim: 4, out, config: { hidden: [32] } });
  assert.equal(first.status, 'completed');
  const epochOneFile = path.join(out, 'timeline', 'epoch-000001.bin');
  const inode = statSync(epochOneFile).ino;
  const result = await runTraining(backend, { ...base, model: 'vae', epochs: 3, latentDim: 4, out, resume: true, config: { hidden: [32] } });
  assert.equal(result.status, 'completed');
  const timeline = await timelineOf(out);
  assert.deepEqual(timeline.epochs.map((entry) => entry.epoch), [1, 2, 3]);
  assert.equal(timeline.probeRows.length, PROBES);
  assert.equal(new Set(timeline.probeRows).size, PROBES, 'probes are distinct rows');
  assert.equal(statSync(epochOneFile).ino, inode, 'epoch 1 was linked into every later checkpoint, not written again');
  for (const entry of timeline.epochs) assert.equal(entry.klPerDim?.length, 4, 'a VAE records KL per dimension every epoch');

  const recorded = await readEpochLatents(out, timeline, 3, 'test');
  const { tf } = backend;
  const { model, meta } = await openCheckpoint(tf, out);
  const digits = await loadDataset('sample', { limit: base.limit });
  const size = digits.x.length / digits.count;
  const probes = new Float32Array(PROBES * size);
  timeline.probeRows.forEach((row, i) => probes.set(digits.x.subarray(row * size, (row + 1) * size), i * size));
  assert.equal(meta.normalization.max[0], 255);
  const z = tf.tidy(() => model.encode(tf.tensor(probes, [PROBES, ...digits.shape])));
  const expected = (await z.data()) as Float32Array;
  z.dispose();
  model.dispose();
  const worst = recorded.reduce((most, value, i) => Math.max(most, Math.abs(value - expected[i]!)), 0);
  assert.ok(worst < 1e-3, `the recorded epoch-3 latents are the final model's posterior means (worst difference ${worst})`);
  const epochOne = await readEpochLatents(out, timeline, 1, 'test');
  assert.ok(epochOne.some((value, i) => Math.abs(value - recorded[i]!) > 1e-2), 'the latents moved between epochs 1 and 3');
  await assert.rejects(readEpochLatents(out, timeline, 9, 'latent-lab.json'), /latent-lab.json: the timeline has no epoch 9 \(it has 1–3\)/);
});

test('a dictionary records how often each unit fires, a VQ-VAE its code usage, and timelineProbes 0 records none', async () => {
  const ksparse = path.join(workDir, 'ksparse');
  await runTraining(backend, { ...base, model: 'ksparse', epochs: 2, latentDim: 16, out: ksparse, config: { k: 4 } });
  const frequencies = (await timelineOf(ksparse)).epochs.at(-1)!.unitFrequency!;
  assert.equal(frequencies.length, 16);
  // k of 16 units fire per probe, so the shares sum to k.
  assert.ok(Math.abs(frequencies.reduce((sum, share) => sum + share, 0) - 4) < 1e-9);

  const vq = path.join(workDir, 'vq');
  await runTraining(backend, { ...base, model: 'vqvae', epochs: 1, out: vq });
  const usage = (await timelineOf(vq)).epochs[0]!.codeUsage!;
  assert.ok(Math.abs(usage.reduce((sum, share) => sum + share, 0) - 1) < 1e-6, 'code usage is a share of the probe positions');

  const none = path.join(workDir, 'none');
  await runTraining(backend, { ...base, model: 'ae', epochs: 1, out: none, timelineProbes: 0, config: { hidden: [16] } });
  const { meta, parts } = await loadCheckpoint(backend.tf, none);
  disposeModelParts(parts);
  assert.equal(meta.timeline, undefined);
});

test('a timeline entry that names another file, or epochs out of order, is refused when the checkpoint loads', async () => {
  const out = path.join(workDir, 'hostile');
  await runTraining(backend, { ...base, model: 'ae', epochs: 2, out, config: { hidden: [16] } });
  const file = path.join(out, 'latent-lab.json');
  const original = readFileSync(file, 'utf8');
  for (const change of [
    (meta: { timeline: { epochs: { file: string; epoch: number }[] } }) => void (meta.timeline.epochs[0]!.file = '../../etc/passwd'),
    (meta: { timeline: { epochs: { file: string; epoch: number }[] } }) => void meta.timeline.epochs.reverse(),
  ]) {
    const meta = JSON.parse(original);
    change(meta);
    writeFileSync(file, JSON.stringify(meta));
    await assert.rejects(loadCheckpoint(backend.tf, out), /timeline entry \d \(epoch \d, .*\) is out of order or misnamed/);
  }
  writeFileSync(file, original);
});

test('procrustes recovers a layout rotated, reflected, scaled and moved', () => {
  const target = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * 0.37) * (i % 2 ? 1 : 3));
  for (const reflect of [false, true]) {
    const [c, s] = [Math.cos(1.1), Math.sin(1.1)];
    const moved = new Float32Array(target.length);
    for (let i = 0; i < target.length; i += 2) {
      const y = reflect ? -target[i + 1]! : target[i + 1]!;
      moved[i] = 2.5 * (c * target[i]! - s * y) + 7;
      moved[i + 1] = 2.5 * (s * target[i]! + c * y) - 3;
    }
    const back = procrustes(moved, target);
    assert.ok(back.every((value, i) => Math.abs(value - target[i]!) < 1e-4), `${reflect ? 'a reflection' : 'a rotation'} is undone`);
  }
});

test('the explorer serves the timeline: aligned layouts per epoch, only the new epochs after a live save, and why a run has none', async () => {
  const out = path.join(workDir, 'served');
  await runTraining(backend, { ...base, model: 'vae', epochs: 2, latentDim: 3, out, config: { hidden: [32] } });
  const handlers = createHandlers();
  const session = await callHandler(handlers, 'openSession', { checkpoint: out, limit: base.limit });
  const all = await callHandler(handlers, 'timeline', { sessionId: session.sessionId });
  assert.deepEqual(Array.from(all.epochs), [1, 2]);
  assert.equal(all.coordinates.length, 2 * PROBES * 2);
  assert.equal(all.klPerDim?.length, 2 * 3);
  assert.ok(Array.from(all.probes).every((row) => row >= 0 && row < base.limit), 'probes are samples of the map');
  assert.equal(all.reason, undefined);
  // Epoch 2 is epoch 2's own PCA layout moved onto epoch 1's: closer to it than without the move.
  const [one, two] = [all.coordinates.subarray(0, PROBES * 2), all.coordinates.subarray(PROBES * 2)];
  const distance = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + (value - b[i]!) ** 2, 0);
  assert.ok(distance(two, one) <= distance(procrustes(two, two), one) + 1e-6);

  // The run goes on (a live run saves each epoch): the open session gets the new epochs only, the old ones unchanged.
  await runTraining(backend, { ...base, model: 'vae', epochs: 4, latentDim: 3, out, resume: true, config: { hidden: [32] } });
  const more = await callHandler(handlers, 'timeline', { sessionId: session.sessionId, after: 2 });
  assert.deepEqual(Array.from(more.epochs), [3, 4]);
  assert.equal(more.klPerDim?.length, 2 * 3);
  const again = await callHandler(handlers, 'timeline', { sessionId: session.sessionId });
  assert.deepEqual(Array.from(again.coordinates.subarray(0, 2 * PROBES * 2)), Array.from(all.coordinates), 'epochs already shown keep their layout');

  // The same checkpoint over other data: the probes are not among the map's samples, and the page is told so.
  const { encodeNpy } = await import('../../src/engine/data/readers/npy');
  const digits = await loadDataset('sample', { limit: 50 });
  const otherData = path.join(workDir, 'other.npy');
  writeFileSync(otherData, encodeNpy(digits.x.map((value) => value * 255), [digits.count, ...digits.shape]));
  const elsewhere = await callHandler(handlers, 'openSession', { checkpoint: out, data: otherData });
  const unmatched = await callHandler(handlers, 'timeline', { sessionId: elsewhere.sessionId });
  assert.ok(unmatched.probes.every((row) => row === -1));
  assert.match(unmatched.note ?? '', /^the run was trained on sample, the map shows .*other\.npy: the probes are not among the map's samples/);
  await callHandler(handlers, 'closeSession', { sessionId: elsewhere.sessionId });

  const plain = path.join(workDir, 'plain');
  await runTraining(backend, { ...base, model: 'ae', epochs: 1, out: plain, timelineProbes: 0, config: { hidden: [16] } });
  const other = await callHandler(handlers, 'openSession', { checkpoint: plain, limit: 100 });
  const none = await callHandler(handlers, 'timeline', { sessionId: other.sessionId });
  assert.equal(none.epochs.length, 0);
  assert.match(none.reason ?? '', /latent-lab.json records no latent timeline: the run was trained before timelines were recorded/);
  for (const sessionId of [session.sessionId, other.sessionId]) await callHandler(handlers, 'closeSession', { sessionId });
});

test('a run whose folder is deleted while it trains saves again, its timeline going on from the epochs left', async () => {
  const out = path.join(workDir, 'deleted');
  const trash = path.join(workDir, 'trash');
  const result = await runTraining(backend, { ...base, model: 'ae', epochs: 3, out, config: { hidden: [16] } }, {
    // As VS Code's Delete Run does: the folder moves to the trash after epoch 1 was saved.
    onProgress: (progress) => progress.phase === 'epoch' && progress.epoch === 1 && renameSync(out, trash),
  });
  assert.equal(result.status, 'completed');
  const timeline = await timelineOf(out);
  assert.deepEqual(timeline.epochs.map((entry) => entry.epoch), [2, 3]);
  for (const { epoch } of timeline.epochs) assert.equal((await readEpochLatents(out, timeline, epoch, 'test')).length, PROBES * 2);
});

test('a session without a training run answers that it has no timeline, with the reason, instead of failing', async () => {
  const file = path.join(workDir, 'latents.npy');
  writeFileSync(file, encodeNpy(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)), [10, 4]));
  const handlers = createHandlers();
  const session = await callHandler(handlers, 'openSession', { latents: file });
  const answer = await callHandler(handlers, 'timeline', { sessionId: session.sessionId });
  assert.equal(answer.epochs.length, 0);
  assert.match(answer.reason ?? '', /session has no training run, so no latent timeline — open a Latent Lab checkpoint to see one/);
});

test('the kinds not recorded above (plain, denoising, convolutional, β-VAE) record every epoch too', async () => {
  const small = { ...base, limit: 400, epochs: 2, latentDim: 3 } as const;
  const runs = [
    { model: 'ae', config: { hidden: [16] } },
    { model: 'dae', config: { hidden: [16] } },
    { model: 'conv', config: {} },
    { model: 'betavae', config: { hidden: [16], beta: 4 } },
  ] as const;
  for (const { model, config } of runs) {
    const out = path.join(workDir, `kind-${model}`);
    await runTraining(backend, { ...small, model, out, config });
    const timeline = await timelineOf(out);
    assert.deepEqual(timeline.epochs.map((entry) => entry.epoch), [1, 2], `${model}: one entry an epoch`);
    const latents = await readEpochLatents(out, timeline, 2, path.join(out, 'latent-lab.json'));
    assert.equal(latents.length, timeline.probeRows.length * 3, `${model}: every probe's latent`);
    assert.ok(latents.every(Number.isFinite), `${model}: finite latents`);
    if (model === 'betavae') assert.equal(timeline.epochs[1]!.klPerDim?.length, 3, 'the β-VAE records its KL per dim');
  }
});
