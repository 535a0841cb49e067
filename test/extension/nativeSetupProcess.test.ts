/**
 * The host's driver of the native setup (what Set Up Native Backend runs) against the extension's own
 * CLI, laid out as the linux-x64 package installs it: the check it asks first, a cancel in the middle
 * (pip's child stopped, nothing kept), a failure as one line, and a setup whose result names the
 * folder. pip finds the wheel provisioning cached through its own environment (PIP_NO_INDEX,
 * PIP_FIND_LINKS), as it would a user's configuration: nothing is downloaded.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkNative, type NativeSetupProgress, runNativeSetup } from '../../src/extension/nativeSetupProcess';
import { cachedWheel, installedEnv, nativeSetupUnavailable, stageInstalledCli } from '../support/installedCli';

describe('the host runs the native setup through the CLI', { skip: nativeSetupUnavailable() }, () => {
  let root = '';
  let cli = '';
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'latent-lab-native-host-'));
    cli = stageInstalledCli(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  const fresh = (name: string) => {
    const home = path.join(root, name);
    return { home, env: { ...installedEnv(root, home), PIP_NO_INDEX: '1', PIP_FIND_LINKS: path.dirname(cachedWheel()!) } };
  };
  const left = (home: string) => (existsSync(home) ? readdirSync(home) : []);

  test('the check reports the binding, no libtensorflow, and the sizes to state before asking', { timeout: 60_000 }, async () => {
    const { home, env } = fresh('check');
    const status = await checkNative(cli, env);
    assert.equal(status.binding, path.join(path.dirname(cli), 'native', 'tfjs_binding.node'));
    assert.equal(status.libtensorflow, null);
    assert.equal(status.requirement, 'tensorflow-cpu==2.21.0');
    assert.equal(status.destination, path.join(home, 'libtensorflow-2.21.0'));
    assert.ok(status.downloadBytes > 200e6 && status.diskBytes > status.downloadBytes);
  });

  test('a cancel while unpacking stops the CLI and its Python, and keeps nothing', { timeout: 120_000 }, async () => {
    const { home, env } = fresh('cancelled');
    const controller = new AbortController();
    const seen: NativeSetupProgress[] = [];
    const outcome = await runNativeSetup(cli, {
      env,
      signal: controller.signal,
      onProgress: (progress) => {
        seen.push(progress);
        if (progress.message.startsWith('unpacking')) controller.abort();
      },
    });
    assert.equal(outcome, undefined, 'a cancelled setup has no result');
    assert.ok(seen.some((progress) => progress.message.startsWith('unpacking')), 'it was cancelled mid-unpack');
    assert.ok(seen.every((progress, i) => i === 0 || progress.fraction >= seen[i - 1]!.fraction), 'progress only moves forward');
    assert.deepEqual(left(home), [], 'no partial folder is left');
    const survivors = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(home));
    assert.deepEqual(survivors, [], 'no process works on it any more');
  });

  test('a failure rejects with the CLI\'s one line', { timeout: 60_000 }, async () => {
    const { home, env } = fresh('failed');
    await assert.rejects(runNativeSetup(cli, { env, python: path.join(root, 'no-such-python') }), (error: Error) => {
      assert.match(error.message, /^no Python with pip 22\.2 or newer: .*no-such-python does not exist; by hand: /);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    assert.deepEqual(left(home), []);
  });

  test('a setup resolves to the folder it filled, which the next check finds', { timeout: 300_000 }, async () => {
    const { home, env } = fresh('done');
    const outcome = await runNativeSetup(cli, { env });
    const dir = path.join(home, 'libtensorflow-2.21.0');
    assert.deepEqual(outcome?.libtensorflow, { dir, source: '$LATENT_LAB_NATIVE_HOME' });
    assert.ok((outcome?.seconds ?? 0) > 0);
    assert.deepEqual((await checkNative(cli, env)).libtensorflow, { dir, source: '$LATENT_LAB_NATIVE_HOME' });
  });
});
