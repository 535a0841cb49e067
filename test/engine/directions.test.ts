/** Directions saved with a checkpoint: listed, replaced by name, deleted, checked, and kept while a run saves over the folder. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { type Backend, loadBackend } from '../../src/engine/backend';
import { createHandlers } from '../../src/engine/handlers';
import { runTraining } from '../../src/engine/training/runTraining';
import { callHandler } from '../support/helpers';

let backend: Backend;
const workDir = mkdtempSync(path.join(tmpdir(), 'latent-lab-directions-'));
before(async () => {
  backend = await loadBackend();
});
after(() => rmSync(workDir, { recursive: true, force: true }));

const run = { model: 'ae', data: 'sample', limit: 600, batchSize: 100, latentDim: 3, timelineProbes: 0, config: { hidden: [16] } } as const;

test('directions are saved with the checkpoint, replaced by name, deleted, and refused when they do not fit', async () => {
  const out = path.join(workDir, 'basic');
  await runTraining(backend, { ...run, epochs: 1, out });
  const handlers = createHandlers();
  const { sessionId } = await callHandler(handlers, 'openSession', { checkpoint: out, limit: 100 });
  assert.deepEqual((await callHandler(handlers, 'directions', { sessionId })).directions, []);
  await callHandler(handlers, 'saveDirection', { sessionId, name: 'thick', vector: Float32Array.from([1, 2, 3]), note: 'label 0 − label 1' });
  await callHandler(handlers, 'saveDirection', { sessionId, name: 'slant', vector: Float32Array.from([0, 0, 1]) });
  const replaced = await callHandler(handlers, 'saveDirection', { sessionId, name: 'thick', vector: Float32Array.from([4, 5, 6]) });
  assert.deepEqual(replaced.directions, [{ name: 'slant', vector: [0, 0, 1] }, { name: 'thick', vector: [4, 5, 6] }]);
  // A new session (a reopened window) reads them from the folder.
  const reopened = await callHandler(handlers, 'openSession', { checkpoint: out, limit: 10 });
  assert.deepEqual((await callHandler(handlers, 'directions', { sessionId: reopened.sessionId })).directions.map((direction) => direction.name), ['slant', 'thick']);
  assert.deepEqual((await callHandler(handlers, 'deleteDirection', { sessionId, name: 'slant' })).directions.map((direction) => direction.name), ['thick']);
  await assert.rejects(callHandler(handlers, 'deleteDirection', { sessionId, name: 'slant' }), /there is no direction named "slant"/);
  await assert.rejects(callHandler(handlers, 'saveDirection', { sessionId, name: 'short', vector: Float32Array.from([1]) }), /the direction has 1 values but the latents have 3/);
  await assert.rejects(callHandler(handlers, 'saveDirection', { sessionId, name: 'nan', vector: Float32Array.from([1, NaN, 0]) }), /holds NaN or infinite values/);

  // A file another model wrote, or a damaged one, is named in one line.
  const file = path.join(out, 'directions.json');
  writeFileSync(file, JSON.stringify({ format: 'latent-lab-directions', version: 1, directions: [{ name: 'wide', vector: [1, 2] }] }));
  await assert.rejects(callHandler(handlers, 'directions', { sessionId }), /directions.json: direction "wide" has 2 values but the model's latents have 3; it belongs to another model/);
  writeFileSync(file, '{"format": "latent-lab-directions", "version": 1, "directions": [{"name": 5}]}');
  await assert.rejects(callHandler(handlers, 'directions', { sessionId }), /directions.json: .*the file is damaged or from another program/);
  rmSync(file);
  for (const id of [sessionId, reopened.sessionId]) await callHandler(handlers, 'closeSession', { sessionId: id });
});

test('saves and deletes sent together from two sessions all land: none reads the file before another has written it', async () => {
  const out = path.join(workDir, 'together');
  await runTraining(backend, { ...run, epochs: 1, out });
  const handlers = createHandlers();
  const sessions = await Promise.all([0, 1].map(() => callHandler(handlers, 'openSession', { checkpoint: out, limit: 10 })));
  const names = Array.from({ length: 24 }, (_, i) => `d${i}`);
  await Promise.all(names.map((name, i) => callHandler(handlers, 'saveDirection', { sessionId: sessions[i % 2]!.sessionId, name, vector: Float32Array.from([i, 0, 1]) })));
  const saved = (await callHandler(handlers, 'directions', { sessionId: sessions[0]!.sessionId })).directions;
  assert.deepEqual(saved.map((direction) => direction.name).sort(), [...names].sort());
  const gone = names.filter((_, i) => i % 3 === 0);
  const results = await Promise.allSettled([...gone, 'missing'].map((name, i) => callHandler(handlers, 'deleteDirection', { sessionId: sessions[i % 2]!.sessionId, name })));
  assert.equal(results.filter((result) => result.status === 'rejected').length, 1, 'only the missing name fails, and the others go on after it');
  const left = (await callHandler(handlers, 'directions', { sessionId: sessions[1]!.sessionId })).directions.map((direction) => direction.name);
  assert.deepEqual(left.sort(), names.filter((name) => !gone.includes(name)).sort());
  for (const { sessionId } of sessions) await callHandler(handlers, 'closeSession', { sessionId });
});

test('a latents session keeps no directions, and says why', async () => {
  const latents = path.join(workDir, 'latents.npy');
  const { encodeNpy } = await import('../../src/engine/data/readers/npy');
  writeFileSync(latents, encodeNpy(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)), [20, 2]));
  const handlers = createHandlers();
  const { sessionId } = await callHandler(handlers, 'openSession', { latents });
  const listed = await callHandler(handlers, 'directions', { sessionId });
  assert.deepEqual(listed.directions, []);
  assert.match(listed.unsaved ?? '', /^a latents session has no checkpoint folder to keep directions in; they last while the page is open/);
  await assert.rejects(callHandler(handlers, 'saveDirection', { sessionId, name: 'x', vector: Float32Array.from([1, 0]) }), /a latents session has no checkpoint folder to keep directions in; they last while the page is open/);
  await callHandler(handlers, 'closeSession', { sessionId });
});

test('directions saved while the run trains on are all in the checkpoint when it ends', async () => {
  const out = path.join(workDir, 'live');
  await runTraining(backend, { ...run, epochs: 1, out });
  const handlers = createHandlers();
  const { sessionId } = await callHandler(handlers, 'openSession', { checkpoint: out, limit: 50 });
  let training = true;
  const trained = runTraining(backend, { ...run, epochs: 12, out, resume: true }).finally(() => (training = false));
  const names: string[] = [];
  // Every save of the run swaps the whole folder; directions written meanwhile must land in the new one.
  while (training) {
    const name = `d${names.length}`;
    await callHandler(handlers, 'saveDirection', { sessionId, name, vector: Float32Array.from([names.length, 1, 2]) });
    names.push(name);
  }
  assert.equal((await trained).status, 'completed');
  assert.ok(names.length >= 5, `${names.length} directions were saved while the run trained`);
  const saved = JSON.parse(readFileSync(path.join(out, 'directions.json'), 'utf8')) as { directions: { name: string }[] };
  assert.deepEqual(saved.directions.map((direction) => direction.name), names);
  await callHandler(handlers, 'closeSession', { sessionId });
});
