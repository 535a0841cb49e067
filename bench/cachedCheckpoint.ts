/**
 * Checkpoints the benchmarks explore, trained once with the real engine and cached by their
 * settings, so a rerun measures the explorer instead of retraining.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { Backend } from '../src/engine/backend';
import { runTraining } from '../src/engine/training/runTraining';
import type { TrainParams } from '../src/shared/protocol';
import type { BenchOptions } from './figures';
import { mnistTrainPath } from './mnist';

export const benchCache = path.join(process.env.LATENT_LAB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'latent-lab'), 'bench');

export async function cachedCheckpoint(backend: Backend, params: Omit<TrainParams, 'out'>): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16);
  const out = path.join(benchCache, `${params.model}-${key}`);
  if (!existsSync(path.join(out, 'latent-lab.json'))) await runTraining(backend, { ...params, out });
  return out;
}

/** The model the explorer benchmarks decode with: a dense 16-d VAE, one epoch on MNIST digits. */
export function benchVae(options: BenchOptions): Omit<TrainParams, 'out'> {
  return { model: 'vae', latentDim: 16, config: { encoder: 'dense' }, data: mnistTrainPath, limit: options.quick ? 2000 : 10_000, epochs: 1, seed: 1 };
}
