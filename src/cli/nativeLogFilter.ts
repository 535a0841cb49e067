/**
 * Keeps TensorFlow's start-up notices off the CLI's stderr. libtensorflow writes them to file
 * descriptor 2 from native code while it loads, which no environment variable of TF 2.21 prevents
 * and Node cannot redirect in-process, so the command runs in a child process whose stderr passes
 * through here line by line; stdout, stdin, signals and the exit status pass through.
 * `--debug` (and LATENT_LAB_NATIVE_LOG=1) runs in-process and shows everything.
 */
import { spawn } from 'node:child_process';
import { nativeLogLevel } from '../shared/nativeLog';

const CHILD_MARK = 'LATENT_LAB_CLI_FILTERED';

/** True when this process is the parent that filters; it then exits with the child's status. */
export function runBehindNativeLogFilter(): boolean {
  if (process.env[CHILD_MARK] === '1' || process.env.LATENT_LAB_NATIVE_LOG === '1' || process.argv.includes('--debug')) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'pipe'],
    // Its own process group, so a terminal's Ctrl-C reaches it once, through the parent.
    detached: true,
    env: { ...process.env, [CHILD_MARK]: '1' },
  });
  let pending = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    const kept = lines.filter((line) => nativeLogLevel(line) !== 'debug');
    if (kept.length > 0) process.stderr.write(`${kept.join('\n')}\n`);
  });
  child.stderr!.on('end', () => {
    if (pending && nativeLogLevel(pending) !== 'debug') process.stderr.write(pending);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exitCode = code ?? 1;
  });
  return true;
}
