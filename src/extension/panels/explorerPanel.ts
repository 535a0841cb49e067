/**
 * One explorer panel: routes the webview's engine requests to the engine (validated on the way in,
 * cancellable by the webview), follows a training run for the dashboard, and saves exports.
 */
import * as vscode from 'vscode';
import { EngineError, type EngineMethod, messageOf, type OpenSessionParams, parseRequest, RequestError, type TrainParams, type TrainResult } from '../../shared/protocol';
import { runName } from '../../shared/paths';
import { foreignModelPaths } from '../../shared/foreignModel';
import { type PanelTarget, panelTargetSchema, webviewMessageSchema } from '../../shared/webviewProtocol';
import type { EngineHost } from '../engineHost';
import { isUntrustedWorkspacePath } from '../workspaceTrust';
import { explorerHtml } from './webviewHtml';

export const EXPLORER_VIEW_TYPE = 'latentLab.explorer';

/** The webview may ask for explorer work only; training starts from commands, not from page script. */
const webviewMethods = new Set<EngineMethod>(['openSession', 'closeSession', 'project', 'samples', 'decode', 'features', 'topActivating', 'info']);

export class ExplorerPanel implements vscode.Disposable {
  private readonly inFlight = new Map<number, AbortController>();
  private readonly sessions = new Set<string>();
  private training: AbortController | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Panels following a training run, for "Stop Training" and the status bar. */
  static readonly training = new Set<ExplorerPanel>();

  static create(engine: EngineHost, extensionUri: vscode.Uri, target: PanelTarget): ExplorerPanel {
    const panel = vscode.window.createWebviewPanel(EXPLORER_VIEW_TYPE, titleOf(target), vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return new ExplorerPanel(panel, engine, extensionUri, target);
  }

  constructor(readonly panel: vscode.WebviewPanel, private readonly engine: EngineHost, extensionUri: vscode.Uri, private target: PanelTarget) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = explorerHtml(panel.webview, extensionUri);
    panel.title = titleOf(target);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      panel.onDidDispose(() => this.dispose()),
    );
    if (target.view === 'train') this.startTraining(target.params);
  }

  dispose(): void {
    for (const controller of this.inFlight.values()) controller.abort();
    this.training?.abort();
    for (const sessionId of this.sessions) void this.engine.request('closeSession', { sessionId }).catch(() => undefined);
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }

  private post(message: unknown): void {
    void this.panel.webview.postMessage(message);
  }

  private async receive(raw: unknown): Promise<void> {
    if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'request') {
      await this.forward(raw);
      return;
    }
    let message;
    try {
      message = webviewMessageSchema.parse(raw, 'webview message');
    } catch (error) {
      this.engine.output.error(`ignored a malformed message from the explorer webview: ${messageOf(error)}`);
      return;
    }
    switch (message.type) {
      case 'ready': {
        const defaultProjection = vscode.workspace.getConfiguration('latentLab').get<'pca' | 'umap' | 'tsne'>('defaultProjection', 'pca');
        this.post({ type: 'init', target: this.target, preferences: { defaultProjection } });
        break;
      }
      case 'cancelTraining':
        this.training?.abort();
        break;
      case 'saveFile':
        await this.saveFile(message.suggestedName, message.content);
        break;
      case 'log':
        this.engine.output[message.level](`explorer: ${message.message}`);
        break;
    }
  }

  private async forward(raw: unknown): Promise<void> {
    let request;
    try {
      request = parseRequest(raw);
      if (request.method !== 'cancel' && !webviewMethods.has(request.method)) throw new RequestError(request.id, 'bad-request', `the explorer may not call ${request.method}`);
      if (request.method === 'openSession') {
        const { checkpoint, data, latents, labels, images, model } = request.params as OpenSessionParams;
        if ([checkpoint, data, latents, labels, images, ...(model ? foreignModelPaths(model) : [])].some((file) => file !== undefined && isUntrustedWorkspacePath(file))) throw new RequestError(request.id, 'bad-request', 'checkpoints and datasets in an untrusted workspace are not loaded; trust the workspace to explore them');
      }
    } catch (error) {
      const requestError = error as RequestError;
      this.engine.output.error(`explorer request rejected: ${requestError.message}`);
      if (requestError.id !== undefined) this.post({ type: 'response', id: requestError.id, ok: false, error: { code: requestError.code, message: requestError.message } });
      return;
    }
    const { id, method, params } = request;
    if (method === 'cancel') {
      // Webview request ids are the panel's own; cancel maps them to the engine call in flight.
      const controller = this.inFlight.get((params as { requestId: number }).requestId);
      controller?.abort();
      this.post({ type: 'response', id, ok: true, result: { cancelled: controller !== undefined } });
      return;
    }
    const controller = new AbortController();
    this.inFlight.set(id, controller);
    try {
      const result = await this.engine.request(method, params as never, {
        signal: controller.signal,
        onEvent: (event) => this.post({ type: 'event', event: event.event, requestId: id, data: event.data }),
      });
      if (method === 'openSession') this.sessions.add((result as { sessionId: string }).sessionId);
      if (method === 'closeSession') this.sessions.delete((params as { sessionId: string }).sessionId);
      this.post({ type: 'response', id, ok: true, result });
    } catch (error) {
      const code = error instanceof EngineError ? error.code : 'failed';
      this.post({ type: 'response', id, ok: false, error: { code, message: messageOf(error) } });
    } finally {
      this.inFlight.delete(id);
    }
  }

  stopTraining(): void {
    this.training?.abort();
  }

  private startTraining(params: TrainParams): void {
    const controller = new AbortController();
    this.training = controller;
    ExplorerPanel.training.add(this);
    this.engine.setTraining(ExplorerPanel.training.size);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Latent Lab: training ${params.model} on ${params.data}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        try {
          const result: TrainResult = await this.engine.train(params, {
            signal: controller.signal,
            onEvent: (event) => {
              this.post({ type: 'event', event: event.event, data: event.data });
              const data = event.data as { epoch: number; epochs: number; batch: number; batches: number; terms: { loss?: number } };
              const done = ((data.epoch - 1) * data.batches + data.batch) / (data.epochs * data.batches);
              progress.report({ increment: Math.max(0, done * 100 - reported), message: `epoch ${data.epoch}/${data.epochs} · loss ${data.terms.loss?.toFixed(3) ?? '—'}` });
              reported = Math.max(reported, done * 100);
            },
          });
          this.post({ type: 'trainFinished', result });
          if (result.checkpoint) {
            this.target = { view: 'explore', checkpoint: result.checkpoint };
            this.panel.title = titleOf(this.target);
          }
          const level = result.status === 'diverged' ? 'showWarningMessage' : 'showInformationMessage';
          void vscode.window[level](`Latent Lab: ${params.model} ${result.status} — ${result.message}`);
        } catch (error) {
          this.post({ type: 'trainFailed', message: messageOf(error) });
          void vscode.window.showErrorMessage(`Latent Lab: training failed: ${messageOf(error)}`);
        } finally {
          this.training = undefined;
          ExplorerPanel.training.delete(this);
          this.engine.setTraining(ExplorerPanel.training.size);
        }
      },
    );
  }

  private async saveFile(suggestedName: string, content: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : vscode.Uri.file(suggestedName),
      filters: { CSV: ['csv'] },
    });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
    void vscode.window.showInformationMessage(`Latent Lab: saved ${vscode.workspace.asRelativePath(uri)}`);
  }
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Training dashboards must keep receiving progress while their tab is in the background.
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function titleOf(target: PanelTarget): string {
  if (target.view === 'train') return `Training ${target.params.model}`;
  if (target.view === 'compare') return `Compare ${target.checkpoints.map(runName).join(' ↔ ')}`;
  if (target.view === 'model') return `Latent Lab: ${runName(target.model.model)}`;
  return `Latent Lab: ${runName(target.view === 'latents' ? target.latents : target.checkpoint)}`;
}

/** Restores panels after a window reload from the target the webview saved with setState. */
export function restoreTarget(state: unknown): PanelTarget | undefined {
  const saved = typeof state === 'object' && state !== null ? (state as { target?: unknown }).target : undefined;
  try {
    const target = panelTargetSchema.parse(saved, 'saved state');
    // A run cannot resume its engine after a reload; show what it saved instead.
    if (target.view === 'train') return target.params.out ? { view: 'explore', checkpoint: target.params.out } : undefined;
    return target;
  } catch {
    return undefined;
  }
}
