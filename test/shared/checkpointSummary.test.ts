import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { createHandlers } from '../../src/engine/handlers';
import { CHECKPOINT_FILE, MAX_CHECKPOINT_FILE_BYTES, parseCheckpointSummary } from '../../src/shared/checkpointSummary';

const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const bytes = (text: string) => new TextEncoder().encode(text);

test('the summary the host reads is a subset of what the engine writes: a real checkpoint parses', async () => {
  const out = path.join(dir, 'run');
  const controller = new AbortController();
  await createHandlers().train({ model: 'ae', data: 'sample', limit: 64, epochs: 1, latentDim: 3, out, config: { hidden: [8] } }, { signal: controller.signal, emit: () => {} });
  const file = path.join(out, CHECKPOINT_FILE);
  const summary = parseCheckpointSummary(readFileSync(file), file);
  assert.equal(summary.kind, 'ae');
  assert.equal(summary.latentDim, 3);
  assert.equal(summary.epoch, 1);
  assert.equal(summary.dataset?.source, 'sample');
  assert.equal(typeof summary.metrics.loss, 'number');
  assert.deepEqual((summary.config as { hidden?: number[] }).hidden, [8]);
});

test('what is not checkpoint metadata fails in one line naming the file', () => {
  assert.throws(() => parseCheckpointSummary(bytes('{"kind": "ae"'), '/runs/a/latent-lab.json'), /^Error: \/runs\/a\/latent-lab\.json: not JSON/);
  assert.throws(() => parseCheckpointSummary(bytes('{"kind": "ae", "epoch": 1}'), '/runs/b/latent-lab.json'), /\/runs\/b\/latent-lab\.json\.config: expected/);
  assert.throws(() => parseCheckpointSummary(new Uint8Array(MAX_CHECKPOINT_FILE_BYTES + 1), '/runs/c/latent-lab.json'), /too large for checkpoint metadata/);
});

test('__proto__ keys in the file stay keys: nothing is polluted', () => {
  const text = '{"kind": "ae", "config": {"__proto__": {"polluted": true}}, "latentDim": 2, "epoch": 1, "createdAt": "x", "metrics": {"__proto__": 1}, "__proto__": {"polluted": true}}';
  assert.doesNotThrow(() => parseCheckpointSummary(bytes(text), 'latent-lab.json'));
  assert.equal(({} as { polluted?: unknown }).polluted, undefined);
});
