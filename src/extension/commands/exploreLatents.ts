/**
 * "Explore Latents…": either a checkpoint's latents on a dataset of the user's choosing (not only the
 * one it was trained on), or latents made elsewhere (.npy, Parquet, Arrow IPC) with optional labels and images.
 */
import * as vscode from 'vscode';
import type { PanelTarget } from '../../shared/webviewProtocol';
import { pickDataset } from './newExperiment';

export async function askWhatToExplore(): Promise<PanelTarget | undefined> {
  const source = await vscode.window.showQuickPick(
    [
      { label: '$(database) A checkpoint on a dataset…', detail: 'Encode any data the model takes: its training set, the sample, a file or a folder', value: 'checkpoint' },
      { label: '$(file) A latents file (.npy, Parquet, Arrow)…', detail: 'Latents made elsewhere, with optional labels and images; no model needed', value: 'latents' },
    ],
    { title: 'Latent Lab: Explore Latents — what to explore' },
  );
  if (!source) return undefined;
  return source.value === 'checkpoint' ? askForCheckpointOnData() : askForLatents();
}

async function askForCheckpointOnData(): Promise<Extract<PanelTarget, { view: 'explore' }> | undefined> {
  const checkpoint = await vscode.window.showOpenDialog({
    title: 'Latent Lab: Explore Latents (1/2) — the checkpoint folder or its latent-lab.json',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Use checkpoint',
    filters: { 'Latent Lab checkpoint': ['json'] },
  });
  if (!checkpoint?.[0]) return undefined;
  const data = await pickDataset('Latent Lab: Explore Latents (2/2) — the data to encode', {
    label: '$(history) The data it was trained on',
    detail: 'As recorded in the checkpoint',
  });
  if (data === undefined) return undefined;
  return { view: 'explore', checkpoint: checkpoint[0].fsPath, ...(data === null ? {} : { data }) };
}

async function askForLatents(): Promise<Extract<PanelTarget, { view: 'latents' }> | undefined> {
  const latents = await vscode.window.showOpenDialog({
    title: 'Latent Lab: Explore Latents (1/3) — latents, one row per sample',
    canSelectFiles: true,
    canSelectMany: false,
    openLabel: 'Explore',
    filters: { 'Latents (NumPy n × d, Parquet, Arrow IPC)': ['npy', 'parquet', 'arrow', 'feather', 'arrows'] },
  });
  if (!latents?.[0]) return undefined;
  const labels = await pickLabels();
  if (labels === undefined) return undefined;
  const images = await pickDataset('Latent Lab: Explore Latents (3/3) — the images they encode, shown on hover', {
    label: '$(circle-slash) No images',
    detail: 'Hovering a point shows its index and label',
  });
  if (images === undefined) return undefined;
  return { view: 'latents', latents: latents[0].fsPath, ...(labels === null ? {} : { labels }), ...(images === null ? {} : { images }) };
}

/** A labels CSV, or null for none (the images' own labels, if any, color the map then). */
async function pickLabels(): Promise<string | null | undefined> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(file) A labels CSV…', detail: 'One label per row, header optional: class indices or names', value: 'file' },
      { label: '$(circle-slash) No labels file', detail: 'Labelled images (e.g. the sample) still give the points their labels', value: 'none' },
    ],
    { title: 'Latent Lab: Explore Latents (2/3) — labels' },
  );
  if (!choice) return undefined;
  if (choice.value === 'none') return null;
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectMany: false, openLabel: 'Use labels', filters: { CSV: ['csv'], 'All files': ['*'] } });
  return picked?.[0]?.fsPath;
}
