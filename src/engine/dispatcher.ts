/**
 * Transport-independent request handling: validates every incoming message, runs its handler with
 * a cancel signal and an event channel, and always answers — a malformed message gets an error
 * response, never an exception in the engine.
 */
import {
  EngineError,
  type EngineEventName,
  type EngineMessage,
  type EngineMethod,
  type EventData,
  messageOf,
  type ParamsOf,
  parseRequest,
  RequestError,
  type ResultOf,
} from '../shared/protocol';

export interface RequestContext {
  signal: AbortSignal;
  emit<E extends EngineEventName>(event: E, data: EventData<E>): void;
}

export type Handlers = { [M in EngineMethod]: (params: ParamsOf<M>, context: RequestContext) => Promise<ResultOf<M>> };

export type Send = (message: EngineMessage) => void;

export class Dispatcher {
  private readonly running = new Map<number, AbortController>();

  constructor(private readonly handlers: Omit<Handlers, 'cancel'>, private readonly send: Send, private readonly log: (message: string) => void = () => {}) {}

  /** Resolves once the message has been answered. */
  async handle(raw: unknown): Promise<void> {
    let request;
    try {
      request = parseRequest(raw);
    } catch (error) {
      const requestError = error as RequestError;
      this.log(`rejected message: ${requestError.message}`);
      // Without a readable id there is nobody to answer; the log line above is all we can do.
      if (requestError.id !== undefined) this.reply(requestError.id, requestError);
      return;
    }
    const { id, method, params } = request;
    if (method === 'cancel') {
      const { requestId } = params as ParamsOf<'cancel'>;
      const controller = this.running.get(requestId);
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
      this.reply(id, controller.signal.aborted ? new EngineError('cancelled', 'cancelled by the user') : error);
    } finally {
      this.running.delete(id);
    }
  }

  /** Broadcast events (log lines, backend notice) that belong to no request. */
  emit<E extends EngineEventName>(event: E, data: EventData<E>): void {
    this.send({ type: 'event', event, data });
  }

  private reply(id: number, error: unknown): void {
    const code = error instanceof EngineError ? error.code : 'failed';
    this.send({ type: 'response', id, ok: false, result: undefined, error: { code, message: messageOf(error).slice(0, 10_000) } });
  }
}
