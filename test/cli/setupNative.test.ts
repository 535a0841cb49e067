/**
 * `latent-lab setup-native` end to end on an installation laid out as the linux-x64 package (no
 * node_modules beside it): from the wheel provisioning caches (pip --no-index --find-links, never a
 * download), after which a fresh process loads natively from the folder it filled, and from nowhere
 * else; and its failures (no Python, no index, a wheel unlike its published sha256, no yes) each one
 * line that leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { devNull, tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fileSha256 } from '../../src/engine/native/setup';
import { cliErrorLines, type CliResult, lastJson } from '../support/helpers';
import { cachedWheel, installedEnv, nativeSetupUnavailable, runInstalled, spec, stageInstalledCli } from '../support/installedCli';

describe('latent-lab setup-native', { skip: nativeSetupUnavailable() }, () => {
  let root = '';
  let cli = '';
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'latent-lab-setup-native-'));
    cli = stageInstalledCli(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  /** A fresh, empty folder for setup to fill, and the environment that points there. */
  const fresh = (name: string) => {
    const home = path.join(root, name);
    return { home, env: installedEnv(root, home) };
  };
  const wheel = () => cachedWheel()!;
  const lib = () => spec!.libraries;

  test('before setup the engine falls back saying how to set up, and --check finds the binding and no libtensorflow', { timeout: 60_000 }, async () => {
    const { home, env } = fresh('before');
    const info = lastJson((await runInstalled(cli, ['info', '--json'], env)).stdout);
    assert.equal(info.native, false);
    assert.match(String(info.fallbackReason), /^libtensorflow 2\.21\.0, the TensorFlow library the native backend needs, is not set up: run `latent-lab setup-native` or, in VS Code, "Latent Lab: Set Up Native Backend" \(downloads 274 MB once\)$/);
    const check = await runInstalled(cli, ['setup-native', '--check', '--json'], env);
    assert.equal(check.code, 0, check.stderr);
    const status = lastJson(check.stdout);
    assert.equal(status.binding, path.join(path.dirname(cli), 'native', 'tfjs_binding.node'));
    assert.equal(status.libtensorflow, null);
    assert.equal(status.destination, path.join(home, 'libtensorflow-2.21.0'));
    assert.equal(existsSync(home), false, '--check writes nothing');
  });

  test('sets up from the cached wheel; a fresh process then loads natively from that folder', { timeout: 300_000 }, async () => {
    const { home, env } = fresh('home');
    // What a setup killed midway leaves: its process is gone, so this one removes it.
    mkdirSync(path.join(home, '.setup-2147483646-abandoned'), { recursive: true });
    writeFileSync(path.join(home, '.setup-2147483646-abandoned', 'partial.whl'), 'partial');
    const started = Date.now();
    const setup = await runInstalled(cli, ['setup-native', '--yes', '--find-links', path.dirname(wheel()), '--json'], env);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(setup.code, 0, setup.stderr);
    const dir = path.join(home, 'libtensorflow-2.21.0');
    const result = lastJson(setup.stdout);
    assert.equal(result.fetched, true);
    assert.equal(result.sha256, await fileSha256(wheel()));
    assert.deepEqual(result.libtensorflow, { dir, source: '$LATENT_LAB_NATIVE_HOME' });
    assert.match(setup.stderr, /latent-lab: unpacking libtensorflow: \d+ of 853 MB/);
    assert.deepEqual(readdirSync(home), ['libtensorflow-2.21.0'], 'no partial folder is left, its own or an abandoned one');
    assert.deepEqual(readdirSync(dir).sort(), [...lib()].sort());
    assert.equal(lib().reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0), spec!.libraryBytes);

    const info = await runInstalled(cli, ['info', '--json'], env);
    assert.equal(info.code, 0, info.stderr);
    const loaded = lastJson(info.stdout);
    assert.equal(loaded.backend, 'tensorflow');
    assert.equal(loaded.native, true);
    assert.deepEqual(loaded.libtensorflow, { dir, source: '$LATENT_LAB_NATIVE_HOME' });

    const again = await runInstalled(cli, ['setup-native', '--yes', '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(lastJson(again.stdout).fetched, false, 'a second setup fetches nothing');
    console.log(`setup-native from the cached wheel took ${seconds.toFixed(1)} s`);
  });

  /** Hermetic pip: no configuration file and no find-links of the machine's own. */
  const pipAlone = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...env, PIP_CONFIG_FILE: devNull, PIP_FIND_LINKS: undefined, PIP_INDEX_URL: undefined, PIP_RETRIES: '0', PIP_TIMEOUT: '5' });

  function failsInOneLine(result: CliResult, home: string, pattern: RegExp): void {
    assert.notEqual(result.code, 0);
    const errors = cliErrorLines(result.stderr);
    assert.equal(errors.length, 1, result.stderr);
    assert.match(errors[0]!, pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(existsSync(home) ? readdirSync(home) : [], [], `nothing is left in ${home}`);
  }

  const byHand = /; by hand: `python3 -m pip download --no-deps --only-binary=:all: --platform manylinux_2_27_x86_64 --python-version 3\.11 --implementation cp tensorflow-cpu==2\.21\.0`, then `unzip -j <the \.whl> tensorflow\/libtensorflow_framework\.so\.2 tensorflow\/libtensorflow_cc\.so\.2 -d .*libtensorflow-2\.21\.0`$/;

  test('without Python on PATH: one line, saying how to do it by hand', { timeout: 60_000 }, async () => {
    const { home, env } = fresh('no-python');
    const emptyPath = path.join(root, 'empty-bin');
    mkdirSync(emptyPath, { recursive: true });
    const result = await runInstalled(cli, ['setup-native', '--yes'], { ...env, PATH: emptyPath });
    failsInOneLine(result, home, /^error: no Python with pip 22\.2 or newer: no python3 on PATH; no python on PATH/);
    assert.match(cliErrorLines(result.stderr)[0]!, byHand);
  });

  test('offline (the index does not answer): one line', { timeout: 120_000 }, async () => {
    const { home, env } = fresh('offline');
    const result = await runInstalled(cli, ['setup-native', '--yes', '--index-url', `http://127.0.0.1:${await closedPort()}/simple`], pipAlone(env));
    failsInOneLine(result, home, /^error: pip found no tensorflow-cpu==2\.21\.0 wheel for manylinux_2_27_x86_64 \(.*\); offline or behind a proxy pip is not configured for\? pass --find-links <folder with the wheel>; by hand: /);
  });

  test('a wheel that does not match the sha256 its index publishes is refused: one line', { timeout: 120_000 }, async () => {
    const { home, env } = fresh('tampered');
    const index = path.join(root, 'index');
    const name = path.basename(wheel());
    const tampered = path.join(index, 'files', name);
    mkdirSync(path.dirname(tampered), { recursive: true });
    copyFileSync(wheel(), tampered);
    const fd = openSync(tampered, 'r+');
    writeSync(fd, Buffer.from('tampered'), 0, 8, 1_000_000);
    closeSync(fd);
    // A PEP 503 index that publishes the real wheel's hash beside the tampered file.
    mkdirSync(path.join(index, 'simple', 'tensorflow-cpu'), { recursive: true });
    writeFileSync(path.join(index, 'simple', 'tensorflow-cpu', 'index.html'), `<a href="${pathToFileURL(tampered).href}#sha256=${await fileSha256(wheel())}">${name}</a>\n`);
    const result = await runInstalled(cli, ['setup-native', '--yes', '--index-url', pathToFileURL(path.join(index, 'simple')).href], pipAlone(env));
    failsInOneLine(result, home, /^error: the wheel pip fetched does not match the sha256 its index publishes, so it was not used; by hand: /);
  });

  test('without --yes and without a terminal to ask on, nothing is fetched', { timeout: 60_000 }, async () => {
    const { home, env } = fresh('unasked');
    const result = await runInstalled(cli, ['setup-native'], env);
    failsInOneLine(result, home, /^error: setup-native would download tensorflow-cpu==2\.21\.0 \(274 MB\) from the Python package index with pip, keeping libtensorflow \(853 MB\) in .*: confirm with --yes \(in a terminal it asks\)$/);
    assert.equal(result.code, 2);
  });
});

/** A port nothing listens on: taken, then let go. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
