/**
 * The one request/response/event/cancel machine, used on every hop of the engine protocol: host ↔
 * engine process, page ↔ host (through the panel bridge), the CLI and the test harness in process.
 * Every message is validated where it arrives, because each hop is a trust boundary: the page is
 * untrusted, and a crashed or hostile process may send anything. A malformed request is answered
 * with an error (when its id can be read); a malformed reply is dropped and reported.
 */
import { bool, type Infer, literal, num, obj, oneOf, optional, SchemaError, str, unknownValue } from './schema';
import {
  EngineError,
  type EngineEventName,
  type EngineMethod,
  engineEvents,
  engineMethods,
  errorCodes,
  type ErrorCode,
  type EventData,
  messageOf,
  type ParamsOf,
  type ResultOf,
} from './protocol';

const requestEnvelope = obj({
  type: literal('request'),
  id: num({ integer: true, min: 0 }),
  method: str({ maxLength: 64 }),
  params: unknownValue(),
});
const responseEnvelope = obj({
  type: literal('response'),
  id: num({ integer: true, min: 0 }),
  ok: bool(),
  result: unknownValue(),
  error: optional(obj({ code: oneOf(errorCodes), message: str({ maxLength: 10_000 }) })),
});
const eventEnvelope = obj({
  type: literal('event'),
  event: str({ maxLength: 64 }),
  /** Set when the event belongs to one request (progress of a training run). */
  requestId: optional(num({ integer: true, min: 0 })),
  data: unknownValue(),
});

export type RequestMessage = Infer<typeof requestEnvelope>;
export type ResponseMessage = Infer<typeof responseEnvelope>;
export type EventMessage = Infer<typeof eventEnvelope>;
/** What travels back to a caller: responses and events. */
export type ReplyMessage = ResponseMessage | EventMessage;

/** An engine event with its data, narrowed by comparing `event`. */
export type EngineEvent = { [E in EngineEventName]: { event: E; data: EventData<E> } }[EngineEventName];

/** Methods a caller may invoke; `cancel` goes through a request's signal or `cancel()`. */
export type CallableMethod = Exclude<EngineMethod, 'cancel'>;

function isEngineMethod(method: string): method is EngineMethod {
  return Object.prototype.hasOwnProperty.call(engineMethods, method);
}

function isEngineEvent(event: string): event is EngineEventName {
  return Object.prototype.hasOwnProperty.call(engineEvents, event);
}

interface ValidRequest<M extends EngineMethod = EngineMethod> {
  id: number;
  method: M;
  params: ParamsOf<M>;
}

export class RequestError extends EngineError {
  constructor(readonly id: number | undefined, code: ErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * Validates an incoming request. Throws a RequestError carrying the request id when it can be read,
 * so the receiver can answer even a malformed message instead of dropping it.
 */
export function parseRequest(raw: unknown): ValidRequest {
  let envelope: RequestMessage;
  try {
    envelope = requestEnvelope.parse(raw, 'request');
  } catch (error) {
    throw new RequestError(readId(raw), 'bad-request', messageOf(error));
  }
  if (!isEngineMethod(envelope.method)) {
    throw new RequestError(envelope.id, 'unknown-method', `unknown method "${envelope.method}"`);
  }
  try {
    const params = engineMethods[envelope.method].params.parse(envelope.params, `${envelope.method}.params`) as ParamsOf<EngineMethod>;
    return { id: envelope.id, method: envelope.method, params };
  } catch (error) {
    throw new RequestError(envelope.id, 'bad-request', messageOf(error));
  }
}

export function parseReply(raw: unknown): ReplyMessage {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (type === 'response') return responseEnvelope.parse(raw, 'response');
  if (type === 'event') return eventEnvelope.parse(raw, 'event');
  throw new SchemaError('message.type', '"response" or "event"', type);
}

/** A reply envelope (as opposed to the page's own host messages), judged by its `type` alone. */
export function isReply(raw: unknown): boolean {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return type === 'response' || type === 'event';
}

export function isRequest(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'request';
}

/** Validates an event's data against its schema; unknown events and bad data throw. */
function parseEvent(message: EventMessage): EngineEvent {
  if (!isEngineEvent(message.event)) throw new SchemaError('event', 'a known engine event', message.event);
  return { event: message.event, data: engineEvents[message.event].parse(message.data, message.event) } as EngineEvent;
}

export function isCancelled(error: unknown): boolean {
  return error instanceof EngineError && error.code === 'cancelled';
}

// ---------------------------------------------------------------------------------------------
// The calling end.

export interface RpcClientOptions {
  /** Hands a request to the transport. May throw (a closed channel): the request then fails. */
  send(message: RequestMessage): void;
  /** Events that belong to no pending request: log lines, the backend notice, a run the host follows. */
  onEvent?(event: EngineEvent): void;
  /** Malformed replies and results are dropped; this says what was dropped. */
  onProblem?(problem: string): void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Events of this request (training progress, projection progress). */
  onEvent?(event: EngineEvent): void;
  /** Fails the request with `timeout` (and cancels it at the other end) when no answer came in time. */
  timeoutMs?: number;
}

export interface PendingRequest<M extends CallableMethod> {
  readonly result: Promise<ResultOf<M>>;
  /** Asks the other end to stop; the request then fails with `cancelled`. */
  cancel(): void;
}

interface Pending {
  method: EngineMethod;
  resolve(result: unknown): void;
  reject(error: Error): void;
  onEvent?(event: EngineEvent): void;
}

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly options: RpcClientOptions) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  request<M extends CallableMethod>(method: M, params: ParamsOf<M>, options: CallOptions = {}): PendingRequest<M> {
    const id = this.nextId++;
    const { signal, timeoutMs } = options;
    const result = new Promise<ResultOf<M>>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new EngineError('cancelled', 'cancelled by the user'));
        return;
      }
      let timer: unknown;
      const onAbort = () => this.cancel(id);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, {
        method,
        resolve: (value) => (done(), resolve(value as ResultOf<M>)),
        reject: (error) => (done(), reject(error)),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.cancel(id);
          this.settle(id, new EngineError('timeout', `${method} got no answer within ${timeoutMs >= 1000 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}`));
        }, timeoutMs);
      }
      try {
        this.options.send({ type: 'request', id, method, params });
      } catch (error) {
        this.settle(id, new EngineError('engine-died', `could not send ${method}: ${messageOf(error)}`));
      }
    });
    return { result, cancel: () => this.cancel(id) };
  }

  /** Everything the other end sends: validated here, then routed to its request or to `onEvent`. */
  receive(raw: unknown): void {
    let message: ReplyMessage;
    try {
      message = parseReply(raw);
    } catch (error) {
      this.options.onProblem?.(`ignored a malformed message: ${messageOf(error)}`);
      return;
    }
    if (message.type === 'event') this.receiveEvent(message);
    else this.receiveResponse(message);
  }

  /** Fails every pending request (the transport died). */
  failAll(error: EngineError): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) entry.reject(error);
  }

  private cancel(requestId: number): void {
    if (!this.pending.has(requestId)) return;
    // The cancel's own reply carries nothing the caller needs: the cancelled request fails instead.
    try {
      this.options.send({ type: 'request', id: this.nextId++, method: 'cancel', params: { requestId } });
    } catch {
      this.settle(requestId, new EngineError('cancelled', 'cancelled by the user'));
    }
  }

  private settle(id: number, error: EngineError): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.reject(error);
  }

  private receiveResponse(message: ResponseMessage): void {
    const entry = this.pending.get(message.id);
    if (!entry) return; // the reply to a cancel, or to a request already failed or timed out
    this.pending.delete(message.id);
    if (!message.ok) {
      entry.reject(new EngineError(message.error?.code ?? 'failed', message.error?.message ?? `${entry.method} failed`));
      return;
    }
    try {
      entry.resolve(engineMethods[entry.method].result.parse(message.result, `${entry.method}.result`));
    } catch (error) {
      this.options.onProblem?.(`ignored a malformed ${entry.method} result: ${messageOf(error)}`);
      entry.reject(new EngineError('failed', `the engine sent a malformed ${entry.method} result`));
    }
  }

  private receiveEvent(message: EventMessage): void {
    let event: EngineEvent;
    try {
      event = parseEvent(message);
    } catch (error) {
      this.options.onProblem?.(`ignored a malformed ${message.event} event: ${messageOf(error)}`);
      return;
    }
    const owner = message.requestId === undefined ? undefined : this.pending.get(message.requestId);
    if (owner?.onEvent) owner.onEvent(event);
    else this.options.onEvent?.(event);
  }
}

// ---------------------------------------------------------------------------------------------
// The serving end.

export interface RequestContext {
  signal: AbortSignal;
  emit<E extends EngineEventName>(event: E, data: EventData<E>): void;
}

export type Handler<M extends EngineMethod> = (params: ParamsOf<M>, context: RequestContext) => Promise<ResultOf<M>>;
export type Handlers = { [M in CallableMethod]: Handler<M> };

export interface RpcServerOptions {
  /** Rejected messages, for the log; the sender gets an error response when its id could be read. */
  log?(line: string): void;
  /** Why a known method has no handler here (the page may ask for explorer work only). */
  refusal?(method: EngineMethod): string;
}

export class RpcServer {
  private readonly running = new Map<number, AbortController>();

  constructor(private readonly handlers: Partial<Handlers>, private readonly send: (message: ReplyMessage) => void, private readonly options: RpcServerOptions = {}) {}

  /** Resolves once the message has been answered. Never throws, whatever arrives. */
  async handle(raw: unknown): Promise<void> {
    let request: ValidRequest;
    try {
      request = parseRequest(raw);
      if (request.method !== 'cancel' && !this.handlers[request.method]) {
        throw new RequestError(request.id, 'bad-request', this.options.refusal?.(request.method) ?? `${request.method} is not served here`);
      }
    } catch (error) {
      const requestError = error as RequestError;
      this.options.log?.(`rejected message: ${requestError.message}`);
      // Without a readable id there is nobody to answer; the log line is all we can do.
      if (requestError.id !== undefined) this.fail(requestError.id, requestError);
      return;
    }
    const { id, method, params } = request;
    if (method === 'cancel') {
      const controller = this.running.get((params as ParamsOf<'cancel'>).requestId);
      controller?.abort();
      this.send({ type: 'response', id, ok: true, result: { cancelled: controller !== undefined } });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    const context: RequestContext = {
      signal: controller.signal,
      emit: (event, data) => this.send({ type: 'event', event, requestId: id, data }),
    };
    try {
      const handler = this.handlers[method] as (params: unknown, context: RequestContext) => Promise<unknown>;
      const result = await handler(params, context);
      this.send({ type: 'response', id, ok: true, result });
    } catch (error) {
      this.fail(id, controller.signal.aborted ? new EngineError('cancelled', 'cancelled by the user') : error);
    } finally {
      this.running.delete(id);
    }
  }

  /** Events that belong to no request (log lines, the backend notice, a run followed for the page). */
  emit<E extends EngineEventName>(event: E, data: EventData<E>): void {
    this.send({ type: 'event', event, data });
  }

  /** Stops every request in flight (their callers get `cancelled`). */
  abortAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  private fail(id: number, error: unknown): void {
    const code = error instanceof EngineError ? error.code : 'failed';
    this.send({ type: 'response', id, ok: false, result: undefined, error: { code, message: messageOf(error).slice(0, 10_000) } });
  }
}

function readId(raw: unknown): number | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : undefined;
}
