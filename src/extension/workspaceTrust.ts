/**
 * In an untrusted workspace, checkpoints and datasets that live in it are not loaded: a checkpoint
 * or dataset is input the engine parses, and the workspace's author chose it, not the user.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

export function isUntrustedWorkspacePath(fsPath: string): boolean {
  if (vscode.workspace.isTrusted) return false;
  return (vscode.workspace.workspaceFolders ?? []).some((folder) => {
    const relative = path.relative(folder.uri.fsPath, fsPath);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  });
}

/** True when loading may go ahead; otherwise explains why not, with a way to trust the workspace. */
export async function allowLoading(paths: readonly string[]): Promise<boolean> {
  const blocked = paths.filter((candidate) => candidate !== 'sample' && isUntrustedWorkspacePath(candidate));
  if (blocked.length === 0) return true;
  const choice = await vscode.window.showWarningMessage(
    `Latent Lab does not load checkpoints or datasets from an untrusted workspace (${path.basename(blocked[0]!)}). Trust the workspace to explore them.`,
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
