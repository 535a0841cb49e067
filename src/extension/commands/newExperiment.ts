/** "New Experiment": a short quick-pick flow with sensible defaults per kind, then a training panel. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelKindDescriptor } from '../../shared/modelKinds';
import { messageOf, runFolderName, type TrainParams } from '../../shared/protocol';
import type { EngineHost } from '../engineHost';

export async function askForExperiment(engine: EngineHost, runsRoot: string, sampleOnly = false): Promise<TrainParams | undefined> {
  const kind = await pickKind(engine);
  if (!kind) return undefined;
  const data = sampleOnly ? 'sample' : await pickDataset('Latent Lab: New Experiment (2/4) — dataset');
  if (!data) return undefined;
  const latent = await askInteger('Latent Lab: New Experiment (3/4) — latent size', `Latent dimensions (2 gives a map without projection; ${kind.latentHint})`, kind.defaults.latentDim, 1, 4096);
  if (latent === undefined) return undefined;
  const epochs = await askInteger('Latent Lab: New Experiment (4/4) — epochs', 'Training epochs (a checkpoint is saved after each one)', kind.defaults.epochs, 1, 100_000);
  if (epochs === undefined) return undefined;
  return { model: kind.name, data, latentDim: latent, epochs, out: path.join(runsRoot, runFolderName(kind.name)) };
}

/** The kinds come from the engine; the pick opens at once and stays busy until they arrive (the engine may be starting). */
async function pickKind(engine: EngineHost): Promise<ModelKindDescriptor | undefined> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { descriptor: ModelKindDescriptor }>();
  pick.title = 'Latent Lab: New Experiment (1/4) — model kind';
  pick.placeholder = 'Which autoencoder?';
  pick.busy = true;
  const chosen = new Promise<ModelKindDescriptor | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      if (!item) return;
      resolve(item.descriptor);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
  });
  pick.show();
  engine.request('modelKinds', {}).then(
    ({ kinds }) => {
      pick.items = kinds.map((descriptor) => ({ label: descriptor.title, description: descriptor.name, detail: descriptor.detail, descriptor }));
      pick.busy = false;
    },
    (error: unknown) => {
      pick.hide();
      void vscode.window.showErrorMessage(`Latent Lab: could not list the model kinds: ${messageOf(error)}`);
    },
  );
  try {
    return await chosen;
  } finally {
    pick.dispose();
  }
}

/** The sample, a file or a folder; undefined when cancelled, null when `none` is offered and chosen. */
export async function pickDataset(title: string, none?: { label: string; detail: string }): Promise<string | null | undefined> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(beaker) Bundled sample', detail: '5,000 MNIST digits with labels', value: 'sample' },
      { label: '$(file) A file…', detail: '.npy, .npz, .csv, or MNIST-style IDX (also .gz)', value: 'file' },
      { label: '$(folder) A folder of images…', detail: 'PNG/JPEG, one subfolder per class for labels', value: 'folder' },
      ...(none ? [{ ...none, value: 'none' }] : []),
    ],
    { title },
  );
  if (!choice) return undefined;
  if (choice.value === 'none') return null;
  if (choice.value === 'sample') return 'sample';
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: choice.value === 'file',
    canSelectFolders: choice.value === 'folder',
    canSelectMany: false,
    ...(choice.value === 'file' ? { filters: { Datasets: ['npy', 'npz', 'csv', 'gz', 'idx3-ubyte', 'ubyte'], 'All files': ['*'] } } : {}),
  });
  return picked?.[0]?.fsPath;
}

async function askInteger(title: string, prompt: string, value: number, min: number, max: number): Promise<number | undefined> {
  const answer = await vscode.window.showInputBox({
    title,
    prompt,
    value: String(value),
    validateInput: (text) => (/^\d+$/.test(text.trim()) && Number(text) >= min && Number(text) <= max ? undefined : `a whole number from ${min} to ${max}`),
  });
  return answer === undefined ? undefined : Number(answer.trim());
}
