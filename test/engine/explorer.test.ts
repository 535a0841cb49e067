/** The explorer's engine requests on real checkpoints trained on the bundled digits. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { type Backend, loadBackend } from '../../src/engine/backend';
import type { RequestContext } from '../../src/shared/rpc';
import { createHandlers } from '../../src/engine/handlers';
import { runTraining } from '../../src/engine/training/runTraining';
import type { EventData } from '../../src/shared/protocol';

const workDir = mkdtempSync(path.join(tmpdir(), 'latent-lab-explorer-'));
const handlers = createHandlers();
const progress: EventData<'projectProgress'>[] = [];
const context = (): RequestContext => ({ signal: new AbortController().signal, emit: (event, data) => event === 'projectProgress' && progress.push(data as EventData<'projectProgress'>) });
let backend: Backend;
const checkpoints: Record<string, string> = {};

before(async () => {
  backend = await loadBackend();
  const runs = {
    vae: { model: 'vae', latentDim: 2, config: { encoder: 'dense', hidden: [32] } },
    ksparse: { model: 'ksparse', latentDim: 32, config: { k: 4 } },
    vqvae: { model: 'vqvae', latentDim: 4, config: { encoder: 'dense', hidden: [32], codebookSize: 8, positions: 2 } },
  } as const;
  for (const [name, run] of Object.entries(runs)) {
    const out = path.join(workDir, name);
    await runTraining(backend, { ...run, data: 'sample', limit: 400, epochs: 2, out });
    checkpoints[name] = out;
  }
});
after(() => rmSync(workDir, { recursive: true, force: true }));

test('openSession encodes the checkpoint dataset with labels, errors and latent statistics', async () => {
  const session = await handlers.openSession({ checkpoint: checkpoints.vae!, limit: 300 }, context());
  assert.equal(session.count, 300);
  assert.equal(session.totalCount, 5000, 'a limited session says how many samples the dataset has');
  assert.equal(session.latentDim, 2);
  assert.equal(session.latents.length, 600);
  assert.equal(session.labels?.length, 300);
  assert.deepEqual(session.labelNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.ok(session.reconstructionError?.every((value) => Number.isFinite(value) && value >= 0));
  assert.equal(session.klPerDim?.length, 2);
  assert.ok(session.latentStd.every((value) => value > 0));
  assert.deepEqual(session.capabilities, { decodes: true, variational: true, adjustableK: false, prior: 'gaussian' });

  const { inputs, reconstructions } = await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([0, 5, 7]) }, context());
  assert.equal(inputs.count, 3);
  assert.deepEqual(inputs.shape, [28, 28, 1]);
  assert.equal(inputs.pixels.length, 3 * 784);
  assert.equal(reconstructions?.pixels.length, 3 * 784);
  assert.ok(inputs.pixels.some((value) => value > 200), 'digits have bright strokes');

  const { pixels, count } = await handlers.decode({ sessionId: session.sessionId, latents: Float32Array.from([0, 0, 2, -2]) }, context());
  assert.equal(count, 2);
  assert.notDeepEqual(pixels.subarray(0, 784), pixels.subarray(784), 'different latents decode to different images');

  const projected = await handlers.project({ sessionId: session.sessionId, method: 'raw' }, context());
  assert.deepEqual(Array.from(projected.coordinates.subarray(0, 4)), Array.from(session.latents.subarray(0, 4)), 'raw 2-D latents are the map');

  await assert.rejects(handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([300]) }, context()), /index 300 is outside 0..299/);
  await assert.rejects(handlers.features({ sessionId: session.sessionId }, context()), /a vae model has no dictionary or codebook to list/);
  await assert.rejects(handlers.topActivating({ sessionId: session.sessionId, feature: 0, count: 1 }, context()), /no dictionary or codebook/);
  assert.deepEqual(await handlers.closeSession({ sessionId: session.sessionId }, context()), { closed: true });
  await assert.rejects(handlers.decode({ sessionId: session.sessionId, latents: new Float32Array(2) }, context()), /no open session/);
});

test('decode requests leak no tensors over a thousand slider moves', async () => {
  const { tf } = backend;
  const session = await handlers.openSession({ checkpoint: checkpoints.vae!, limit: 50 }, context());
  await handlers.decode({ sessionId: session.sessionId, latents: new Float32Array(2) }, context());
  const before = tf.memory().numTensors;
  for (let i = 0; i < 1000; i++) await handlers.decode({ sessionId: session.sessionId, latents: Float32Array.from([Math.sin(i), Math.cos(i)]) }, context());
  assert.equal(tf.memory().numTensors, before);
  await handlers.closeSession({ sessionId: session.sessionId }, context());
});

test('k-sparse features: one atom per unit, usage sums to k, top samples really use the feature', async () => {
  const session = await handlers.openSession({ checkpoint: checkpoints.ksparse!, limit: 200 }, context());
  assert.equal(session.k, 4);
  assert.deepEqual(session.capabilities, { decodes: true, variational: false, features: 'dictionary', adjustableK: true });
  const { images, frequency, kind } = await handlers.features({ sessionId: session.sessionId }, context());
  assert.equal(kind, 'dictionary');
  assert.equal(images.count, 32);
  const total = frequency.reduce((sum, value) => sum + value, 0);
  assert.ok(Math.abs(total - 4) < 1e-3, `each sample activates exactly k units, so usage sums to k (got ${total})`);
  const feature = frequency.indexOf(Math.max(...frequency));
  const top = await handlers.topActivating({ sessionId: session.sessionId, feature, count: 5 }, context());
  assert.equal(top.indices.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(top.activations[i - 1]! >= top.activations[i]!, 'sorted by activation');
  for (const [i, index] of top.indices.entries()) assert.equal(session.latents[index * 32 + feature], top.activations[i]);
  await assert.rejects(handlers.topActivating({ sessionId: session.sessionId, feature: 32, count: 1 }, context()), /feature 32 is outside 0..31/);

  // Each sample's active atoms, strongest first: exactly its k non-zero units.
  const used = await handlers.unitsUsed({ sessionId: session.sessionId, indices: Int32Array.from([3, 0, 7]) }, context());
  assert.deepEqual(Array.from(used.offsets), [0, 4, 8, 12]);
  for (const [row, index] of [3, 0, 7].entries()) {
    const code = session.latents.subarray(index * 32, (index + 1) * 32);
    const atoms = Array.from(used.units.subarray(used.offsets[row]!, used.offsets[row + 1]!));
    assert.deepEqual([...atoms].sort((a, b) => a - b), Array.from(code.keys()).filter((unit) => code[unit] !== 0));
    for (let i = 1; i < atoms.length; i++) assert.ok(Math.abs(code[atoms[i - 1]!]!) >= Math.abs(code[atoms[i]!]!), 'strongest first');
  }

  const atK1 = await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([0, 1]), k: 1 }, context());
  const atK16 = await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([0, 1]), k: 16 }, context());
  assert.notDeepEqual(atK1.reconstructions?.pixels, atK16.reconstructions?.pixels, 'k changes the reconstructions');
  await handlers.closeSession({ sessionId: session.sessionId }, context());
});

test('VQ-VAE features: decoded codebook entries with usage that covers every position', async () => {
  const session = await handlers.openSession({ checkpoint: checkpoints.vqvae!, limit: 200 }, context());
  assert.equal(session.codebookSize, 8);
  assert.deepEqual(session.capabilities, { decodes: true, variational: false, features: 'codebook', adjustableK: false, prior: 'codes' });
  const { images, frequency, kind } = await handlers.features({ sessionId: session.sessionId }, context());
  assert.equal(kind, 'codebook');
  assert.equal(images.count, 8);
  assert.ok(Math.abs(frequency.reduce((sum, value) => sum + value, 0) - 1) < 1e-5);
  const used = frequency.indexOf(Math.max(...frequency));
  const top = await handlers.topActivating({ sessionId: session.sessionId, feature: used, count: 3 }, context());
  assert.ok(top.activations[0]! >= 1, 'the top sample uses the code in at least one position');
  // The top sample's codes, one per position, include the code it was found by, as often as its activation says.
  const codes = await handlers.unitsUsed({ sessionId: session.sessionId, indices: top.indices.subarray(0, 1) }, context());
  assert.equal(codes.offsets[1], 2, 'one code per position (the checkpoint has 2)');
  assert.equal(Array.from(codes.units).filter((code) => code === used).length, top.activations[0]);
  await handlers.closeSession({ sessionId: session.sessionId }, context());
});
