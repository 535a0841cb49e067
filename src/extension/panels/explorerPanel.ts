/**
 * One explorer panel: its lifecycle, its HTML, and the VS Code side of what its bridge needs (the
 * engine, trust, settings, a save dialog, notifications for a run it follows).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { messageOf, type TrainParams } from '../../shared/protocol';
import { CHECKPOINT_FILE } from '../../shared/checkpointSummary';
import { runName } from '../../shared/paths';
import { type PanelTarget, panelTargetSchema } from '../../shared/webviewProtocol';
import type { EngineHost } from '../engineHost';
import { isUntrustedWorkspacePath } from '../workspaceTrust';
import { PanelBridge, type ToWebview } from './panelBridge';
import { explorerHtml } from './webviewHtml';

export const EXPLORER_VIEW_TYPE = 'latentLab.explorer';

export class ExplorerPanel implements vscode.Disposable {
  private readonly bridge: PanelBridge;
  private readonly disposables: vscode.Disposable[] = [];
  private watchers = new vscode.Disposable(() => undefined);
  private disposed = false;

  static create(engine: EngineHost, extensionUri: vscode.Uri, target: PanelTarget): ExplorerPanel {
    const panel = vscode.window.createWebviewPanel(EXPLORER_VIEW_TYPE, titleOf(target), vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return new ExplorerPanel(panel, engine, extensionUri, target);
  }

  constructor(readonly panel: vscode.WebviewPanel, private readonly engine: EngineHost, extensionUri: vscode.Uri, target: PanelTarget) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = explorerHtml(panel.webview, extensionUri);
    panel.title = titleOf(target);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.bridge = new PanelBridge(target, {
      request: (method, params, options) => engine.request(method, params, options),
      post: (message: ToWebview) => void panel.webview.postMessage(message),
      isUntrusted: isUntrustedWorkspacePath,
      log: (level, message) => engine.output[level](message),
      preferences: () => ({ defaultProjection: vscode.workspace.getConfiguration('latentLab').get<'pca' | 'umap' | 'tsne'>('defaultProjection', 'pca') }),
      saveFile,
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => void this.bridge.receive(message)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        if (panel.visible) void panel.webview.postMessage({ type: 'shown' } satisfies ToWebview);
      }),
    );
    this.watchCheckpoints();
    if (target.view === 'train') this.train(target.params);
  }

  dispose(): void {
    this.disposed = true;
    this.bridge.dispose();
    this.watchers.dispose();
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }

  /** Tells the page when a checkpoint it shows is deleted (another window, a terminal). */
  private watchCheckpoints(): void {
    this.watchers.dispose();
    const target = this.bridge.shown;
    const checkpoints = target.view === 'explore' ? [target.checkpoint] : target.view === 'compare' ? target.checkpoints : [];
    this.watchers = vscode.Disposable.from(
      ...checkpoints.map((checkpoint) => {
        const folder = path.basename(checkpoint) === CHECKPOINT_FILE ? path.dirname(checkpoint) : checkpoint;
        // The folder itself, so that deleting the whole run is seen as well as deleting its file.
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(folder)), path.basename(folder)), true, true, false);
        // Every save replaces the folder (rename away, rename in): only a folder still gone a moment later was deleted.
        watcher.onDidDelete(() =>
          setTimeout(() => {
            void vscode.workspace.fs.stat(vscode.Uri.file(folder)).then(
              () => undefined,
              () => this.disposed || void this.panel.webview.postMessage({ type: 'checkpointDeleted', checkpoint } satisfies ToWebview),
            );
          }, 1000),
        );
        return watcher;
      }),
    );
  }

  private train(params: TrainParams): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Latent Lab: training ${params.model} on ${params.data}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => this.bridge.stopTraining());
        let reported = 0;
        try {
          const result = await this.bridge.follow(
            (options) => this.engine.train(params, options),
            (data) => {
              const done = ((data.epoch - 1) * data.batches + data.batch) / (data.epochs * data.batches);
              progress.report({ increment: Math.max(0, done * 100 - reported), message: `epoch ${data.epoch}/${data.epochs} · loss ${data.terms.loss?.toFixed(3) ?? '—'}` });
              reported = Math.max(reported, done * 100);
            },
          );
          this.panel.title = titleOf(this.bridge.shown);
          this.watchCheckpoints();
          const level = result.status === 'diverged' ? 'showWarningMessage' : 'showInformationMessage';
          void vscode.window[level](`Latent Lab: ${params.model} ${result.status} — ${result.message}`);
        } catch (error) {
          void vscode.window.showErrorMessage(`Latent Lab: training failed: ${messageOf(error)}`);
        }
      },
    );
  }
}

async function saveFile(suggestedName: string, content: string): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : vscode.Uri.file(suggestedName),
    filters: { CSV: ['csv'] },
  });
  if (!uri) return;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  void vscode.window.showInformationMessage(`Latent Lab: saved ${vscode.workspace.asRelativePath(uri)}`);
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
