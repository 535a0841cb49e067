/** Samples from the prior: seeded draws decoded, a temperature that scales a Gaussian's spread, random code grids, and refusals. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { type Backend, loadBackend } from '../../src/engine/backend';
import { createHandlers } from '../../src/engine/handlers';
import { runTraining } from '../../src/engine/training/runTraining';
import { callHandler } from '../support/helpers';

let backend: Backend;
const workDir = mkdtempSync(path.join(tmpdir(), 'latent-lab-prior-'));
before(async () => {
  backend = await loadBackend();
});
after(() => rmSync(workDir, { recursive: true, force: true }));

const base = { data: 'sample', limit: 600, epochs: 1, batchSize: 100, timelineProbes: 0 } as const;

test('a VAE draws z ~ N(0, T²I): the seed repeats a draw, T scales it, T = 0 decodes the origin', async () => {
  const out = path.join(workDir, 'vae');
  await runTraining(backend, { ...base, model: 'vae', latentDim: 4, out, config: { hidden: [32] } });
  const handlers = createHandlers();
  const { sessionId, capabilities } = await callHandler(handlers, 'openSession', { checkpoint: out, limit: 100 });
  assert.equal(capabilities.prior, 'gaussian');
  const draw = (seed: number, temperature?: number) => callHandler(handlers, 'priorSamples', { sessionId, count: 400, seed, ...(temperature === undefined ? {} : { temperature }) });
  const [a, again, other, hot, cold, zero, zeroAgain] = await Promise.all([draw(1), draw(1), draw(2), draw(1, 2), draw(1, 0), draw(0), draw(0)]);
  assert.deepEqual(Array.from(a.latents), Array.from(again.latents));
  assert.deepEqual(Array.from(zero.latents), Array.from(zeroAgain.latents), 'seed 0 repeats too (tfjs reads 0 as no seed)');
  assert.notDeepEqual(Array.from(a.latents), Array.from(other.latents));
  const spread = (values: Float32Array) => Math.sqrt(values.reduce((sum, value) => sum + value * value, 0) / values.length);
  assert.ok(Math.abs(spread(a.latents) - 1) < 0.1, `unit spread at T = 1 (${spread(a.latents)})`);
  assert.ok(Math.abs(spread(hot.latents) - 2) < 0.2, `twice the spread at T = 2 (${spread(hot.latents)})`);
  assert.ok(cold.latents.every((value) => value === 0));
  assert.equal(a.images.count, 400);
  assert.deepEqual(a.images.shape, [28, 28, 1]);
  const size = 28 * 28;
  const first = cold.images.pixels.subarray(0, size);
  assert.ok(cold.images.pixels.subarray(size, 2 * size).every((value, i) => value === first[i]), 'every sample at the origin decodes alike');
  await callHandler(handlers, 'closeSession', { sessionId });
});

test('a VQ-VAE draws each position a code of its codebook; a plain autoencoder says it has no prior', async () => {
  const vq = path.join(workDir, 'vq');
  await runTraining(backend, { ...base, model: 'vqvae', latentDim: 3, out: vq, config: { positions: 4, codebookSize: 16 } });
  const handlers = createHandlers();
  const session = await callHandler(handlers, 'openSession', { checkpoint: vq, limit: 100 });
  assert.equal(session.capabilities.prior, 'codes');
  const { latents } = await callHandler(handlers, 'priorSamples', { sessionId: session.sessionId, count: 8, seed: 5 });
  assert.equal(latents.length, 8 * session.latentDim);
  const features = await callHandler(handlers, 'features', { sessionId: session.sessionId });
  // Every drawn position decodes like some code: its vector is one of the k codebook rows, so there are at most k distinct ones.
  const width = session.latentDim / 4;
  assert.equal(width, 3);
  const vectors = new Set<string>();
  for (let i = 0; i < latents.length; i += width) vectors.add(Array.from(latents.subarray(i, i + width)).join());
  assert.ok(vectors.size > 1 && vectors.size <= features.images.count, `${vectors.size} distinct code vectors of ${features.images.count}`);

  const ae = path.join(workDir, 'ae');
  await runTraining(backend, { ...base, model: 'ae', out: ae, config: { hidden: [16] } });
  const plain = await callHandler(handlers, 'openSession', { checkpoint: ae, limit: 50 });
  assert.equal(plain.capabilities.prior, undefined);
  await assert.rejects(callHandler(handlers, 'priorSamples', { sessionId: plain.sessionId, count: 4, seed: 0 }), /a ae model has no prior to sample from; prior samples need a VAE or a VQ-VAE/);
  for (const sessionId of [session.sessionId, plain.sessionId]) await callHandler(handlers, 'closeSession', { sessionId });
});
