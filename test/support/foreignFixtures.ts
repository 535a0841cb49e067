/**
 * The foreign-model fixtures: real Keras, SavedModel and PyTorch→ONNX models made by
 * scripts/make-foreign-fixtures.sh (cached; the first run trains them, later runs only look them up),
 * with the inputs and the latents and decodes the original frameworks computed for them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseNpy } from '../../src/engine/data/readers/npy';
import { type Backend, loadBackend } from '../../src/engine/backend';
import type { ForeignCodec } from '../../src/engine/foreign/openForeign';
import { repoRoot } from './helpers';

export interface Reference {
  values: Float32Array;
  shape: number[];
}

export function makeForeignFixtures(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [path.join(repoRoot, 'scripts', 'make-foreign-fixtures.sh')], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`make-foreign-fixtures.sh failed: ${stderr.split('\n').filter(Boolean).slice(-5).join(' | ')}`));
      else resolve(stdout.trim().split('\n').pop()!);
    });
  });
}

/** The shape of one fixture input as the data readers give it: a 28×28 grey digit. */
export const INPUT_SHAPE = [28, 28, 1];

/** What the model-level tests start from: the fixtures, the backend and the fixture inputs. */
export async function loadForeignFixtures(): Promise<{ backend: Backend; fixtures: string; inputs: Reference }> {
  const fixtures = await makeForeignFixtures();
  return { backend: await loadBackend(), fixtures, inputs: readInputs(fixtures) };
}

export function readReference(dir: string, name: string): Reference {
  const file = path.join(dir, name);
  const raw = parseNpy(readFileSync(file), file);
  return { values: Float32Array.from(raw.data as ArrayLike<number>), shape: raw.shape };
}

/** The fixture inputs as the data readers give them: bytes / 255. */
export function readInputs(dir: string): Reference {
  const { values, shape } = readReference(dir, 'inputs.npy');
  return { values: values.map((value) => value / 255), shape };
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  assert.ok(worst <= tolerance, `${what}: max abs difference ${worst} > ${tolerance}`);
}

/** The model agrees with its framework: the fixture inputs encode to `latents` and those latents decode to `decoded`. */
export async function assertMatchesFramework(codec: ForeignCodec, fixtures: string, inputs: Reference, names: { latents: string; decoded: string }): Promise<void> {
  const latents = readReference(fixtures, names.latents);
  assertClose(await codec.encode(inputs.values, inputs.shape[0]!), latents.values, 1e-4, names.latents);
  assertClose(await codec.decode!(latents.values, latents.shape[0]!), readReference(fixtures, names.decoded).values, 1e-4, names.decoded);
}
