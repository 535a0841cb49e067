/** Tiny real checkpoints for the webview tests, trained once per suite on the bundled sample. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadBackend } from '../../../src/extension/engine/backend';
import { runTraining } from '../../../src/extension/engine/training/runTraining';
import type { TrainParams } from '../../../src/shared/protocol';

// Small batches and a brisk learning rate: two epochs of 600 samples still learn recognisable digits.
const base = { data: 'sample', limit: 600, epochs: 2, batchSize: 16, learningRate: 0.005, seed: 3 } as const;

export const checkpointSpecs = {
  vae2d: { ...base, model: 'vae', latentDim: 2, config: { encoder: 'dense', hidden: [32] } },
  ae16: { ...base, model: 'ae', latentDim: 16, config: { hidden: [32] } },
  ksparse: { ...base, model: 'ksparse', latentDim: 32, config: { k: 4 } },
  vqvae: { ...base, model: 'vqvae', latentDim: 4, config: { encoder: 'dense', hidden: [32], codebookSize: 8 } },
} satisfies Record<string, Omit<TrainParams, 'out'>>;

export type CheckpointName = keyof typeof checkpointSpecs;

export async function trainCheckpoints(): Promise<{ folders: Record<CheckpointName, string>; dispose(): void }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-webview-'));
  const backend = await loadBackend();
  const folders = {} as Record<CheckpointName, string>;
  for (const [name, spec] of Object.entries(checkpointSpecs) as [CheckpointName, Omit<TrainParams, 'out'>][]) {
    const result = await runTraining(backend, { ...spec, out: path.join(dir, name) });
    if (!result.checkpoint) throw new Error(`${name}: training wrote no checkpoint (${result.message})`);
    folders[name] = result.checkpoint;
  }
  return { folders, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
