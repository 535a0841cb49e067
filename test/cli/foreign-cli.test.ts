/** `latent-lab encode --model …` and `inspect` on models made by Keras, PyTorch and TensorFlow: the .npy equals the frameworks' latents. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { parseNpy } from '../../src/engine/data/readers/npy';
import { assertClose, makeForeignFixtures, readReference } from '../support/foreignFixtures';
import { cliErrorLines, lastJson, runCli } from '../support/helpers';

let fixtures: string;
const scratch = mkdtempSync(path.join(tmpdir(), 'latent-lab-foreign-cli-'));

before(async () => {
  fixtures = await makeForeignFixtures();
});
after(() => rmSync(scratch, { recursive: true, force: true }));

const cases = [
  { name: 'a whole Keras autoencoder cut at --latent-layer', flags: () => ['--model', path.join(fixtures, 'tfjs', 'vae_full', 'model.json'), '--latent-layer', 'z_mean'], reference: 'keras_latents.npy', kind: 'tfjs-layers' },
  { name: 'a PyTorch encoder exported to ONNX', flags: () => ['--model', path.join(fixtures, 'onnx', 'encoder.onnx')], reference: 'torch_latents.npy', kind: 'onnx' },
  { name: 'a SavedModel signature', flags: () => ['--model', path.join(fixtures, 'savedmodel'), '--signature', 'encode', '--output', 'z_mean'], reference: 'keras_latents.npy', kind: 'savedmodel' },
  { name: 'a PyTorch encoder exported without dynamic_axes (batch fixed at 1)', flags: () => ['--model', path.join(fixtures, 'onnx_batch1', 'encoder.onnx')], reference: 'torch_latents.npy', kind: 'onnx' },
  { name: "the TensorFlow tutorial's Keras model, which takes [28, 28]", flags: () => ['--model', path.join(fixtures, 'tfjs', 'tutorial_full', 'model.json'), '--latent-layer', 'code'], reference: 'tutorial_latents.npy', kind: 'tfjs-layers' },
  { name: 'a tfjs model named by its folder', flags: () => ['--model', path.join(fixtures, 'tfjs', 'vae_full'), '--latent-layer', 'z_mean'], reference: 'keras_latents.npy', kind: 'tfjs-layers' },
  { name: 'an ONNX encoder named by its folder', flags: () => ['--model', path.join(fixtures, 'onnx_batch5')], reference: 'torch_latents.npy', kind: 'onnx' },
] as const;

for (const [index, { name, flags, reference, kind }] of cases.entries()) {
  test(`encode --model: ${name} writes the framework's latents`, async () => {
    const out = path.join(scratch, `${index}-${kind}.npy`);
    const result = await runCli(['encode', ...flags(), '--data', path.join(fixtures, 'inputs.npy'), '--out', out, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(lastJson(result.stdout), { latents: out, count: 64, latentDim: 8, kind });
    const written = parseNpy(readFileSync(out), out);
    assert.deepEqual(written.shape, [64, 8]);
    assertClose(written.data as Float32Array, readReference(fixtures, reference).values, 1e-4, `${kind} latents`);
  });
}

const inspectCases = [
  {
    name: 'a tfjs model folder: its inputs, outputs and layers',
    folder: () => path.join(fixtures, 'tfjs', 'tutorial_full'),
    check(summary: Record<string, unknown>) {
      assert.equal(summary.model, path.join(fixtures, 'tfjs', 'tutorial_full', 'model.json'));
      assert.deepEqual(summary.inputs, [{ name: 'image', shape: [null, 28, 28], dtype: 'float32' }]);
      assert.deepEqual(summary.outputs, [{ name: 'dec_reshape', shape: [null, 28, 28], dtype: 'float32' }]);
      assert.deepEqual((summary.layers as { name: string }[]).map((layer) => layer.name), ['image', 'flatten', 'code', 'dec_out', 'dec_reshape']);
    },
    human: [/^format +tfjs-layers$/m, /^inputs +image \[\?, 28, 28\] float32$/m, /^ +code Dense → \[\?, 8\]$/m],
  },
  {
    name: 'a SavedModel folder: its signatures with their inputs and outputs',
    folder: () => path.join(fixtures, 'savedmodel'),
    check(summary: Record<string, unknown>) {
      const [graph] = summary.graphs as { tags: string[]; signatures: { key: string; inputs: unknown[]; outputs: unknown[] }[] }[];
      assert.deepEqual(graph!.tags, ['serve']);
      const decode = graph!.signatures.find((signature) => signature.key === 'decode');
      assert.deepEqual(decode, { key: 'decode', inputs: [{ name: 'z', shape: [null, 8], dtype: 'float32' }], outputs: [{ name: 'x_hat', shape: [null, 28, 28, 1], dtype: 'float32' }] });
    },
    human: [/^format +savedmodel$/m, /^decode \(serve\) +z \[\?, 8\] float32 → x_hat \[\?, 28, 28, 1\] float32$/m],
  },
  {
    name: 'a folder of .onnx files: each one with its fixed batch size',
    folder: () => path.join(fixtures, 'onnx_batch1'),
    check(summary: Record<string, unknown>) {
      const folder = path.join(fixtures, 'onnx_batch1');
      assert.deepEqual(summary.files, [
        { file: path.join(folder, 'decoder.onnx'), inputs: [{ name: 'latent', shape: [1, 8], dtype: 'float32' }], outputs: [{ name: 'image', shape: [1, 1, 28, 28], dtype: 'float32' }] },
        { file: path.join(folder, 'encoder.onnx'), inputs: [{ name: 'image', shape: [1, 1, 28, 28], dtype: 'float32' }], outputs: [{ name: 'latent', shape: [1, 8], dtype: 'float32' }] },
      ]);
    },
    human: [/^format +onnx$/m, /^encoder\.onnx +image \[1, 1, 28, 28\] float32 → latent \[1, 8\] float32$/m],
  },
] as const;

for (const { name, folder, check, human } of inspectCases) {
  test(`inspect recognises ${name}`, async () => {
    const json = await runCli(['inspect', folder(), '--json']);
    assert.equal(json.code, 0, json.stderr);
    const summary = lastJson(json.stdout);
    assert.equal(summary.type, 'model');
    check(summary);
    const table = await runCli(['inspect', folder()]);
    assert.equal(table.code, 0, table.stderr);
    for (const pattern of human) assert.match(table.stdout, pattern);
  });
}

test('encode --model: bad model flags give one error line', async () => {
  const data = ['--data', path.join(fixtures, 'inputs.npy'), '--out', path.join(scratch, 'x.npy')];
  const full = path.join(fixtures, 'tfjs', 'vae_full', 'model.json');
  for (const [args, pattern] of [
    [['--model', full, '--latent-layer', 'nope'], /^error: .*has no layer "nope"; its layers are image, flatten, enc_hidden, z_mean/],
    [['--model', path.join(fixtures, 'onnx', 'encoder.onnx'), '--latent-layer', 'x'], /^error: --latent-layer does not apply to onnx models/],
    [['--model', full, '--latent-layer', 'z_mean', '--layout', 'chw'], /^error: .*takes samples of shape \[28, 28, 1\] but the data's samples are \[28, 28, 1\], given in the chw layout as \[1, 28, 28\]/],
    [['--model', full, '--checkpoint', scratch], /^error: encode needs --checkpoint DIR or --model PATH \(one of them\)/],
    [['--model', path.join(fixtures, 'onnx_batch1')], /^error: .*onnx_batch1 holds several \.onnx files \(decoder\.onnx, encoder\.onnx\); name the encoder's file with --model/],
  ] as const) {
    const { code, stderr } = await runCli(['encode', ...args, ...data]);
    assert.notEqual(code, 0);
    const lines = cliErrorLines(stderr);
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, pattern);
  }
});

test('on the fallback backend tfjs layers models still encode; SavedModels are refused with what to do', async () => {
  const env = { LATENT_LAB_BACKEND: 'cpu' };
  const out = path.join(scratch, 'cpu.npy');
  const data = ['--data', path.join(fixtures, 'inputs.npy'), '--out', out];
  const layers = await runCli(['encode', '--model', path.join(fixtures, 'tfjs', 'vae_full', 'model.json'), '--latent-layer', 'z_mean', ...data], env);
  assert.equal(layers.code, 0, layers.stderr);
  assertClose(parseNpy(readFileSync(out), out).data as Float32Array, readReference(fixtures, 'keras_latents.npy').values, 1e-4, 'cpu latents');
  const saved = await runCli(['encode', '--model', path.join(fixtures, 'savedmodel'), ...data], env);
  assert.notEqual(saved.code, 0);
  assert.deepEqual(cliErrorLines(saved.stderr), ['error: TF SavedModels need the native TensorFlow backend, but the engine runs on cpu (LATENT_LAB_BACKEND=cpu was requested); set it up with `latent-lab setup-native` (in VS Code: Latent Lab: Set Up Native Backend), or convert the model with tensorflowjs_converter']);
});

test('without onnxruntime-node an ONNX model gets one line that says how to install it', async () => {
  // Resolving the package fails as it does when the optional dependency was not installed.
  const hook = path.join(scratch, 'no-onnxruntime.cjs');
  writeFileSync(hook, `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'onnxruntime-node') throw Object.assign(new Error("Cannot find module 'onnxruntime-node'"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
`);
  const result = await runCli(['encode', '--model', path.join(fixtures, 'onnx', 'encoder.onnx'), '--data', path.join(fixtures, 'inputs.npy'), '--out', path.join(scratch, 'no.npy')], { NODE_OPTIONS: `--require ${hook}` });
  assert.notEqual(result.code, 0);
  assert.deepEqual(cliErrorLines(result.stderr), ["error: ONNX models need onnxruntime-node, an optional dependency that is not installed or does not load here (Cannot find module 'onnxruntime-node'); install it beside Latent Lab with `npm install onnxruntime-node`"]);
});
