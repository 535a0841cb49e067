/**
 * In an untrusted workspace, checkpoints and datasets that live in it are not loaded: a checkpoint
 * or dataset is input the engine parses, and the workspace's author chose it, not the user. A TF
 * SavedModel is stricter still, being a program (see savedModelConsent.ts).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type PanelTarget, targetPaths } from '../shared/webviewProtocol';
import { RUN_MODEL, savedModelOf, savedModelVerdict } from './savedModelConsent';

const MANAGE_TRUST = 'Manage Workspace Trust';

/**
 * SavedModel folders the user said yes to. Kept for the extension host's life only, so Open Model
 * asks once and the panel it opens does not ask again; a window reload asks again, since a restored
 * panel's target comes from the page's saved state, which the page could have rewritten.
 */
const confirmedSavedModels = new Set<string>();

export function isUntrustedWorkspacePath(fsPath: string): boolean {
  if (vscode.workspace.isTrusted) return false;
  return (vscode.workspace.workspaceFolders ?? []).some((folder) => {
    const relative = path.relative(folder.uri.fsPath, fsPath);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  });
}

async function offerTrust(message: string): Promise<false> {
  if (await vscode.window.showWarningMessage(message, MANAGE_TRUST)) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

/** True when loading may go ahead; otherwise explains why not, with a way to trust the workspace. */
export async function allowLoading(paths: readonly string[]): Promise<boolean> {
  const blocked = paths.filter((candidate) => candidate !== 'sample' && isUntrustedWorkspacePath(candidate));
  if (blocked.length === 0) return true;
  return offerTrust(`Latent Lab does not load checkpoints or datasets from an untrusted workspace (${path.basename(blocked[0]!)}). Trust the workspace to explore them.`);
}

/** True when the SavedModel in `folder` may run: a trusted workspace and the user's explicit yes (no default button). */
export async function allowRunning(folder: string): Promise<boolean> {
  const verdict = savedModelVerdict(folder, vscode.workspace.isTrusted, confirmedSavedModels);
  if (verdict.action === 'open') return true;
  if (verdict.action === 'refuse') return offerTrust(verdict.message);
  if ((await vscode.window.showWarningMessage(verdict.message, { modal: true, detail: verdict.detail }, RUN_MODEL)) !== RUN_MODEL) return false;
  confirmedSavedModels.add(folder);
  return true;
}

/** What every way of opening a panel asks (a command, a restore after reload): its files may load and its SavedModel may run. */
export async function allowTarget(target: PanelTarget): Promise<boolean> {
  if (!(await allowLoading(targetPaths(target)))) return false;
  const folder = savedModelOf(target);
  return folder === undefined || allowRunning(folder);
}
