/** Opening a checkpoint's latent-lab.json shows the explorer on that checkpoint instead of raw JSON. */
import * as vscode from 'vscode';
import type { EngineHost } from '../engineHost';
import { ExplorerPanel } from './explorerPanel';

export const CHECKPOINT_EDITOR_VIEW_TYPE = 'latentLab.checkpoint';

export class CheckpointEditorProvider implements vscode.CustomReadonlyEditorProvider {
  private readonly panels = new Set<ExplorerPanel>();

  constructor(private readonly engine: EngineHost, private readonly extensionUri: vscode.Uri) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, webviewPanel: vscode.WebviewPanel): void {
    const panel = new ExplorerPanel(webviewPanel, this.engine, this.extensionUri, { view: 'explore', checkpoint: document.uri.fsPath });
    this.panels.add(panel);
    webviewPanel.onDidDispose(() => this.panels.delete(panel));
  }
}
