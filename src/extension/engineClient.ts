/**
 * Host side of the engine protocol. Forks dist/engine.js on first use, matches responses to
 * requests, routes per-request events, and when the process dies fails what was pending and
 * starts a fresh process on the next request. Free of `vscode` so it is testable in plain Node.
 */
import { type ChildProcess, fork } from 'node:child_process';
import {
  EngineError,
  type EngineEventName,
  type EngineMethod,
  type EventData,
  type EventMessage,
  isEngineEvent,
  messageOf,
  type ParamsOf,
  parseEngineMessage,
  parseEvent,
  parseResult,
  type ResultOf,
} from '../shared/protocol';
import { nativeLogLevel } from '../shared/nativeLog';

export interface EngineClientOptions {
  enginePath: string;
  env?: NodeJS.ProcessEnv;
  /** Node flags for the engine, e.g. --max-old-space-size from the memory-limit setting. */
  execArgv?: string[];
  onEvent?: (message: EventMessage) => void;
  onExit?: (description: string) => void;
  onInvalidMessage?: (problem: string) => void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  onEvent?: (message: EventMessage) => void;
}

interface Pending {
  method: EngineMethod;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (message: EventMessage) => void;
}

export class EngineClient {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(private readonly options: EngineClientOptions) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  request<M extends EngineMethod>(method: M, params: ParamsOf<M>, options: RequestOptions = {}): Promise<ResultOf<M>> {
    if (this.disposed) return Promise.reject(new EngineError('engine-died', 'the Latent Lab engine has been shut down'));
    if (options.signal?.aborted) return Promise.reject(new EngineError('cancelled', 'cancelled by the user'));
    const child = this.ensureChild();
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject, onEvent: options.onEvent });
      options.signal?.addEventListener('abort', () => {
        if (this.pending.has(id)) this.sendRaw({ type: 'request', id: this.nextId++, method: 'cancel', params: { requestId: id } });
      }, { once: true });
      this.sendRaw({ type: 'request', id, method, params }, child);
    });
  }

  /** Sends anything, valid or not: the engine must answer malformed messages too (tests rely on it). */
  sendRaw(message: unknown, child = this.ensureChild()): void {
    child.send(message as object, (error) => {
      if (error) this.options.onInvalidMessage?.(`could not send to the engine: ${error.message}`);
    });
  }

  dispose(): void {
    this.disposed = true;
    const child = this.child;
    this.child = undefined;
    this.failPending('the Latent Lab engine was shut down');
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
    child.stdout?.on('data', (chunk: Buffer) => this.options.onEvent?.({ type: 'event', event: 'log', data: { level: 'info', message: chunk.toString().trimEnd() } }));
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().trimEnd().split('\n')) this.options.onEvent?.({ type: 'event', event: 'log', data: { level: stderrLevel(line), message: line } });
    });
    child.on('message', (raw) => this.receive(raw));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      const description = signal ? `killed by ${signal}` : `exit code ${code}`;
      this.failPending(`the Latent Lab engine stopped (${description}); it will restart on the next request`);
      this.options.onExit?.(description);
    });
    this.child = child;
    return child;
  }

  private receive(raw: unknown): void {
    let message;
    try {
      message = parseEngineMessage(raw);
    } catch (error) {
      this.options.onInvalidMessage?.(`ignored a malformed engine message: ${messageOf(error)}`);
      return;
    }
    if (message.type === 'event') {
      this.receiveEvent(message);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return; // the reply to a cancel request, or to a request already failed
    this.pending.delete(message.id);
    if (!message.ok) {
      pending.reject(new EngineError(message.error?.code ?? 'failed', message.error?.message ?? 'the engine reported an error'));
      return;
    }
    try {
      pending.resolve(parseResult(pending.method, message.result));
    } catch (error) {
      pending.reject(new EngineError('failed', `the engine sent an invalid ${pending.method} result: ${messageOf(error)}`));
    }
  }

  private receiveEvent(message: EventMessage): void {
    if (!isEngineEvent(message.event)) {
      this.options.onInvalidMessage?.(`ignored unknown engine event "${message.event}"`);
      return;
    }
    let data: EventData<EngineEventName>;
    try {
      data = parseEvent(message.event, message.data);
    } catch (error) {
      this.options.onInvalidMessage?.(`ignored a malformed ${message.event} event: ${messageOf(error)}`);
      return;
    }
    const validated: EventMessage = { ...message, data };
    const owner = message.requestId === undefined ? undefined : this.pending.get(message.requestId);
    if (owner?.onEvent) owner.onEvent(validated);
    else this.options.onEvent?.(validated);
  }

  private failPending(reason: string): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) entry.reject(new EngineError('engine-died', reason));
  }
}

/** TensorFlow's native logging keeps its own severity (its notices are debug output); other stderr is a warning. */
export function stderrLevel(line: string): 'debug' | 'warn' | 'error' {
  return nativeLogLevel(line) ?? 'warn';
}
