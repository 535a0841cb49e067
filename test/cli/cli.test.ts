import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { cliErrorLines, distPath, lastJson, runCli } from '../support/helpers';

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
  [['info', '--color'], /^error: unknown option --color/],
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
  const { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
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

  // Rows are read from a .npy where it lies: a file over the in-memory data budget encodes, row for row as the same digits in memory.
  const { loadDataset } = await import('../../src/engine/data/loadDataset');
  const { encodeNpy } = await import('../../src/engine/data/readers/npy');
  const digits = await loadDataset('sample', { limit: 600 });
  const digitsFile = path.join(dir, 'digits.npy');
  // As the digits are stored (0–255), so the file's own scale matches the model's.
  writeFileSync(digitsFile, encodeNpy(digits.x.map((value) => Math.round(value * 255)), [digits.count, ...digits.shape]));
  const budget = '500000';
  assert.ok(digits.x.byteLength > Number(budget));
  const fromFile = path.join(dir, 'from-file.npy');
  const streamed = await runCli(['encode', '--checkpoint', checkpoint, '--data', digitsFile, '--out', fromFile, '--json'], { LATENT_LAB_MAX_DATA_BYTES: budget });
  assert.equal(streamed.code, 0, streamed.stderr);
  const fromMemory = path.join(dir, 'from-memory.npy');
  assert.equal((await runCli(['encode', '--checkpoint', checkpoint, '--data', 'sample', '--limit', '600', '--out', fromMemory])).code, 0);
  const npyValues = (file: string) => {
    const bytes = readFileSync(file);
    return new Float32Array(Uint8Array.from(bytes.subarray(10 + bytes.readUInt16LE(8))).buffer);
  };
  const [a, b] = [npyValues(fromFile), npyValues(fromMemory)];
  assert.equal(a.length, 600 * 3);
  assert.ok(a.every((value, i) => Math.abs(value - b[i]!) < 1e-5), 'the streamed latents equal those of the digits in memory');

  // The checkpoint's capabilities, not its kind's name, decide whether k may change.
  const fixedK = await runCli(['encode', '--checkpoint', checkpoint, '--data', 'sample', '--limit', '40', '--out', latents, '--k', '2']);
  assert.equal(fixedK.code, 2);
  assert.deepEqual(cliErrorLines(fixedK.stderr), ['error: --k applies to models whose number of active units can change (k-sparse), not to ae models']);
});

for (const [args, pattern] of [
  [['train', '--model', 'gan', '--data', 'sample'], /^error: unknown model kind "gan" \(known: vae, ae, dae, ksparse/],
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

// Forcing oneDNN on makes TensorFlow log its start-up banner on every CPU, so the test can fail.
const chattyTensorflow = { TF_ENABLE_ONEDNN_OPTS: '1' };

test('on the native backend the CLI prints only its own lines; --debug shows TensorFlow\'s', async (t) => {
  const json = await runCli(['info', '--json'], chattyTensorflow);
  if (lastJson(json.stdout).backend !== 'tensorflow') return t.skip('the native binding is not provisioned here');
  assert.equal(json.stderr, '');
  assert.equal(JSON.parse(json.stdout.split('\n')[0]!).backend, 'tensorflow');
  const merged = await runCliMerged(['info', '--json'], chattyTensorflow);
  assert.equal(JSON.parse(merged.split('\n')[0]!).backend, 'tensorflow', 'the JSON is the first line of stdout and stderr together');
  const human = await runCli(['info'], chattyTensorflow);
  assert.equal(human.code, 0);
  assert.equal(human.stderr, '');
  assert.match(human.stdout, /^backend +tensorflow \(native TensorFlow\)\n/);
  const debug = await runCli(['info', '--debug'], chattyTensorflow);
  assert.match(debug.stderr, /^I\d{4} .*oneDNN custom operations are on/m);
});

for (const [receiver, sendTo] of [
  ['the CLI process', (pid: number) => pid],
  ['the whole process group, as a terminal does', (pid: number) => -pid],
] as const) {
  test(`Ctrl-C sent to ${receiver} stops training after the current batch, notes and summary in order`, async (t) => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const train = ['train', '--model', 'ae', '--data', 'sample', '--epochs', '100', '--limit', '2000', '--batch-size', '20', '--out', path.join(dir, 'run'), '--json'];
    // exec keeps the pid: the signal reaches the CLI itself, whose stdout and stderr share one pipe.
    const child = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', process.execPath, distPath('cli.js'), ...train], { detached: true });
    let output = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (interrupted || !/epoch 1\/100/.test(output)) return;
      interrupted = true;
      process.kill(sendTo(child.pid!), 'SIGINT');
    });
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 130, output);
    assert.match(output, /stopping after the current batch[^]*\n\{.*\}\n$/, 'the note comes before the summary, as written');
    assert.equal(lastJson(output).status, 'cancelled', 'one Ctrl-C cancels cleanly: the summary is printed');
  });
}

/** stdout and stderr in one stream, as `2>&1` gives them. */
function runCliMerged(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', '"$@" 2>&1', 'sh', process.execPath, distPath('cli.js'), ...args], { env: { ...process.env, ...env } }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}
