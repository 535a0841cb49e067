/**
 * One engine process as the host sees it: forks dist/engine.js on first use, carries the shared RPC
 * over its IPC channel, turns its stdout/stderr into log events, and when the process dies fails
 * what was pending and starts a fresh process on the next request. Free of `vscode` so it is
 * testable in plain Node.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { EngineError, type ParamsOf, type ResultOf } from '../shared/protocol';
import { type CallableMethod, type CallOptions, type EngineEvent, RpcClient } from '../shared/rpc';
import { nativeLogLevel } from '../shared/nativeLog';

export interface EngineProcessOptions {
  enginePath: string;
  env?: NodeJS.ProcessEnv;
  /** Node flags for the engine, e.g. --max-old-space-size from the memory-limit setting. */
  execArgv?: string[];
  /** Events of no request: log lines (the process's own output included) and the backend notice. */
  onEvent?: (event: EngineEvent) => void;
  onExit?: (description: string) => void;
  onProblem?: (problem: string) => void;
}

export class EngineProcess {
  private child: ChildProcess | undefined;
  private disposed = false;
  private readonly rpc: RpcClient;

  constructor(private readonly options: EngineProcessOptions) {
    this.rpc = new RpcClient({
      send: (message) => this.sendRaw(message),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.onProblem ? { onProblem: options.onProblem } : {}),
    });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  request<M extends CallableMethod>(method: M, params: ParamsOf<M>, options: CallOptions = {}): Promise<ResultOf<M>> {
    if (this.disposed) return Promise.reject(new EngineError('engine-died', 'the Latent Lab engine has been shut down'));
    return this.rpc.request(method, params, options).result;
  }

  /** Sends anything, valid or not: the engine must answer malformed messages too (tests rely on it). */
  sendRaw(message: unknown): void {
    this.ensureChild().send(message as object, (error) => {
      if (error) this.options.onProblem?.(`could not send to the engine: ${error.message}`);
    });
  }

  dispose(): void {
    this.disposed = true;
    const child = this.child;
    this.child = undefined;
    this.rpc.failAll(new EngineError('engine-died', 'the Latent Lab engine was shut down'));
    child?.kill();
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(this.options.enginePath, [], {
      serialization: 'advanced',
      env: { ...process.env, ...this.options.env },
      execArgv: this.options.execArgv ?? [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => this.options.onEvent?.({ event: 'log', data: { level, message } });
    child.stdout?.on('data', (chunk: Buffer) => log('info', chunk.toString().trimEnd()));
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().trimEnd().split('\n')) log(stderrLevel(line), line);
    });
    child.on('message', (raw) => this.rpc.receive(raw));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      const description = signal ? `killed by ${signal}` : `exit code ${code}`;
      this.rpc.failAll(new EngineError('engine-died', `the Latent Lab engine stopped (${description}); it will restart on the next request`));
      this.options.onExit?.(description);
    });
    this.child = child;
    return child;
  }
}

/** TensorFlow's native logging keeps its own severity (its notices are debug output); other stderr is a warning. */
export function stderrLevel(line: string): 'debug' | 'warn' | 'error' {
  return nativeLogLevel(line) ?? 'warn';
}
