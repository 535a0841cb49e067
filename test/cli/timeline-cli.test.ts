/** `latent-lab timeline`: a recorded timeline exported as .npz, read by numpy and shown by latent_lab_display. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { readCheckpointMeta } from '../../src/engine/checkpoint/checkpoint';
import { readEpochLatents } from '../../src/engine/checkpoint/timeline';
import { cliErrorLines, lastJson, repoRoot, runCli } from '../support/helpers';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-timeline-cli-'));
let python: string;
before(async () => {
  python = (await run('bash', [path.join(repoRoot, 'scripts/provision-python.sh'), 'reference'], { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** What numpy and latent_lab_display make of the export: shapes, the epoch-1 latents, and a payload for epoch 1 labelled by probe. */
const READ_BACK = `
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from latent_lab_display import LatentMapError, timeline_epoch_payload
arrays = np.load(sys.argv[1])
labels = np.arange(600) % 10
payload = timeline_epoch_payload(sys.argv[1], epoch=1, labels=labels)
try:
    timeline_epoch_payload(arrays, epoch=7)
    missing = None
except LatentMapError as error:
    missing = str(error)
print(json.dumps({
    "shapes": {name: list(arrays[name].shape) for name in arrays.files},
    "dtypes": {name: str(arrays[name].dtype) for name in arrays.files},
    "epoch1": arrays["latents"][0].ravel().tolist(),
    "probeLabels": (arrays["probe_rows"] % 10).tolist(),
    "payloadShape": payload["latents"]["shape"],
    "payloadTitle": payload["title"],
    "missing": missing,
}))
`;

test('timeline exports epochs × probes × dims and the KL per dim; numpy reads it and latent_lab_display shows one epoch', async () => {
  const checkpoint = path.join(dir, 'vae');
  const trained = await runCli(['train', '--model', 'vae', '--data', 'sample', '--limit', '600', '--epochs', '2', '--latent', '3', '--timeline-probes', '40', '--config', '{"hidden":[32]}', '--out', checkpoint, '--json']);
  assert.equal(trained.code, 0, trained.stderr);
  const out = path.join(dir, 'timeline.npz');
  const exported = await runCli(['timeline', checkpoint, '--out', out, '--json']);
  assert.equal(exported.code, 0, exported.stderr);
  assert.deepEqual(lastJson(exported.stdout), { timeline: out, checkpoint, epochs: [1, 2], probes: 40, latentDim: 3 });

  const { stdout } = await run(python, ['-c', READ_BACK, out, path.join(repoRoot, 'python')]);
  const read = JSON.parse(stdout) as { shapes: Record<string, number[]>; dtypes: Record<string, string>; epoch1: number[]; probeLabels: number[]; payloadShape: number[]; payloadTitle: string; missing: string };
  assert.deepEqual(read.shapes, { epochs: [2], probe_rows: [40], latents: [2, 40, 3], kl_per_dim: [2, 3] });
  assert.equal(read.dtypes.latents, 'float32');
  assert.equal(read.dtypes.probe_rows, 'int32');
  const { meta } = await readCheckpointMeta(checkpoint);
  const epochOne = await readEpochLatents(checkpoint, meta.timeline!, 1, 'test');
  assert.deepEqual(read.epoch1, Array.from(epochOne), 'numpy reads the values the engine recorded');
  assert.deepEqual(read.payloadShape, [40, 3]);
  assert.equal(read.payloadTitle, 'epoch 1 of 2, 40 probes');
  assert.equal(read.missing, 'timeline_map: epoch 7 was not recorded; the timeline has epochs 1–2');
});

test('a checkpoint without a timeline, and bad usage, get one error line', async () => {
  const checkpoint = path.join(dir, 'none');
  assert.equal((await runCli(['train', '--model', 'ae', '--data', 'sample', '--limit', '300', '--epochs', '1', '--timeline-probes', '0', '--out', checkpoint])).code, 0);
  const none = await runCli(['timeline', checkpoint, '--out', path.join(dir, 'x.npz')]);
  assert.notEqual(none.code, 0);
  assert.deepEqual(cliErrorLines(none.stderr), [`error: ${path.join(checkpoint, 'latent-lab.json')} has no latent timeline: the run was trained before timelines were recorded, or with timelineProbes 0 — train it again (or resume it) to record one`]);
  const usage = await runCli(['timeline', checkpoint]);
  assert.deepEqual(cliErrorLines(usage.stderr), ['error: timeline takes one checkpoint folder and --out FILE.npz']);
});
