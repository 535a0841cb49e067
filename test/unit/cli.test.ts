import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliErrorLines, lastJson, runCli } from './helpers';

test('info --json prints the backend and versions as the last stdout line', async () => {
  const { code, stdout } = await runCli(['info', '--json']);
  assert.equal(code, 0);
  const info = lastJson(stdout);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.backend as string));
  assert.equal(info.tfjsVersion, '4.22.0');
  assert.equal(info.node, process.versions.node);
});

test('a forced fallback says so visibly and never claims to be native', async () => {
  const { code, stdout, stderr } = await runCli(['info', '--json'], { LATENT_LAB_BACKEND: 'cpu' });
  assert.equal(code, 0);
  assert.equal(lastJson(stdout).backend, 'cpu');
  assert.equal(lastJson(stdout).native, false);
  assert.match(stderr, /using the cpu backend/);
});

for (const [args, pattern] of [
  [['frobnicate'], /^error: unknown command "frobnicate"/],
  [['info', '--colour'], /^error: unknown option --colour/],
] as const) {
  test(`bad usage (${args.join(' ')}) gives one error line, no stack, non-zero exit`, async () => {
    const { code, stderr } = await runCli([...args]);
    assert.notEqual(code, 0);
    const errors = cliErrorLines(stderr);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, pattern);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace without --debug');
  });
}

test('train --json, inspect and encode work end to end on the bundled sample', async (t) => {
  const { copyFileSync, mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const checkpoint = path.join(dir, 'run');
  const trained = await runCli(['train', '--model', 'ae', '--data', 'sample', '--epochs', '2', '--limit', '500', '--latent', '3', '--out', checkpoint, '--json']);
  assert.equal(trained.code, 0, trained.stderr);
  const summary = lastJson(trained.stdout);
  assert.equal(summary.model, 'ae');
  assert.equal(summary.checkpoint, checkpoint);
  assert.ok(Number.isFinite(summary.finalLoss as number));
  assert.ok((summary.samplesPerSecond as number) > 0);
  assert.match(trained.stderr, /epoch 2\/2 {2}loss/);
  // 450 training digits: three steps of 128 a epoch, so the third compiles and the next three replay it.
  assert.equal(summary.execution, 'steps of 128 samples ran as one TensorFlow graph each after three eager steps');
  const eager = lastJson((await runCli(['train', '--model', 'ae', '--data', 'sample', '--epochs', '1', '--limit', '200', '--out', path.join(dir, 'eager'), '--eager', '--json'])).stdout);
  assert.equal(eager.execution, 'steps ran eagerly: graph compilation was turned off');

  const inspected = await runCli(['inspect', checkpoint, '--json']);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.equal(lastJson(inspected.stdout).kind, 'ae');
  assert.equal(lastJson(inspected.stdout).latentDim, 3);
  // A checkpoint keeps priority over the model files its folder may also hold.
  copyFileSync(path.join(checkpoint, 'encoder', 'model.json'), path.join(checkpoint, 'model.json'));
  assert.equal(lastJson((await runCli(['inspect', checkpoint, '--json'])).stdout).type, 'checkpoint');

  const latents = path.join(dir, 'latents.npy');
  const encoded = await runCli(['encode', '--checkpoint', checkpoint, '--data', 'sample', '--limit', '40', '--out', latents, '--json']);
  assert.equal(encoded.code, 0, encoded.stderr);
  const npy = readFileSync(latents);
  assert.equal(npy.subarray(1, 6).toString(), 'NUMPY');
  assert.match(npy.toString('latin1', 10, 128), /'shape': \(40, 3\)/);
  const inspectedLatents = lastJson((await runCli(['inspect', latents, '--json'])).stdout);
  assert.equal(inspectedLatents.count, 40);
  assert.deepEqual(inspectedLatents.shape, [3]);
});

for (const [args, pattern] of [
  [['train', '--model', 'gan', '--data', 'sample'], /^error: train.model: expected one of ae, dae/],
  [['train', '--model', 'ae'], /^error: train needs --data/],
  [['train', '--model', 'ae', '--data', '/no/such/file.npy', '--epochs', '1'], /^error: \/no\/such\/file.npy: no such file/],
  [['train', '--model', 'ae', '--data', 'sample', '--epochs', 'many'], /^error: --epochs must be an integer/],
  [['train', '--model', 'conv', '--data', 'sample', '--config', '{"filters":[8,8,8]}', '--epochs', '1', '--limit', '10'], /^error: conv models with 3 stride-2 stages need height and width divisible by 8; got 28×28/],
  [['inspect', '/etc/hostname'], /^error: \/etc\/hostname: unknown dataset format/],
  [['encode', '--checkpoint', '/tmp', '--data', 'sample', '--out', '/tmp/x.npy'], /^error: .*latent-lab.json/],
] as const) {
  test(`bad input (${args.join(' ')}) gives one clear error line`, async () => {
    const { code, stderr } = await runCli([...args]);
    assert.notEqual(code, 0);
    const errors = cliErrorLines(stderr);
    assert.equal(errors.length, 1, stderr);
    assert.match(errors[0]!, pattern);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
}
