/** The Runs view: every checkpoint folder under the runs folder, newest first, with its headline numbers. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CHECKPOINT_FILE, type CheckpointSummary, parseCheckpointSummary } from '../../shared/checkpointSummary';

const SAVE_IN_PROGRESS = /\.(tmp|old)-\d+-[0-9a-f]+$/;

export class RunItem extends vscode.TreeItem {
  constructor(readonly folder: vscode.Uri, summary: CheckpointSummary) {
    super(path.basename(folder.fsPath), vscode.TreeItemCollapsibleState.None);
    const loss = summary.metrics.val_loss ?? summary.metrics.loss;
    this.description = `${summary.kind} · ${summary.dataset?.name ?? 'unknown data'} · epoch ${summary.epoch}${loss === undefined ? '' : ` · loss ${loss.toFixed(3)}`}`;
    this.tooltip = new vscode.MarkdownString(
      [`**${summary.kind}** on \`${summary.dataset?.source ?? '?'}\` (${summary.dataset?.count ?? '?'} samples)`, `latent size ${summary.latentDim}, ${summary.epoch} epochs, saved ${summary.createdAt}`, ...Object.entries(summary.metrics).slice(0, 12).map(([name, value]) => `- ${name}: ${value.toPrecision(5)}`)].join('\n\n'),
    );
    this.iconPath = new vscode.ThemeIcon('beaker');
    this.contextValue = 'latentLab.run';
    this.command = { command: 'latentLab.openCheckpoint', title: 'Open in Explorer', arguments: [folder] };
  }
}

export class RunsTree implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private watcher: vscode.FileSystemWatcher | undefined;

  constructor(private readonly runsRoot: () => vscode.Uri | undefined) {
    this.watch();
  }

  refresh(): void {
    this.watch();
    this.changed.fire();
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  async getChildren(): Promise<RunItem[]> {
    const root = this.runsRoot();
    if (!root) return [];
    const entries = await vscode.workspace.fs.readDirectory(root).then(undefined, () => [] as [string, vscode.FileType][]);
    const items = await Promise.all(
      // A save's temporary and set-aside folders (NAME.tmp-PID-HEX, NAME.old-PID-HEX) are not runs.
      entries.filter(([name, type]) => type === vscode.FileType.Directory && !SAVE_IN_PROGRESS.test(name)).map(async ([name]) => {
        const folder = vscode.Uri.joinPath(root, name);
        try {
          const file = vscode.Uri.joinPath(folder, CHECKPOINT_FILE);
          return { item: new RunItem(folder, parseCheckpointSummary(await vscode.workspace.fs.readFile(file), file.fsPath)), name };
        } catch {
          return undefined; // not a checkpoint (or one being written): left out of the list
        }
      }),
    );
    return items.filter((entry) => entry !== undefined).sort((a, b) => b.name.localeCompare(a.name)).map((entry) => entry.item);
  }

  dispose(): void {
    this.watcher?.dispose();
    this.changed.dispose();
  }

  private watch(): void {
    this.watcher?.dispose();
    const root = this.runsRoot();
    if (!root) return;
    // The run folders too: a folder deleted as a whole (another window, a terminal) is reported as
    // the folder alone, never as the latent-lab.json inside it.
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, `{*,*/${CHECKPOINT_FILE}}`));
    const fire = () => this.changed.fire();
    this.watcher.onDidCreate(fire);
    this.watcher.onDidChange(fire);
    this.watcher.onDidDelete(fire);
  }
}

export async function deleteRun(item: RunItem): Promise<void> {
  const name = path.basename(item.folder.fsPath);
  const answer = await vscode.window.showWarningMessage(`Delete the run "${name}" and its checkpoint?`, { modal: true, detail: item.folder.fsPath }, 'Move to Trash');
  if (answer !== 'Move to Trash') return;
  await vscode.workspace.fs.delete(item.folder, { recursive: true, useTrash: true });
}
