/** "Re-run with Edited Settings": the run's own settings as editable JSON, trained into a new folder. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { messageOf, runFolderName, type TrainParams, trainParamsSchema } from '../../shared/protocol';
import { CHECKPOINT_FILE, parseCheckpointSummary } from '../../shared/checkpointSummary';

export async function askForRerun(runFolder: vscode.Uri, runsRoot: string): Promise<TrainParams | undefined> {
  const file = vscode.Uri.joinPath(runFolder, CHECKPOINT_FILE);
  const saved = parseCheckpointSummary(await vscode.workspace.fs.readFile(file), file.fsPath);
  // latentDim lives at the top level of a request; the rest of the saved config is kind-specific.
  const { latentDim: _latentDim, ...config } = saved.config;
  const editable = { data: saved.dataset?.source ?? 'sample', epochs: Math.max(1, saved.epoch), latentDim: saved.latentDim, config };
  const edited = await vscode.window.showInputBox({
    title: `Latent Lab: re-run ${path.basename(runFolder.fsPath)} with edited settings`,
    prompt: 'Edit the settings (JSON); the run trains into a new folder',
    value: JSON.stringify(editable),
    validateInput: (text) => {
      try {
        toParams(text, saved.kind, runsRoot);
        return undefined;
      } catch (error) {
        return messageOf(error);
      }
    },
  });
  return edited === undefined ? undefined : toParams(edited, saved.kind, runsRoot);
}

function toParams(text: string, kind: string, runsRoot: string): TrainParams {
  const settings = JSON.parse(text) as Record<string, unknown>;
  return trainParamsSchema.parse({ ...settings, model: kind, out: path.join(runsRoot, runFolderName(kind)) }, 'settings');
}
