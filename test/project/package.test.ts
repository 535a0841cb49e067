/**
 * The packages a user installs (scripts/package.ts): the linux-x64 .vsix carries the tfjs-node
 * binding and no libtensorflow, and unpacked as VS Code unpacks it, with no node_modules beside it,
 * its engine loads natively from a libtensorflow folder named by LATENT_LAB_NATIVE_HOME and falls back
 * without one, saying how to set it up; the universal .vsix carries no binding and says which package
 * does. Both declare themselves workspace extensions, so under Remote they run beside the data.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findBinding, libtensorflowSpec } from '../../src/engine/native/libtensorflow';
import { lastJson, repoRoot } from '../support/helpers';
import { installedEnv, runInstalled } from '../support/installedCli';

const spec = libtensorflowSpec();
const binding = findBinding();
const depsLib = binding && path.resolve(path.dirname(binding), '..', '..', 'deps', 'lib');
const unavailable = !spec ? `no platform package is built for ${process.platform}-${process.arch}` : !binding ? "tfjs-node's binding is not built (npm run provision builds it)" : undefined;

function run(command: string, args: string[], cwd = repoRoot): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => (error ? reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`)) : resolve(stdout)));
  });
}

/** Packages with scripts/package.ts and unpacks the result; returns its file list and extension folder. */
async function packageAndUnpack(root: string, name: string, targetArgs: string[]): Promise<{ files: string[]; extension: string; bytes: number }> {
  const vsix = path.join(root, `${name}.vsix`);
  await run(process.execPath, ['--import', 'tsx', 'scripts/package.ts', ...targetArgs, '--out', vsix]);
  const listing = await run('unzip', ['-Z1', vsix]);
  const unpacked = path.join(root, name);
  await run('unzip', ['-q', vsix, '-d', unpacked]);
  return { files: listing.split('\n').filter(Boolean), extension: path.join(unpacked, 'extension'), bytes: statSync(vsix).size };
}

describe('the .vsix packages', { skip: unavailable }, () => {
  let root = '';
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'latent-lab-package-test-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('linux-x64: the binding and no libtensorflow; natively with a set-up folder, the fallback without', { timeout: 300_000 }, async () => {
    const { files, extension, bytes } = await packageAndUnpack(root, 'platform', ['--target', spec!.target]);
    assert.ok(files.includes('extension/dist/native/tfjs_binding.node'), 'the binding is in the package');
    assert.deepEqual(files.filter((file) => /libtensorflow/.test(file)), [], 'no libtensorflow in the package');
    assert.deepEqual(files.filter((file) => file.includes('node_modules') || file.endsWith('.map')), []);
    assert.match(readFileSync(path.join(path.dirname(extension), 'extension.vsixmanifest'), 'utf8'), /TargetPlatform="linux-x64"/);
    assert.deepEqual((JSON.parse(readFileSync(path.join(extension, 'package.json'), 'utf8')) as { extensionKind?: string[] }).extensionKind, ['workspace']);
    assert.ok(bytes < 10e6, `the package stays small (${(bytes / 1e6).toFixed(1)} MB)`);
    console.log(`latent-lab-linux-x64.vsix: ${(bytes / 1e6).toFixed(2)} MB, ${files.length} files`);

    const cli = path.join(extension, 'dist', 'cli.js');
    const bare = await runInstalled(cli, ['info', '--json'], installedEnv(root, path.join(root, 'nothing-set-up')));
    assert.equal(lastJson(bare.stdout).native, false);
    assert.match(String(lastJson(bare.stdout).fallbackReason), /is not set up: run `latent-lab setup-native`/);

    // A set-up folder as setup-native leaves it, holding the checkout's libraries by link.
    const home = path.join(root, 'native-home');
    const dir = path.join(home, `libtensorflow-${spec!.version}`);
    mkdirSync(dir, { recursive: true });
    for (const library of spec!.libraries) symlinkSync(path.join(depsLib!, library), path.join(dir, library));
    const info = await runInstalled(cli, ['info', '--json'], installedEnv(root, home));
    assert.equal(info.code, 0, info.stderr);
    assert.equal(lastJson(info.stdout).native, true, info.stderr);
    assert.deepEqual(lastJson(info.stdout).libtensorflow, { dir, source: '$LATENT_LAB_NATIVE_HOME' });
  });

  test('universal: no binding; the fallback says which package has one', { timeout: 300_000 }, async () => {
    const { files, extension, bytes } = await packageAndUnpack(root, 'universal', []);
    assert.deepEqual(files.filter((file) => file.includes('/native/') || /libtensorflow/.test(file)), []);
    assert.doesNotMatch(readFileSync(path.join(path.dirname(extension), 'extension.vsixmanifest'), 'utf8'), /TargetPlatform=/);
    console.log(`latent-lab.vsix: ${(bytes / 1e6).toFixed(2)} MB, ${files.length} files`);
    const info = await runInstalled(path.join(extension, 'dist', 'cli.js'), ['info', '--json'], installedEnv(root, path.join(root, 'native-home')));
    assert.equal(lastJson(info.stdout).native, false);
    assert.match(String(lastJson(info.stdout).fallbackReason), /^there is no native TensorFlow binding in this installation \(the extension's linux-x64 package carries one/);
  });
});
