/**
 * Keeps TensorFlow's native logging off the CLI's stderr. Loading TF 2.21 writes absl's "before
 * absl::InitializeLog()" banner and the oneDNN notice to fd 2 whatever TF_CPP_MIN_LOG_LEVEL (or any
 * GLOG/ABSL variable) says, set before the process starts or before the require; only
 * TF_ENABLE_ONEDNN_OPTS=0 silences them, by turning oneDNN off (conv training ~40% slower). Node
 * cannot point its own fd 2 elsewhere, so the command runs in a child whose fd 2 is a pipe this
 * process filters. The child writes its own lines straight to the user's stderr, handed to it as
 * fd 3, so they keep their order against stdout and stream as they are written; it stays in this
 * process's group, so Ctrl-Z stops it with the job.
 */
import { spawn } from 'node:child_process';
import { fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { isatty, WriteStream } from 'node:tty';
import { nativeLogLevel } from '../shared/nativeLog';

const childMark = 'LATENT_LAB_CLI_FILTERED';
const userStderrFd = 3;
/**
 * A terminal's Ctrl-C reaches both processes (one process group), `kill -INT <pid>` only this one;
 * the child ignores SIGINT and obeys this relay of it, so each Ctrl-C counts once either way.
 */
const relayedInterrupt = 'SIGUSR2';
const forwardedSignals = ['SIGHUP', 'SIGTERM'] as const;

export interface CliStderr {
  write(text: string): void;
  /** The signal that means Ctrl-C in this process. */
  interrupt: NodeJS.Signals;
  /** True in the child that runFiltered started. */
  inChild: boolean;
}

/** Call before anything else: the filtered child must ignore the terminal's SIGINT from the start. */
export function cliStderr(): CliStderr {
  if (process.env[childMark] !== '1') return { write: (text) => process.stderr.write(text), interrupt: 'SIGINT', inChild: false };
  process.on('SIGINT', () => undefined);
  const stream = openLikeStdio(userStderrFd);
  return { write: (text) => stream.write(text), interrupt: relayedInterrupt, inChild: true };
}

/** What Node makes of an fd used as stdio: a terminal or file written synchronously, a pipe as a socket. */
function openLikeStdio(fd: number): { write(text: string): unknown } {
  if (isatty(fd)) return new WriteStream(fd);
  const stat = fstatSync(fd);
  if (stat.isFIFO() || stat.isSocket()) return new Socket({ fd, readable: false, writable: true });
  return { write: (text: string) => writeSync(fd, text) };
}

/**
 * Runs the CLI again with `argv` in a child and relays its fd 2 minus TensorFlow's notices. Resolves
 * to the child's exit code; a child killed by a signal kills this process with the same signal.
 */
export function runFiltered(argv: string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
    stdio: ['inherit', 'inherit', 'pipe', 2],
    env: { ...process.env, [childMark]: '1' },
  });
  const relays = new Map<NodeJS.Signals, () => void>([['SIGINT', () => child.kill(relayedInterrupt)], ...forwardedSignals.map((signal) => [signal, () => child.kill(signal)] as const)]);
  for (const [signal, relay] of relays) process.on(signal, relay);
  createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (line) => {
    if (nativeLogLevel(line) !== 'debug') process.stderr.write(`${line}\n`);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const [name, relay] of relays) process.off(name, relay);
      if (signal === null) return resolve(code ?? 1);
      // A relayed Ctrl-C that arrives before the child listens for it ends the child: that is Ctrl-C.
      const death = signal === relayedInterrupt ? 'SIGINT' : signal;
      process.kill(process.pid, death);
      resolve(128 + constants.signals[death]);
    });
  });
}
