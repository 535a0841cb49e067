/**
 * Makes the .vsix. `npm run package` makes the universal one, which trains on the bundled wasm/cpu
 * fallback; `npm run package -- --target linux-x64` a platform one that also carries the tfjs-node
 * binding, built against the TensorFlow 2.21 C API by scripts/provision-libtensorflow.sh, in
 * dist/native/. Neither carries libtensorflow (850 MB): the extension fetches it on first use, with
 * the user's yes (src/engine/native/setup.ts). It builds in a staging folder, so the development
 * dist/ is left as it is. Usage: node --import tsx scripts/package.ts [--target T] [--out FILE]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BINDING_FILE, currentTarget, findBinding, libtensorflowSpec, nativeTargets } from '../src/engine/native/libtensorflow';

const root = path.resolve(__dirname, '..');
/** What .vscodeignore lets into a package, and the ignore file itself. */
const shipped = ['package.json', 'README.md', 'LICENSE', '.vscodeignore', 'media'];

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) fail(`--${name} needs a value`);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`package: error: ${message}\n`);
  process.exit(1);
}

/** The binding a platform package carries: this machine's build, linked against the libraries setup fetches. */
function bindingFor(target: string): string {
  const spec = libtensorflowSpec(target);
  if (!spec) fail(`no platform package for ${target}: the native backend is built for ${nativeTargets.join(', ')} (README, Backends)`);
  if (target !== currentTarget()) fail(`a ${target} package carries a binding built on ${target}; this machine is ${currentTarget()}`);
  const binding = findBinding();
  if (!binding) fail("tfjs-node's binding is not built: run `npm run provision` first");
  const bytes = readFileSync(binding);
  const unlinked = spec.libraries.filter((library) => !bytes.includes(library));
  if (unlinked.length > 0) fail(`${binding} does not link ${unlinked.join(', ')} from the ${spec.requirement} wheel (built against another libtensorflow?): run \`npm run provision\``);
  return binding;
}

const target = flag('target');
const out = path.resolve(flag('out') ?? path.join(root, target ? `latent-lab-${target}.vsix` : 'latent-lab.vsix'));
const binding = target === undefined ? undefined : bindingFor(target);
const stage = mkdtempSync(path.join(tmpdir(), 'latent-lab-package-'));
try {
  execFileSync(process.execPath, ['esbuild.mjs', '--production', '--outdir', path.join(stage, 'dist')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  for (const entry of shipped) cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
  if (binding) {
    mkdirSync(path.join(stage, 'dist', 'native'));
    copyFileSync(binding, path.join(stage, 'dist', 'native', BINDING_FILE));
  }
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const targetArgs = target ? ['--target', target] : [];
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', ...targetArgs, '--out', out], { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
const what = binding ? `${target} package: the native binding, libtensorflow fetched on first use` : 'universal package: the wasm/cpu fallback backend';
process.stdout.write(`${out} (${(statSync(out).size / 1e6).toFixed(1)} MB, ${what})\n`);
