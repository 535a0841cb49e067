/**
 * Prototype pollution through the JSON and header readers the engine points at user files: a
 * checkpoint's latent-lab.json, a tfjs model.json (and its topology, which tfjs deserialises), a
 * .npy header. Each hostile file is refused with a one-line error or read without its key taking
 * effect, and Object.prototype stays as it was.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadBackend, type Tf } from '../../src/engine/backend';
import { loadCheckpoint, saveCheckpoint } from '../../src/engine/checkpoint/checkpoint';
import { describeCheckpoint } from '../../src/engine/checkpoint/describe';
import { listLayers, loadTfjsLayers } from '../../src/engine/foreign/tfjsLayers';
import { parseNpy } from '../../src/engine/data/readers/npy';
import { ae } from '../../src/engine/models/ae';
import { disposeModelParts } from '../../src/engine/models/modelKind';
import { openCheckpoint } from '../../src/engine/models/openCheckpoint';

let tf: Tf;
let scratch: string;
/** A checkpoint the engine itself saved: every hostile case is one edit of its files. */
let pristine: string;
let counter = 0;

type Json = Record<string, unknown>;
const polluting = () => ({ polluted: 'yes' });

function assertUnpolluted(): void {
  assert.equal(({} as { polluted?: unknown }).polluted, undefined, '({}).polluted');
  assert.equal((Object.prototype as { polluted?: unknown }).polluted, undefined, 'Object.prototype.polluted');
  assert.equal((Object as { polluted?: unknown }).polluted, undefined, 'Object.polluted');
}

before(async () => {
  ({ tf } = await loadBackend());
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'latent-lab-hostile-json-'));
  pristine = path.join(scratch, 'pristine');
  const config = { ...ae.defaults([6], 2), hidden: [4] };
  const model = ae.build(tf, config, [6]);
  try {
    await saveCheckpoint(tf, pristine, model.parts, {
      kind: 'ae',
      config,
      inputShape: [6],
      latentDim: 2,
      normalization: { kind: 'minmax', min: [0], max: [1] },
      metrics: { loss: 0.5 },
      history: [{ epoch: 0, loss: 0.5 }],
      epoch: 0,
    });
  } finally {
    model.dispose();
  }
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

/** A copy of the pristine checkpoint with `file` (relative to it) rewritten by `edit`. */
async function hostileCopy(file: string, edit: (json: Json) => void): Promise<string> {
  const dir = path.join(scratch, `case-${counter++}`);
  await fs.cp(pristine, dir, { recursive: true });
  const json = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as Json;
  edit(json);
  await fs.writeFile(path.join(dir, file), JSON.stringify(json));
  return dir;
}

/** Refused in one line, or read with `check` holding of the result; either way nothing is polluted. */
async function refusedOrHarmless<T>(read: () => Promise<T>, check: (value: T) => void, label: string): Promise<'refused' | 'read'> {
  let value: T;
  try {
    value = await read();
  } catch (error) {
    assertUnpolluted();
    assert.ok(error instanceof Error, `${label}: threw ${String(error)}`);
    assert.match(error.message, /^[^\n]+$/, `${label}: a one-line error`);
    return 'refused';
  }
  assertUnpolluted();
  check(value);
  return 'read';
}

const at = (json: Json, ...keys: (string | number)[]): Json => keys.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key]!, json);
/** An own key, as JSON.parse makes it: plain assignment of "__proto__" would set the prototype instead. */
const put = (json: Json, key: string, value: unknown) => Object.defineProperty(json, key, { value, enumerable: true, writable: true, configurable: true });
/** The keys that pollute a prototype when a reader merges or assigns naively. */
const putHostileKeys = (json: Json) => {
  put(json, '__proto__', polluting());
  put(json, 'constructor', { prototype: polluting() });
};

const metaCases: [string, (meta: Json) => void, 'refused' | 'read'][] = [
  ['top-level __proto__ and constructor', putHostileKeys, 'refused'],
  ['__proto__ in config', (meta) => put(at(meta, 'config'), '__proto__', polluting()), 'refused'],
  ['constructor.prototype in config', (meta) => put(at(meta, 'config'), 'constructor', { prototype: polluting() }), 'refused'],
  ['__proto__ in normalization', (meta) => put(at(meta, 'normalization'), '__proto__', polluting()), 'refused'],
  ['__proto__ object in metrics', (meta) => put(at(meta, 'metrics'), '__proto__', polluting()), 'refused'],
  ['__proto__ number in metrics and history', (meta) => (put(at(meta, 'metrics'), '__proto__', 1), put(at(meta, 'history', 0), '__proto__', 2)), 'read'],
  ['kind __proto__', (meta) => put(meta, 'kind', '__proto__'), 'refused'],
  ['kind constructor', (meta) => put(meta, 'kind', 'constructor'), 'refused'],
];

for (const [name, edit, expected] of metaCases) {
  test(`latent-lab.json with ${name}: ${expected}, nothing polluted`, async () => {
    const dir = await hostileCopy('latent-lab.json', edit);
    const outcome = await refusedOrHarmless(
      () => openCheckpoint(tf, dir),
      (opened) => {
        for (const record of [opened.meta.metrics, opened.meta.history[0]!]) assert.equal(Object.getPrototypeOf(record), Object.prototype, 'a __proto__ key stays a key');
        assert.equal(Object.getOwnPropertyDescriptor(opened.meta.metrics, '__proto__')?.value, 1);
        opened.model.dispose();
      },
      name,
    );
    assert.equal(outcome, expected);
    await refusedOrHarmless(() => describeCheckpoint(tf, dir), () => undefined, `${name} (describe)`);
  });
}

test('an extra tensor named __proto__ is refused; one named constructor stays a named variable', async () => {
  for (const [name, expected] of [['__proto__', 'refused'], ['constructor', 'read']] as const) {
    const dir = await hostileCopy('latent-lab.json', (meta) => put(meta, 'extra', [{ name, shape: [2], dtype: 'float32', byteOffset: 0 }]));
    await fs.writeFile(path.join(dir, 'extra.bin'), Buffer.from(new Float32Array([1, 2]).buffer));
    const tensors = tf.memory().numTensors;
    const outcome = await refusedOrHarmless(
      () => loadCheckpoint(tf, dir),
      ({ parts }) => {
        try {
          assert.equal(Object.getPrototypeOf(parts.extraVariables), Object.prototype, name);
          assert.deepEqual(Object.keys(parts.extraVariables), [name]);
        } finally {
          disposeModelParts(parts);
        }
      },
      name,
    );
    assert.equal(outcome, expected, name);
    assert.equal(tf.memory().numTensors, tensors, `${name}: every tensor of the checkpoint is disposed with it`);
  }
});

const encoderJson = path.join('encoder', 'model.json');
const layer = (json: Json, index: number) => at(json, 'modelTopology', 'config', 'layers', index);
/** Renames the first hidden layer everywhere the topology and the weights name it. */
const renameLayer = (to: string) => (json: Json) => {
  const from = layer(json, 1).name as string;
  const renamed = JSON.parse(JSON.stringify(json).replaceAll(`"${from}`, `"${to}`)) as Json;
  for (const key of Object.keys(json)) put(json, key, renamed[key]);
};
const modelJsonCases: [string, (json: Json) => void][] = [
  ['top-level __proto__ and constructor', putHostileKeys],
  ['__proto__ and constructor in modelTopology', (json) => putHostileKeys(at(json, 'modelTopology'))],
  ['__proto__ and constructor in the model config', (json) => putHostileKeys(at(json, 'modelTopology', 'config'))],
  ['__proto__ and constructor in a layer', (json) => putHostileKeys(layer(json, 1))],
  ['__proto__ and constructor in a layer config', (json) => putHostileKeys(at(layer(json, 1), 'config'))],
  ['__proto__ and constructor in an initializer config', (json) => putHostileKeys(at(layer(json, 1), 'config', 'kernel_initializer', 'config'))],
  ['__proto__ and constructor in node kwargs', (json) => putHostileKeys(at(layer(json, 1), 'inbound_nodes', 0, 0, 3))],
  ['a layer of class __proto__', (json) => put(layer(json, 1), 'class_name', '__proto__')],
  ['a layer of class constructor', (json) => put(layer(json, 1), 'class_name', 'constructor')],
  ['an initializer of class __proto__', (json) => put(at(layer(json, 1), 'config', 'kernel_initializer'), 'class_name', '__proto__')],
  ['an activation named __proto__', (json) => put(at(layer(json, 1), 'config'), 'activation', '__proto__')],
  ['an activation named constructor', (json) => put(at(layer(json, 1), 'config'), 'activation', 'constructor')],
  ['a layer named __proto__', renameLayer('__proto__')],
  ['a layer named constructor', renameLayer('constructor')],
  ['a weight named __proto__', (json) => put(at(json, 'weightsManifest', 0, 'weights', 0), 'name', '__proto__')],
];

for (const [name, edit] of modelJsonCases) {
  test(`tfjs model.json with ${name}: refused or harmless, nothing polluted`, async (t) => {
    const dir = await hostileCopy(encoderJson, edit);
    const modelJson = path.join(dir, encoderJson);
    const tensors = tf.memory().numTensors;
    const listed = await refusedOrHarmless(() => listLayers(tf, modelJson), () => undefined, `${name} (layers)`);
    const loaded = await refusedOrHarmless(
      () => loadTfjsLayers(tf, { format: 'tfjs-layers', model: modelJson }),
      (model) => model.dispose(),
      `${name} (load)`,
    );
    t.diagnostic(`layers: ${listed}, load: ${loaded}`);
    assert.equal(tf.memory().numTensors, tensors, `${name}: nothing it allocated outlives it`);
  });
}

test('a .npy header dict with __proto__ and constructor keys: the keys stay keys', () => {
  const npy = (header: string) => {
    const text = `${header.padEnd(118, ' ')}\n`;
    const preamble = Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, text.length & 0xff, text.length >> 8]);
    return Buffer.concat([preamble, Buffer.from(text, 'latin1'), Buffer.from(new Float32Array([1, 2]).buffer)]);
  };
  const parsed = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), '__proto__': {'polluted': 'yes'}, 'constructor': {'prototype': {'polluted': 'yes'}}}"), 'hostile.npy');
  assert.deepEqual(parsed.shape, [2]);
  // The required keys must be the header's own, not found on a prototype the header supplies.
  assert.throws(() => parseNpy(npy("{'__proto__': {'descr': '<f4', 'fortran_order': False, 'shape': (2,)}}"), 'hostile.npy'), /lacks descr/);
  assertUnpolluted();
});
