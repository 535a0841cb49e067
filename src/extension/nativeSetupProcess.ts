/**
 * The host's side of the native backend's setup: it runs the extension's own `dist/cli.js
 * setup-native`, the one implementation of the fetch (the host never imports the engine), and reads
 * its JSON lines. Free of `vscode` so it is testable in plain Node.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';

/** What `setup-native --check --json` reports. */
export interface NativeStatus {
  target: string;
  version: string;
  requirement: string;
  binding: string | null;
  libtensorflow: { dir: string; source: string } | null;
  destination: string;
  downloadBytes: number;
  diskBytes: number;
}

export interface NativeSetupProgress {
  message: string;
  /** Of the whole setup, 0 to 1. */
  fraction: number;
}

export interface NativeSetupResult {
  libtensorflow: { dir: string; source: string };
  wheel: string;
  seconds: number;
}

export interface NativeSetupOptions {
  /** Environment additions, LATENT_LAB_NATIVE_HOME among them: the same the engine processes get. */
  env: NodeJS.ProcessEnv;
  python?: string;
  signal?: AbortSignal;
  onProgress?: (progress: NativeSetupProgress) => void;
  /** How long a cancelled setup may take to stop pip and remove its partial files before it is killed. */
  cancelGraceMs?: number;
}

export async function checkNative(cliPath: string, env: NodeJS.ProcessEnv): Promise<NativeStatus> {
  const status = await runCli<NativeStatus>(cliPath, ['setup-native', '--check', '--json'], { env });
  if (!status) throw new Error('the check was cancelled');
  return status;
}

/** Resolves to undefined when cancelled through `signal` (nothing is then set up). */
export function runNativeSetup(cliPath: string, options: NativeSetupOptions): Promise<NativeSetupResult | undefined> {
  const args = ['setup-native', '--yes', '--progress-json', '--json', ...(options.python ? ['--python', options.python] : [])];
  return runCli<NativeSetupResult>(cliPath, args, options);
}

/**
 * Runs the CLI and resolves to its last stdout line, or to undefined once cancelled; progress lines
 * before it go to onProgress, and a failure rejects with its one `error:` line. A cancel is the CLI's
 * own Ctrl-C (SIGINT), after which it stops pip and removes what it had written; a kill follows if it
 * does not end in time. The JSON is our own CLI's, in the same package: no trust boundary to check.
 */
function runCli<R>(cliPath: string, args: string[], options: NativeSetupOptions): Promise<R | undefined> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(cliPath, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let last = '';
    let errorLine: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const progress = parseProgress(line);
      if (progress) options.onProgress?.(progress);
      else last = line;
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.startsWith('error: ')) errorLine = line.slice('error: '.length);
    });
    const cancel = () => {
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.cancelGraceMs ?? 10_000);
    };
    if (options.signal?.aborted) cancel();
    else options.signal?.addEventListener('abort', cancel, { once: true });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', cancel);
      if (options.signal?.aborted && (code === 130 || signal !== null)) return resolve(undefined);
      if (errorLine !== undefined) return reject(new Error(errorLine));
      try {
        resolve(JSON.parse(last) as R);
      } catch {
        reject(new Error(`${cliPath} ${args[0]} ended (${signal ?? `exit code ${code}`}) without a result`));
      }
    });
  });
}

function parseProgress(line: string): NativeSetupProgress | undefined {
  if (!line.startsWith('{"progress":')) return undefined;
  try {
    const { progress } = JSON.parse(line) as { progress?: { message?: unknown; fraction?: unknown } };
    if (typeof progress?.message === 'string' && typeof progress.fraction === 'number') return { message: progress.message, fraction: progress.fraction };
  } catch {
    // Not a progress line after all: it is kept as the possible result.
  }
  return undefined;
}
