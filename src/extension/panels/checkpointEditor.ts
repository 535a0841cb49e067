/** Opening a checkpoint's latent-lab.json shows the explorer on that checkpoint instead of raw JSON. */
import * as vscode from 'vscode';
import type { EngineHost } from '../engineHost';
import { allowLoading } from '../workspaceTrust';
import { ExplorerPanel } from './explorerPanel';

export const CHECKPOINT_EDITOR_VIEW_TYPE = 'latentLab.checkpoint';

export class CheckpointEditorProvider implements vscode.CustomReadonlyEditorProvider {
  private readonly panels = new Set<ExplorerPanel>();

  constructor(private readonly engine: EngineHost, private readonly extensionUri: vscode.Uri) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, webviewPanel: vscode.WebviewPanel): Promise<void> {
    if (!(await allowLoading([document.uri.fsPath]))) {
      webviewPanel.webview.html = '<p>Latent Lab does not load checkpoints from an untrusted workspace. Trust the workspace to explore this one.</p>';
      return;
    }
    const panel = new ExplorerPanel(webviewPanel, this.engine, this.extensionUri, { view: 'explore', checkpoint: document.uri.fsPath });
    this.panels.add(panel);
    webviewPanel.onDidDispose(() => this.panels.delete(panel));
  }
}
