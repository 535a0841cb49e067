/**
 * The native backend as an installation meets it, for the setup tests: the built CLI laid out as the
 * linux-x64 package lays it out (the bundle, its wasm files and UMAP worker, the binding in
 * dist/native/), with no node_modules beside it, so no tfjs-node deps/lib for the binding to find;
 * and the tensorflow-cpu wheel that scripts/provision-libtensorflow.sh caches, so that nothing is
 * downloaded.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { BINDING_FILE, findBinding, libtensorflowSpec, userCache } from '../../src/engine/native/libtensorflow';
import { type CliResult, distPath } from './helpers';

export const spec = libtensorflowSpec();

/** Why these tests cannot run here, or undefined when they can. */
export function nativeSetupUnavailable(): string | undefined {
  if (!spec) return `the native backend is not built for ${process.platform}-${process.arch}`;
  if (!findBinding()) return "tfjs-node's binding is not built (npm run provision builds it)";
  if (!existsSync(distPath('cli.js'))) return 'dist/cli.js is missing (npm run build)';
  if (!cachedWheel()) return `no cached ${spec.requirement} wheel in ${wheelFolder()} (npm run provision puts it there)`;
  return undefined;
}

export function wheelFolder(): string {
  return path.join(userCache(), 'wheels');
}

export function cachedWheel(): string | undefined {
  if (!spec || !existsSync(wheelFolder())) return undefined;
  const name = readdirSync(wheelFolder()).find((file) => file.startsWith(`tensorflow_cpu-${spec.version}-`) && file.endsWith(`${spec.pipPlatform}.whl`));
  return name && path.join(wheelFolder(), name);
}

/** Lays the installation out under `root`; returns its dist/cli.js. */
export function stageInstalledCli(root: string): string {
  const dist = path.join(root, 'extension', 'dist');
  mkdirSync(path.join(dist, 'native'), { recursive: true });
  for (const file of readdirSync(distPath('.')).filter((name) => name === 'cli.js' || name === 'umapWorker.js' || name.endsWith('.wasm'))) copyFileSync(distPath(file), path.join(dist, file));
  copyFileSync(findBinding()!, path.join(dist, 'native', BINDING_FILE));
  return path.join(dist, 'cli.js');
}

/** The environment of an installation with nothing set up: an empty cache, `home` for setup, no forced backend. */
export function installedEnv(root: string, home: string): NodeJS.ProcessEnv {
  return { ...process.env, LATENT_LAB_CACHE: path.join(root, 'empty-cache'), LATENT_LAB_NATIVE_HOME: home, LATENT_LAB_BACKEND: undefined };
}

export function runInstalled(cli: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
