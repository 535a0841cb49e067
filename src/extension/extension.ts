/** Activation stays light: nothing starts the engine until a command or a panel needs it. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { messageOf, type TrainParams, type TrainResult } from '../shared/protocol';
import { type PanelTarget, withSettings } from '../shared/webviewProtocol';
import { askWhatToExplore } from './commands/exploreLatents';
import { askForExperiment } from './commands/newExperiment';
import { askForModel } from './commands/openModel';
import { askForRerun } from './commands/rerun';
import { type NativeSetupTarget, offerNativeSetupOnce, setUpNativeBackend } from './commands/setupNative';
import { EngineHost } from './engineHost';
import { CHECKPOINT_EDITOR_VIEW_TYPE, CheckpointEditorProvider } from './panels/checkpointEditor';
import { EXPLORER_VIEW_TYPE, ExplorerPanel, restoreTarget } from './panels/explorerPanel';
import { deleteRun, type RunItem, RunsTree } from './views/runsTree';
import { allowTarget } from './workspaceTrust';

/** What `activate` returns: other extensions and the integration tests drive training through it. */
export interface LatentLabApi {
  train(params: TrainParams): Promise<TrainResult>;
}

export function activate(context: vscode.ExtensionContext): LatentLabApi {
  const settings = () => vscode.workspace.getConfiguration('latentLab');
  // libtensorflow (850 MB) outlives extension updates in global storage; a LATENT_LAB_NATIVE_HOME set by the user wins.
  const native: NativeSetupTarget = {
    cliPath: path.join(context.extensionPath, 'dist', 'cli.js'),
    env: { LATENT_LAB_NATIVE_HOME: process.env.LATENT_LAB_NATIVE_HOME || context.globalStorageUri.fsPath },
  };
  const engine = new EngineHost(context.extensionPath, settings().get<number>('engineMemoryLimitMb', 8192), native.env);
  const { extensionUri } = context;
  const runsRoot = (): vscode.Uri => {
    const configured = settings().get<string>('runsFolder', 'latent-lab-runs');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (path.isAbsolute(configured)) return vscode.Uri.file(configured);
    return folder ? vscode.Uri.joinPath(folder, configured) : vscode.Uri.joinPath(context.globalStorageUri, 'runs');
  };
  const openPanel = async (target: PanelTarget) => {
    if (!(await allowTarget(target))) return;
    ExplorerPanel.create(engine, extensionUri, withSettings(target, { maxPoints: settings().get<number>('maxPoints', 0), eagerTraining: settings().get<boolean>('eagerTraining', false), timelineProbes: settings().get<number>('timelineProbes', 10_000) }));
  };
  const runs = new RunsTree(runsRoot);
  context.subscriptions.push(
    engine,
    runs,
    vscode.window.createTreeView('latentLab.runs', { treeDataProvider: runs, canSelectMany: true }),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('latentLab.runsFolder') && runs.refresh()),
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
    vscode.commands.registerCommand('latentLab.setupNative', () => setUpNativeBackend(native)),
    vscode.commands.registerCommand('latentLab.newExperiment', async () => {
      const params = await askForExperiment(engine, runsRoot().fsPath);
      if (params) await openPanel({ view: 'train', params });
    }),
    vscode.commands.registerCommand('latentLab.openCheckpoint', async (item?: vscode.Uri | RunItem) => {
      const target = item instanceof vscode.Uri ? item : item?.folder ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: true, canSelectMany: false, openLabel: 'Explore', filters: { 'Latent Lab checkpoint': ['json'] } }))?.[0];
      if (target) await openPanel({ view: 'explore', checkpoint: target.fsPath });
    }),
    vscode.commands.registerCommand('latentLab.openModel', async () => {
      const target = await askForModel(engine);
      if (target) await openPanel(target);
    }),
    vscode.commands.registerCommand('latentLab.exploreLatents', async () => {
      const target = await askWhatToExplore();
      if (target) await openPanel(target);
    }),
    vscode.commands.registerCommand('latentLab.stopTraining', () => {
      if (engine.stopTraining() === 0) void vscode.window.showInformationMessage('Latent Lab: no training run is in progress.');
    }),
    vscode.commands.registerCommand('latentLab.compareRuns', async (item?: RunItem, selected?: RunItem[]) => {
      const chosen = selected && selected.length === 2 ? selected : await pickTwoRuns(runs, item);
      if (chosen) await openPanel({ view: 'compare', checkpoints: chosen.map((run) => run.folder.fsPath) });
    }),
    vscode.commands.registerCommand('latentLab.runs.rerun', async (item: RunItem) => {
      try {
        const params = await askForRerun(item.folder, runsRoot().fsPath);
        if (params) await openPanel({ view: 'train', params });
      } catch (error) {
        void vscode.window.showErrorMessage(`Latent Lab: cannot re-run ${item.folder.fsPath}: ${messageOf(error)}`);
      }
    }),
    vscode.commands.registerCommand('latentLab.runs.refresh', () => runs.refresh()),
    vscode.commands.registerCommand('latentLab.runs.reveal', (item: RunItem) => vscode.commands.executeCommand('revealFileInOS', item.folder)),
    vscode.commands.registerCommand('latentLab.runs.delete', async (item: RunItem) => {
      await deleteRun(item);
      runs.refresh();
    }),
    vscode.window.registerWebviewPanelSerializer(EXPLORER_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const target = restoreTarget(state);
        if (target && (await allowTarget(target))) new ExplorerPanel(panel, engine, extensionUri, target);
        else panel.dispose();
      },
    }),
    vscode.window.registerCustomEditorProvider(CHECKPOINT_EDITOR_VIEW_TYPE, new CheckpointEditorProvider(engine, extensionUri), {
      webviewOptions: { retainContextWhenHidden: true },
    }),
  );
  void offerNativeSetupOnce(context.globalState, native, String(context.extension.packageJSON.version));
  return { train: (params) => engine.train(params) };
}

async function pickTwoRuns(runs: RunsTree, preselected?: RunItem): Promise<RunItem[] | undefined> {
  const items = await runs.getChildren();
  if (items.length < 2) {
    void vscode.window.showInformationMessage('Latent Lab: Compare Runs needs at least two runs in the runs folder.');
    return undefined;
  }
  const picks = await vscode.window.showQuickPick(
    items.map((run) => ({ label: String(run.label), description: String(run.description ?? ''), picked: run.folder.fsPath === preselected?.folder.fsPath, run })),
    { title: 'Latent Lab: Compare Runs — choose two', canPickMany: true },
  );
  if (!picks) return undefined;
  if (picks.length !== 2) {
    void vscode.window.showWarningMessage(`Latent Lab: choose exactly two runs to compare (${picks.length} chosen).`);
    return undefined;
  }
  return picks.map((pick) => pick.run);
}

export function deactivate(): void {
  // Disposing the subscriptions (EngineHost among them) kills the engine process.
}
