/**
 * The extension host's part, played in the test process: answers `ready` with the panel's target,
 * forwards engine requests to a real in-process engine (Dispatcher + createHandlers), follows a
 * training run for `train` targets as the host will, and records what the webview reports.
 */
import type { Page } from 'playwright-core';
import type { Dispatcher } from '../../../src/engine/dispatcher';
import type { EngineMessage, RequestMessage } from '../../../src/shared/protocol';
import { type PanelTarget, type WebviewMessage, webviewMessageSchema } from '../../../src/shared/webviewProtocol';
import { decodeTyped, encodeTyped } from './typedCodec';

/** Request ids the host uses for its own engine requests, far from the webview's. */
const TRAIN_ID = 900_000_000;
const CANCEL_ID = 900_000_001;

export interface CspViolation {
  directive: string;
  blocked: string;
  sample: string;
}

type FromPage = { kind: 'message'; message: unknown } | { kind: 'state'; state: unknown } | ({ kind: 'csp' } & CspViolation);

export class FakeHost {
  readonly logs: Extract<WebviewMessage, { type: 'log' }>[] = [];
  readonly saved: Extract<WebviewMessage, { type: 'saveFile' }>[] = [];
  readonly requests: RequestMessage[] = [];
  readonly cspViolations: CspViolation[] = [];
  /** The webview's setState, kept across reloads like VS Code keeps it. */
  state: unknown = null;
  private readonly dispatcher: Dispatcher;
  private delivery: Promise<unknown> = Promise.resolve();
  private page: Page | undefined;

  constructor(private readonly target: PanelTarget, connect: (send: (message: EngineMessage) => void) => Dispatcher) {
    this.dispatcher = connect((message) => this.fromEngine(message));
  }

  async attach(page: Page): Promise<void> {
    this.page = page;
    await page.exposeBinding('__harnessPost', (_source, raw: FromPage) => this.fromPage(raw));
  }

  /** What VS Code would post into the webview; also how tests inject messages of their own. */
  deliver(message: unknown): Promise<unknown> {
    const page = this.page;
    if (!page) throw new Error('harness: no page attached');
    this.delivery = this.delivery.then(() => page.evaluate((encoded) => (window as unknown as { __harnessDeliver(m: unknown): void }).__harnessDeliver(encoded), encodeTyped(message)).catch(() => undefined));
    return this.delivery;
  }

  private fromPage(raw: FromPage): void {
    if (raw.kind === 'state') this.state = decodeTyped(raw.state);
    else if (raw.kind === 'csp') this.cspViolations.push({ directive: raw.directive, blocked: raw.blocked, sample: raw.sample });
    else this.fromWebview(decodeTyped(raw.message));
  }

  private fromWebview(message: unknown): void {
    if (isRequest(message)) {
      this.requests.push(message);
      void this.dispatcher.handle(message);
      return;
    }
    const parsed = webviewMessageSchema.parse(message, 'webview message');
    if (parsed.type === 'ready') {
      void this.deliver({ type: 'init', target: this.target, preferences: { defaultProjection: 'pca' } });
      if (this.target.view === 'train') void this.dispatcher.handle({ type: 'request', id: TRAIN_ID, method: 'train', params: this.target.params });
    } else if (parsed.type === 'cancelTraining') {
      void this.dispatcher.handle({ type: 'request', id: CANCEL_ID, method: 'cancel', params: { requestId: TRAIN_ID } });
    } else if (parsed.type === 'log') {
      this.logs.push(parsed);
    } else {
      this.saved.push(parsed);
    }
  }

  private fromEngine(message: EngineMessage): void {
    if (message.type === 'response' && message.id === CANCEL_ID) return;
    if (message.type === 'response' && message.id === TRAIN_ID) {
      void this.deliver(message.ok ? { type: 'trainFinished', result: message.result } : { type: 'trainFailed', message: message.error?.message ?? 'training failed' });
      return;
    }
    void this.deliver(message);
  }
}

function isRequest(message: unknown): message is RequestMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'request';
}
