/**
 * No browser suite can hang on a machine without Chromium: pointed at a missing browser, every
 * webview suite and the e2e suite end within seconds, each failing with the one line that names the
 * path and the command that installs it. They run here without --test-force-exit, so ending at all
 * proves their `after` hooks close what `before` opened even when `before` failed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/helpers';

const MISSING = '/nonexistent/chromium';
/** Generous for tsx and tfjs starting once per file on a loaded two-core machine; a hang is minutes. */
const LIMIT_MS = 90_000;

function runSuites(files: string[]): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
      cwd: repoRoot,
      // Without NODE_TEST_CONTEXT, which would make this runner a child of ours instead of a runner of its own.
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, CHROMIUM_PATH: MISSING },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the suites did not end within ${LIMIT_MS / 1000} s without Chromium; output so far:\n${output.slice(-2000)}`));
    }, LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

test('without Chromium every browser suite fails within seconds, in one line', { timeout: LIMIT_MS + 10_000 }, async () => {
  const suites = (folder: string) =>
    readdirSync(path.join(repoRoot, folder))
      .filter((name) => name.endsWith('.test.ts') && name !== 'logic.test.ts')
      .map((name) => `${folder}/${name}`);
  const webviewSuites = suites('test/webview');
  const { code, output, ms } = await runSuites([...webviewSuites, ...suites('test/e2e')]);
  assert.notEqual(code, 0, 'the suites report the failure');
  // The spec reporter prints a failed hook's error under the suite and again in its summary.
  const named = output.split('\n').filter((line) => line.includes(`Error: no Chromium at ${MISSING} (CHROMIUM_PATH): run 'bash scripts/provision-chromium.sh'`));
  assert.ok(named.length >= webviewSuites.length, `every webview suite names the missing browser and the command:\n${output.slice(-3000)}`);
  assert.match(output, new RegExp(`code-server could not be provisioned: .*CHROMIUM_PATH=${MISSING} is not an executable`), 'the e2e suite names it too');
  console.log(`${webviewSuites.length} webview suites and the e2e suite ended in ${(ms / 1000).toFixed(1)} s without Chromium`);
});
