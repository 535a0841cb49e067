/**
 * The extension host's part, played in the test process by the host's own PanelBridge: it answers
 * `ready`, serves the page's engine requests from a real in-process engine (createHandlers behind the
 * shared RPC), follows a training run for `train` targets, and records what the page reports.
 */
import type { Page } from 'playwright-core';
import { PanelBridge } from '../../../src/extension/panels/panelBridge';
import type { TrainParams } from '../../../src/shared/protocol';
import { type Handlers, isRequest, type RequestMessage, RpcClient, RpcServer } from '../../../src/shared/rpc';
import type { PanelTarget } from '../../../src/shared/webviewProtocol';
import { decodeTyped, encodeTyped } from './typedCodec';

export interface CspViolation {
  directive: string;
  blocked: string;
  sample: string;
}

type FromPage = { kind: 'message'; message: unknown } | { kind: 'state'; state: unknown } | ({ kind: 'csp' } & CspViolation);

export class FakeHost {
  /** What the bridge logged: the page's own reports and rejected messages. */
  readonly logs: { level: 'info' | 'warn' | 'error'; message: string }[] = [];
  readonly saved: { suggestedName: string; content: string }[] = [];
  readonly requests: RequestMessage[] = [];
  readonly cspViolations: CspViolation[] = [];
  /** The webview's setState, kept across reloads like VS Code keeps it. */
  state: unknown = null;
  private readonly bridge: PanelBridge;
  private readonly engine: RpcClient;
  private training: TrainParams | undefined;
  private delivery: Promise<unknown> = Promise.resolve();
  private page: Page | undefined;

  constructor(target: PanelTarget, handlers: Handlers) {
    const server = new RpcServer(handlers, (message) => this.engine.receive(message));
    this.engine = new RpcClient({ send: (message) => void server.handle(message) });
    this.training = target.view === 'train' ? target.params : undefined;
    this.bridge = new PanelBridge(target, {
      request: (method, params, options) => this.engine.request(method, params, options).result,
      post: (message) => void this.deliver(message),
      isUntrusted: () => false,
      log: (level, message) => this.logs.push({ level, message }),
      preferences: () => ({ defaultProjection: 'pca' }),
      saveFile: async (suggestedName, content) => {
        this.saved.push({ suggestedName, content });
      },
    });
  }

  /** What the panel does when VS Code closes it: the bridge closes the sessions the page left open. */
  close(): void {
    this.bridge.dispose();
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
    if (isRequest(message)) this.requests.push(message as RequestMessage);
    void this.bridge.receive(message);
    // The host starts a run when it opens the panel; the harness waits for the page to listen.
    const params = this.training;
    if (params && (message as { type?: unknown }).type === 'ready') {
      this.training = undefined;
      void this.bridge.follow((options) => this.engine.request('train', params, options).result).catch(() => undefined);
    }
  }
}
