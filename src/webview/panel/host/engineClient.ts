/**
 * Engine requests from the webview: each becomes a promise of its validated result, with the events
 * that belong to it delivered to the caller and a way to cancel it.
 */
import {
  EngineError,
  type EngineEventName,
  type EngineMessage,
  type EngineMethod,
  type EventData,
  type EventMessage,
  isEngineEvent,
  messageOf,
  type ParamsOf,
  parseEvent,
  parseResult,
  type ResponseMessage,
  type ResultOf,
} from '../../../shared/protocol';
import { reportProblem } from './inbox';
import { vscodeApi } from './vscodeApi';

/** An engine event with its data, narrowed by comparing `event`. */
export type EngineEvent = { [E in EngineEventName]: { event: E; data: EventData<E> } }[EngineEventName];
export type EngineEventListener = (event: EngineEvent) => void;

export interface PendingRequest<M extends EngineMethod> {
  readonly result: Promise<ResultOf<M>>;
  cancel(): void;
}

interface InFlight {
  method: EngineMethod;
  onEvent?: EngineEventListener;
  resolve(result: unknown): void;
  reject(error: EngineError): void;
}

export class EngineClient {
  private nextId = 1;
  private readonly inFlight = new Map<number, InFlight>();
  /** Events of requests the page did not make: the training run the host started for this panel. */
  private readonly foreignListeners = new Set<EngineEventListener>();

  request<M extends Exclude<EngineMethod, 'cancel'>>(method: M, params: ParamsOf<M>, onEvent?: EngineEventListener): PendingRequest<M> {
    const id = this.nextId++;
    const result = new Promise<ResultOf<M>>((resolve, reject) => {
      this.inFlight.set(id, { method, onEvent, resolve: resolve as (result: unknown) => void, reject });
    });
    vscodeApi.postMessage({ type: 'request', id, method, params });
    return { result, cancel: () => this.cancel(id) };
  }

  onForeignEvents(listener: EngineEventListener): () => void {
    this.foreignListeners.add(listener);
    return () => this.foreignListeners.delete(listener);
  }

  handle(message: EngineMessage): void {
    if (message.type === 'response') this.settle(message);
    else this.dispatchEvent(message);
  }

  private cancel(requestId: number): void {
    if (!this.inFlight.has(requestId)) return;
    // The cancel request's own reply carries nothing the page needs: the cancelled request fails.
    vscodeApi.postMessage({ type: 'request', id: this.nextId++, method: 'cancel', params: { requestId } });
  }

  private settle(message: ResponseMessage): void {
    const pending = this.inFlight.get(message.id);
    if (!pending) return;
    this.inFlight.delete(message.id);
    if (!message.ok) {
      pending.reject(new EngineError(message.error?.code ?? 'failed', message.error?.message ?? `${pending.method} failed`));
      return;
    }
    try {
      pending.resolve(parseResult(pending.method, message.result));
    } catch (error) {
      reportProblem(`ignored a malformed ${pending.method} result: ${messageOf(error)}`);
      pending.reject(new EngineError('failed', `the engine sent a malformed ${pending.method} result`));
    }
  }

  private dispatchEvent(message: EventMessage): void {
    if (!isEngineEvent(message.event)) {
      reportProblem(`ignored an unknown engine event "${message.event}"`);
      return;
    }
    let event: EngineEvent;
    try {
      event = { event: message.event, data: parseEvent(message.event, message.data) } as EngineEvent;
    } catch (error) {
      reportProblem(`ignored a malformed ${message.event} event: ${messageOf(error)}`);
      return;
    }
    const pending = message.requestId === undefined ? undefined : this.inFlight.get(message.requestId);
    if (pending) pending.onEvent?.(event);
    else for (const listener of this.foreignListeners) listener(event);
  }
}

export function isCancelled(error: unknown): boolean {
  return error instanceof EngineError && error.code === 'cancelled';
}
