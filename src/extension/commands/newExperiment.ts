/** "New Experiment": a short quick-pick flow with sensible defaults per kind, then a training panel. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type ModelKindName, modelKindNames, runFolderName, type TrainParams } from '../../shared/protocol';

const kindDescriptions: Record<ModelKindName, { label: string; detail: string; latent: number; epochs: number }> = {
  vae: { label: 'VAE', detail: 'Variational autoencoder: smooth latent space, sliders and manifold grid', latent: 2, epochs: 10 },
  ae: { label: 'Autoencoder', detail: 'Dense autoencoder (linear activation behaves like PCA)', latent: 2, epochs: 10 },
  dae: { label: 'Denoising AE', detail: 'Reconstructs clean inputs from masked ones', latent: 16, epochs: 10 },
  ksparse: { label: 'k-sparse AE', detail: 'Exactly k active units per sample: a learned dictionary', latent: 100, epochs: 10 },
  conv: { label: 'Convolutional AE', detail: 'Strided conv encoder, transposed-conv decoder (images)', latent: 16, epochs: 5 },
  betavae: { label: 'β-VAE', detail: 'VAE with a β weight on KL: more disentangled factors', latent: 8, epochs: 10 },
  vqvae: { label: 'VQ-VAE', detail: 'Discrete codebook latents with straight-through gradients', latent: 8, epochs: 10 },
};

export async function askForExperiment(runsRoot: string, sampleOnly = false): Promise<TrainParams | undefined> {
  const kind = await vscode.window.showQuickPick(
    modelKindNames.map((name) => ({ label: kindDescriptions[name].label, description: name, detail: kindDescriptions[name].detail, name })),
    { title: 'Latent Lab: New Experiment (1/4) — model kind', placeHolder: 'Which autoencoder?' },
  );
  if (!kind) return undefined;
  const data = sampleOnly ? 'sample' : await pickDataset('Latent Lab: New Experiment (2/4) — dataset');
  if (!data) return undefined;
  const defaults = kindDescriptions[kind.name];
  const latent = await askInteger('Latent Lab: New Experiment (3/4) — latent size', `Latent dimensions (2 gives a map without projection; ${kind.name === 'ksparse' ? 'hidden units for k-sparse' : 'try 2–32'})`, defaults.latent, 1, 4096);
  if (latent === undefined) return undefined;
  const epochs = await askInteger('Latent Lab: New Experiment (4/4) — epochs', 'Training epochs (a checkpoint is saved after each one)', defaults.epochs, 1, 100_000);
  if (epochs === undefined) return undefined;
  return { model: kind.name, data, latentDim: latent, epochs, out: path.join(runsRoot, runFolderName(kind.name)) };
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
