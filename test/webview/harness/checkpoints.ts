/** Tiny real checkpoints for the webview tests, trained once per suite on the bundled sample. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadBackend } from '../../../src/engine/backend';
import { runTraining } from '../../../src/engine/training/runTraining';
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

/** Trains only the named checkpoints (all by default) into a fresh folder that `dispose` removes. */
export async function trainCheckpoints(names = Object.keys(checkpointSpecs) as CheckpointName[]): Promise<{ folders: Record<CheckpointName, string>; dispose(): void }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-webview-'));
  const folders = {} as Record<CheckpointName, string>;
  for (const name of names) folders[name] = await trainCheckpoint(checkpointSpecs[name], path.join(dir, name));
  return { folders, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Trains one run into `out` and returns its checkpoint folder. */
export async function trainCheckpoint(spec: Omit<TrainParams, 'out'>, out: string): Promise<string> {
  const result = await runTraining(await loadBackend(), { ...spec, out });
  if (!result.checkpoint) throw new Error(`${out}: training wrote no checkpoint (${result.message})`);
  return result.checkpoint;
}
