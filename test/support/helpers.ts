import type { Handlers } from '../../src/shared/rpc';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { DataError } from '../../src/engine/data/dataset';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const distPath = (file: string) => path.join(repoRoot, 'dist', file);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [distPath('cli.js'), ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last stdout line parsed as JSON, as the CLI contract promises with --json. */
export function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

/** Lines the CLI itself wrote to stderr, without TensorFlow's native start-up notices. */
export function cliErrorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('error:'));
}

/** A .npy built by hand: `dict` is the header literal, padded the way numpy pads it. */
export function handMadeNpy(dict: string, body: Buffer, version = 1): Buffer {
  const preamble = version === 1 ? 10 : 12;
  const header = Buffer.from(`${dict.padEnd(Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble - 1, ' ')}\n`, version === 3 ? 'utf8' : 'latin1');
  const start = Buffer.alloc(preamble);
  Buffer.from('\x93NUMPY', 'latin1').copy(start);
  start[6] = version;
  if (version === 1) start.writeUInt16LE(header.length, 8);
  else start.writeUInt32LE(header.length, 8);
  return Buffer.concat([start, header, body]);
}

export const npyHeader = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

/** The contract for bad input: an error of `type` whose message matches and fits on one line. */
export async function rejectsInOneLine(work: Promise<unknown>, type: abstract new (...args: never[]) => Error, pattern: RegExp): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

/** The readers' contract for bad input: a one-line DataError. */
export function rejectsWithDataError(work: Promise<unknown>, pattern: RegExp): Promise<void> {
  return rejectsInOneLine(work, DataError, pattern);
}

/** An in-process engine request, as the RPC server would make it: a fresh signal, events dropped. */
export const callHandler = <M extends keyof Handlers>(handlers: Handlers, method: M, params: Parameters<Handlers[M]>[0]) =>
  (handlers[method] as (params: unknown, context: unknown) => ReturnType<Handlers[M]>)(params, { signal: new AbortController().signal, emit: () => undefined });
