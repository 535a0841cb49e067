/** Activation stays light: nothing starts the engine until a command or a panel needs it. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { messageOf } from '../shared/protocol';
import { askForExperiment } from './commands/newExperiment';
import { EngineHost } from './engineHost';
import { CHECKPOINT_EDITOR_VIEW_TYPE, CheckpointEditorProvider } from './panels/checkpointEditor';
import { EXPLORER_VIEW_TYPE, ExplorerPanel, restoreTarget } from './panels/explorerPanel';

export function activate(context: vscode.ExtensionContext): void {
  const engine = new EngineHost(context.extensionPath);
  const { extensionUri } = context;
  const runsRoot = () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return folder ? path.join(folder, 'latent-lab-runs') : path.join(context.globalStorageUri.fsPath, 'runs');
  };
  context.subscriptions.push(
    engine,
    vscode.commands.registerCommand('latentLab.showEngineInfo', async () => {
      try {
        const info = await engine.request('info', {});
        engine.showBackend(info);
        const backend = info.native ? `${info.backend} (native)` : `${info.backend} (fallback: ${info.fallbackReason ?? 'native backend unavailable'})`;
        void vscode.window.showInformationMessage(`Latent Lab engine: backend ${backend} · tfjs ${info.tfjsVersion} · Node ${info.node} · pid ${info.pid}`);
        return info;
      } catch (error) {
        void vscode.window.showErrorMessage(`Latent Lab: could not reach the engine: ${messageOf(error)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('latentLab.newExperiment', async () => {
      const params = await askForExperiment(runsRoot());
      if (params) ExplorerPanel.create(engine, extensionUri, { view: 'train', params });
    }),
    vscode.commands.registerCommand('latentLab.openCheckpoint', async (uri?: vscode.Uri) => {
      const target = uri ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: true, canSelectMany: false, openLabel: 'Explore', filters: { 'Latent Lab checkpoint': ['json'] } }))?.[0];
      if (target) ExplorerPanel.create(engine, extensionUri, { view: 'explore', checkpoint: target.fsPath });
    }),
    vscode.window.registerWebviewPanelSerializer(EXPLORER_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const target = restoreTarget(state);
        if (target) new ExplorerPanel(panel, engine, extensionUri, target);
        else panel.dispose();
      },
    }),
    vscode.window.registerCustomEditorProvider(CHECKPOINT_EDITOR_VIEW_TYPE, new CheckpointEditorProvider(engine, extensionUri), {
      webviewOptions: { retainContextWhenHidden: true },
    }),
  );
}

export function deactivate(): void {
  // Disposing the subscriptions (EngineHost among them) kills the engine process.
}
