/**
 * What stands between an explorer page and the engine, free of `vscode` so that the webview test
 * harness runs this very code. The page is untrusted: every message is validated; engine requests
 * are served by the shared RPC with an allow-list (explorer work only, never training); a page may
 * open only the files its panel was opened on (and only in a trusted workspace) and use only the
 * sessions it opened. A training run the panel follows is relayed to the page. The panel supplies
 * what needs VS Code through PanelHost.
 */
import { EngineError, type EngineMethod, messageOf, type ParamsOf, type Progress, type ResultOf, type TrainResult } from '../../shared/protocol';
import { foreignModelPaths } from '../../shared/foreignModel';
import { type CallableMethod, type CallOptions, type Handler, type Handlers, isRequest, type ReplyMessage, RpcServer } from '../../shared/rpc';
import { type HostMessage, type PanelTarget, targetPaths, webviewMessageSchema } from '../../shared/webviewProtocol';

/** Everything the host posts into a page. */
export type ToWebview = HostMessage | ReplyMessage;

export interface PanelHost {
  /** The engine that serves explorers. */
  request<M extends CallableMethod>(method: M, params: ParamsOf<M>, options: CallOptions): Promise<ResultOf<M>>;
  post(message: ToWebview): void;
  isUntrusted(path: string): boolean;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** The user's settings that shape what a page shows. */
  preferences(): Extract<HostMessage, { type: 'init' }>['preferences'];
  saveFile(suggestedName: string, content: string): Promise<void>;
}

/** The engine methods a page may call. */
type WebviewMethod = Extract<CallableMethod, 'openSession' | 'closeSession' | 'project' | 'samples' | 'decode' | 'priorSamples' | 'features' | 'unitsUsed' | 'topActivating' | 'timeline' | 'directions' | 'saveDirection' | 'deleteDirection' | 'info'>;

export class PanelBridge {
  private readonly server: RpcServer;
  private readonly sessions = new Set<string>();
  private training: AbortController | undefined;

  constructor(private target: PanelTarget, private readonly host: PanelHost) {
    this.server = new RpcServer(this.handlers(), (message) => host.post(message), {
      log: (line) => host.log('error', `explorer: ${line}`),
      refusal: (method) => `the explorer may not call ${method}`,
    });
  }

  /** What the panel shows now; a finished run turns into its checkpoint. */
  get shown(): PanelTarget {
    return this.target;
  }

  /** Any message from the page. Never throws: what is malformed is logged and dropped. */
  async receive(raw: unknown): Promise<void> {
    if (isRequest(raw)) return this.server.handle(raw);
    let message;
    try {
      message = webviewMessageSchema.parse(raw, 'webview message');
    } catch (error) {
      this.host.log('error', `ignored a malformed message from the explorer webview: ${messageOf(error)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.host.post({ type: 'init', target: this.target, preferences: this.host.preferences() });
        break;
      case 'cancelTraining':
        this.stopTraining();
        break;
      case 'saveFile':
        await this.host.saveFile(message.suggestedName, message.content).catch((error: unknown) => this.host.log('error', `could not save ${message.suggestedName}: ${messageOf(error)}`));
        break;
      case 'log':
        this.host.log(message.level, `explorer: ${message.message}`);
        break;
    }
  }

  /**
   * Relays a run to the page: its progress as events of no request, then `trainFinished` or
   * `trainFailed`. Settles as the run does.
   */
  async follow(run: (options: CallOptions) => Promise<TrainResult>, onProgress?: (progress: Progress) => void): Promise<TrainResult> {
    const controller = new AbortController();
    this.training = controller;
    try {
      const result = await run({
        signal: controller.signal,
        onEvent: (event) => {
          this.host.post({ type: 'event', event: event.event, data: event.data });
          if (event.event === 'progress') onProgress?.(event.data);
        },
      });
      // Before the page hears of it: it opens the checkpoint as soon as it does.
      if (result.checkpoint) this.target = { view: 'explore', checkpoint: result.checkpoint };
      this.host.post({ type: 'trainFinished', result });
      return result;
    } catch (error) {
      this.host.post({ type: 'trainFailed', message: messageOf(error) });
      throw error;
    } finally {
      this.training = undefined;
    }
  }

  stopTraining(): void {
    this.training?.abort();
  }

  dispose(): void {
    this.server.abortAll();
    this.stopTraining();
    for (const sessionId of this.sessions) void this.host.request('closeSession', { sessionId }, {}).catch(() => undefined);
    this.sessions.clear();
  }

  private handlers(): Pick<Handlers, WebviewMethod> {
    const forward = <M extends WebviewMethod>(method: M): Handler<M> =>
      (params, context) => this.host.request(method, params, { signal: context.signal, onEvent: (event) => context.emit(event.event, event.data) });
    /** Requests on a session: only on the page's own. */
    const onSession = <M extends 'project' | 'samples' | 'decode' | 'priorSamples' | 'features' | 'unitsUsed' | 'topActivating' | 'timeline' | 'directions' | 'saveDirection' | 'deleteDirection'>(method: M): Handler<M> =>
      (params, context) => {
        this.checkSession(method, params.sessionId);
        return forward(method)(params, context);
      };
    return {
      openSession: async (params, context) => {
        this.checkOpenable(params);
        const session = await forward('openSession')(params, context);
        this.sessions.add(session.sessionId);
        return session;
      },
      closeSession: async (params, context) => {
        this.checkSession('closeSession', params.sessionId);
        this.sessions.delete(params.sessionId);
        return forward('closeSession')(params, context);
      },
      project: onSession('project'),
      samples: onSession('samples'),
      decode: onSession('decode'),
      priorSamples: onSession('priorSamples'),
      features: onSession('features'),
      unitsUsed: onSession('unitsUsed'),
      topActivating: onSession('topActivating'),
      timeline: onSession('timeline'),
      directions: onSession('directions'),
      saveDirection: onSession('saveDirection'),
      deleteDirection: onSession('deleteDirection'),
      info: forward('info'),
    };
  }

  private checkOpenable(params: ParamsOf<'openSession'>): void {
    const { checkpoint, data, latents, labels, images, model } = params;
    const paths = [checkpoint, data, latents, labels, images, ...(model ? foreignModelPaths(model) : [])].filter((file) => file !== undefined);
    const opened = new Set(targetPaths(this.target));
    const outside = paths.find((file) => !opened.has(file));
    // The same folder read as another format is another program: a SavedModel runs only as the panel opened it.
    const shownModel = this.target.view === 'model' ? this.target.model : undefined;
    if (model && (model.format !== shownModel?.format || model.model !== shownModel.model)) this.refuse('openSession', `a ${model.format} model at ${model.model} is not what this panel was opened on; open it with Latent Lab: Open Model`);
    if (outside !== undefined) this.refuse('openSession', `${outside} is not what this panel was opened on; open it from VS Code (Latent Lab: Open Checkpoint, Open Model or Explore Latents)`);
    if (paths.some((file) => this.host.isUntrusted(file))) this.refuse('openSession', 'checkpoints and datasets in an untrusted workspace are not loaded; trust the workspace to explore them');
  }

  private checkSession(method: EngineMethod, sessionId: string): void {
    if (!this.sessions.has(sessionId)) this.refuse(method, `session ${sessionId} is not one this panel opened`);
  }

  private refuse(method: EngineMethod, reason: string): never {
    this.host.log('error', `explorer: rejected ${method}: ${reason}`);
    throw new EngineError('bad-request', reason);
  }
}
