/**
 * The native backend's two parts and where each is found. The tfjs-node binding (86 KB) ships in the
 * platform package (dist/native/) or is built in a checkout by `npm run provision`; libtensorflow, the
 * TensorFlow C library it links (850 MB), is never packaged: a checkout keeps it in tfjs-node's
 * deps/lib, an installation fetches it once (setup.ts) into a folder of its own.
 */
import { existsSync } from 'node:fs';
import { constants, homedir } from 'node:os';
import * as path from 'node:path';
import { firstLine } from '../checkpoint/errors';

export const BINDING_FILE = 'tfjs_binding.node';

/** The one libtensorflow build the binding is linked against, for one platform. */
export interface LibtensorflowSpec {
  /** VS Code's name of the platform (`vsce package --target`). */
  target: string;
  version: string;
  /** The wheel that carries it, as pip selects it (the same as scripts/provision-libtensorflow.sh). */
  requirement: string;
  pipPlatform: string;
  pythonVersion: string;
  /** Members of the wheel's tensorflow/ folder, in load order (the second needs the first). */
  libraries: readonly string[];
  /** Sizes of this exact PyPI file and of the libraries unpacked, stated before anything is fetched. */
  wheelBytes: number;
  libraryBytes: number;
}

const specs: readonly LibtensorflowSpec[] = [
  {
    target: 'linux-x64',
    version: '2.21.0',
    requirement: 'tensorflow-cpu==2.21.0',
    pipPlatform: 'manylinux_2_27_x86_64',
    pythonVersion: '3.11',
    libraries: ['libtensorflow_framework.so.2', 'libtensorflow_cc.so.2'],
    wheelBytes: 273_829_956,
    libraryBytes: 853_308_936,
  },
];

export const nativeTargets = specs.map((spec) => spec.target);

export function megabytes(bytes: number): number {
  return Math.round(bytes / 1e6);
}

export function currentTarget(): string {
  return `${process.platform}-${process.arch}`;
}

export function libtensorflowSpec(target = currentTarget()): LibtensorflowSpec | undefined {
  return specs.find((spec) => spec.target === target);
}

/**
 * The binding's path: the platform package's dist/native/ beside this bundle, else tfjs-node's own
 * build (a checkout, or an npm-installed CLI). tfjs-node 4.22 builds N-API 3 to 8 alike; every Node
 * and Electron that runs Latent Lab loads N-API 8.
 */
export function findBinding(): string | undefined {
  const candidates = [path.join(__dirname, 'native', BINDING_FILE)];
  try {
    candidates.push(path.join(path.dirname(require.resolve('@tensorflow/tfjs-node/package.json')), 'lib', 'napi-v8', BINDING_FILE));
  } catch {
    // tfjs-node is an optional dependency: without it only the packaged binding counts.
  }
  return candidates.find((file) => existsSync(file));
}

/** Where setup puts libtensorflow: $LATENT_LAB_NATIVE_HOME (the extension points it at its global storage), else the user's cache. */
export function setupFolder(spec: LibtensorflowSpec, env: NodeJS.ProcessEnv = process.env): string {
  return versionFolder(env.LATENT_LAB_NATIVE_HOME || userCache(env), spec);
}

/** Shared with scripts/provision-libtensorflow.sh, which keeps its wheel there. */
export function userCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.LATENT_LAB_CACHE || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'latent-lab');
}

function versionFolder(home: string, spec: LibtensorflowSpec): string {
  return path.join(home, `libtensorflow-${spec.version}`);
}

export interface FoundLibtensorflow {
  dir: string;
  /** How it was found, for `info`. */
  source: string;
  /** False where the binding's own RUNPATH ($ORIGIN/../../deps/lib) finds it. */
  preload: boolean;
}

/**
 * The first of: $LATENT_LAB_NATIVE_HOME's copy (what the extension set up), the binding's deps/lib (a
 * checkout, provisioned), the user cache's copy (what `latent-lab setup-native` set up, which the
 * extension reuses rather than fetching 850 MB twice).
 */
export function findLibtensorflow(binding: string, spec: LibtensorflowSpec, env: NodeJS.ProcessEnv = process.env): FoundLibtensorflow | undefined {
  const complete = (dir: string) => spec.libraries.every((library) => existsSync(path.join(dir, library)));
  const home = env.LATENT_LAB_NATIVE_HOME;
  if (home && complete(versionFolder(home, spec))) return { dir: versionFolder(home, spec), source: '$LATENT_LAB_NATIVE_HOME', preload: true };
  // The binding names its libraries by SONAME; whichever build tfjs-node placed there is its business.
  const deps = path.resolve(path.dirname(binding), '..', '..', 'deps', 'lib');
  if (existsSync(deps)) return { dir: deps, source: "tfjs-node's deps/lib", preload: false };
  const cache = versionFolder(userCache(env), spec);
  if (complete(cache)) return { dir: cache, source: 'the user cache', preload: true };
  return undefined;
}

/** glibc's RTLD_NODELETE (dlfcn.h), which os.constants.dlopen does not list. */
const RTLD_NODELETE = 0x1000;

/**
 * Loads the libraries by path before the binding: the dynamic loader then satisfies the binding's
 * NEEDED entries with them by SONAME, so no LD_LIBRARY_PATH has to be set before the process starts.
 * process.dlopen refuses a library that registers no Node module and closes it again; NODELETE keeps
 * it mapped, so that refusal is the expected outcome.
 */
export function preloadLibtensorflow(found: FoundLibtensorflow, spec: LibtensorflowSpec): void {
  if (!found.preload) return;
  for (const library of spec.libraries) {
    const file = path.join(found.dir, library);
    try {
      process.dlopen({ exports: {} }, file, (constants.dlopen.RTLD_NOW ?? 2) | RTLD_NODELETE);
    } catch (error) {
      if (!firstLine(error).includes('did not self-register')) throw new Error(`${file} does not load (${firstLine(error)}); delete ${found.dir} and run \`latent-lab setup-native\` again`);
    }
  }
}
