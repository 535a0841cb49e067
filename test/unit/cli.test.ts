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
