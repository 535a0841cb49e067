/**
 * Chooses the tfjs backend once per process: the native TensorFlow binding when it loads, else
 * @tensorflow/tfjs on wasm (or cpu when wasm cannot start), and records why the native one is absent.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendName } from '../shared/protocol';
import { firstLine } from './checkpoint/errors';
import { findBinding, findLibtensorflow, type FoundLibtensorflow, libtensorflowSpec, megabytes, nativeTargets, preloadLibtensorflow } from './native/libtensorflow';

export type Tf = typeof tfTypes;

export interface Backend {
  tf: Tf;
  name: BackendName;
  native: boolean;
  fallbackReason?: string;
  /** Where the native backend's libtensorflow came from (absent where the platform has no setup of it). */
  libtensorflow?: Pick<FoundLibtensorflow, 'dir' | 'source'>;
}

let chosen: Promise<Backend> | undefined;

/** `LATENT_LAB_BACKEND=cpu|wasm|tensorflow` forces a backend (tests, debugging). */
export function loadBackend(): Promise<Backend> {
  chosen ??= choose(process.env.LATENT_LAB_BACKEND);
  return chosen;
}

/** Whether loadBackend tries the native binding first. */
export function triesNative(forced = process.env.LATENT_LAB_BACKEND): boolean {
  return forced === undefined || forced === 'tensorflow';
}

async function choose(forced: string | undefined): Promise<Backend> {
  // Quiets what TensorFlow logs once loaded (CPU feature notices); its start-up notices ignore this,
  // which is why the CLI filters its stderr (src/cli/nativeLogFilter.ts).
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  let fallbackReason: string;
  if (triesNative(forced)) {
    const native = await loadNative();
    if (typeof native !== 'string') return native;
    fallbackReason = native;
    if (forced === 'tensorflow') throw new Error(fallbackReason);
  } else {
    fallbackReason = `LATENT_LAB_BACKEND=${forced} was requested`;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as Tf;
  if (forced !== 'cpu' && (await tryWasm(tf))) {
    return { tf, name: 'wasm', native: false, fallbackReason };
  }
  await tf.setBackend('cpu');
  return { tf, name: 'cpu', native: false, fallbackReason };
}

/** The native backend, or why not: no binding, no libtensorflow, or one that does not load. */
async function loadNative(): Promise<Backend | string> {
  const binding = findBinding();
  const spec = libtensorflowSpec();
  if (binding === undefined) {
    const where = spec ? `the extension's ${spec.target} package carries one` : `the native backend is built for ${nativeTargets.join(', ')} only`;
    return `there is no native TensorFlow binding in this installation (${where}; a checkout builds it with \`npm run provision\`)`;
  }
  // Without a spec (a platform we do not build for), tfjs-node's own install placed its libtensorflow, or nothing did.
  let libtensorflow: FoundLibtensorflow | undefined;
  if (spec) {
    libtensorflow = findLibtensorflow(binding, spec);
    if (!libtensorflow) {
      return `libtensorflow ${spec.version}, the TensorFlow library the native backend needs, is not set up: run \`latent-lab setup-native\` or, in VS Code, "Latent Lab: Set Up Native Backend" (downloads ${megabytes(spec.wheelBytes)} MB once)`;
    }
    try {
      preloadLibtensorflow(libtensorflow, spec);
    } catch (error) {
      return firstLine(error);
    }
  }
  restoreRemovedUtilHelpers();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tf = require('@tensorflow/tfjs-node') as Tf;
    await tf.ready();
    return { tf, name: 'tensorflow', native: true, ...(libtensorflow ? { libtensorflow: { dir: libtensorflow.dir, source: libtensorflow.source } } : {}) };
  } catch (error) {
    return `the native TensorFlow binding ${binding} could not load (${firstLine(error)}); a checkout rebuilds it with \`npm run provision\`, an installation fetches libtensorflow again with \`latent-lab setup-native\``;
  }
}

async function tryWasm(tf: Tf): Promise<boolean> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
    // Bundled into dist/, the backend finds its binaries beside the bundle (esbuild.mjs copies them).
    if (existsSync(path.join(__dirname, 'tfjs-backend-wasm.wasm'))) wasm.setWasmPaths(`${__dirname}${path.sep}`);
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/**
 * The wasm backend lacks some gradients (Conv2DBackpropFilter among them); work that needs a kernel
 * the current backend does not have moves to cpu rather than failing midway.
 */
export async function ensureKernels(backend: Backend, kernelNames: readonly string[]): Promise<void> {
  const { tf } = backend;
  const active = tf.getBackend();
  if (kernelNames.every((name) => tf.getKernel(name, active) !== undefined)) return;
  await tf.setBackend('cpu');
  backend.name = 'cpu';
}

/**
 * tfjs-node 4.22 calls `util.isNullOrUndefined`, which Node 23 removed; VS Code hosts (code-server,
 * newer Electron) run the engine on such Nodes. Restoring the one-line helper keeps the native
 * backend working there.
 */
function restoreRemovedUtilHelpers(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const util = require('node:util') as { isNullOrUndefined?: (value: unknown) => boolean };
  util.isNullOrUndefined ??= (value) => value === null || value === undefined;
}

