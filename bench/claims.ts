/**
 * The seed's measured claims, checked on MNIST with the real engine:
 *   pcaParity     linear AE test MSE / PCA test MSE at the same latent size (target ≤ 1.05)
 *   daeGainDb     PSNR(DAE output) − PSNR(noisy input), masking 0.3, held-out digits (target ≥ 3 dB)
 *   ksparseExactK every encoded test sample has exactly k non-zero units
 *   vaeElbo       test ELBO in nats per digit, with the epochs trained
 *   vqPerplexity  codebook perplexity on the test set (> 1: more than one code in use)
 * plus samples/s and test loss per kind. Usage: npm run bench:claims -- [--json] [--epochs N] [--limit N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TrainResult } from '../src/shared/protocol';
import { type Backend, loadBackend } from '../src/engine/backend';
import type { Dataset } from '../src/engine/data/dataset';
import { corrupt } from '../src/engine/models/dae';
import { eagerContext } from '../src/engine/models/modelKind';
import { encodeAll } from '../src/engine/models/encodeAll';
import { openCheckpoint } from '../src/engine/models/openCheckpoint';
import { modelKinds } from '../src/engine/models/registry';
import { fitPca, pcaReconstruct } from '../src/engine/projection/pca/pca';
import { runTraining } from '../src/engine/training/runTraining';
import { evaluate } from '../src/engine/training/train';
import { benchFlag, loadMnist, mnistTrainPath, psnr } from './mnist';

const epochs = benchFlag('epochs', 5);
const limit = benchFlag('limit', 60_000);
const latent = 16;
const workDir = mkdtempSync(path.join(tmpdir(), 'latent-lab-claims-'));

interface KindSettings {
  latentDim: number;
  config: Record<string, unknown>;
  epochs?: number;
}

/** Kinds not named here train with their defaults at the common latent size. */
const kindSettings: Record<string, KindSettings> = {
  // A wider code than the others: denoising gain is capped by how well the bottleneck reconstructs clean digits.
  dae: { latentDim: 64, config: { noise: 'masking', noiseLevel: 0.3, hidden: [512] } },
  ksparse: { latentDim: 256, config: { k: 25 } },
  betavae: { latentDim: latent, config: { beta: 4 } },
  vqvae: { latentDim: 8, config: {} },
};

interface KindRow {
  kind: string;
  samplesPerSecond: number;
  testLoss: number;
  testMse: number;
  epochs: number;
}

async function trainKind(backend: Backend, kind: string, extra: { config?: Record<string, unknown>; epochs?: number; latentDim?: number } = {}): Promise<TrainResult> {
  const settings = kindSettings[kind] ?? { latentDim: latent, config: {} };
  const result = await runTraining(backend, {
    model: kind,
    data: mnistTrainPath,
    limit,
    epochs: extra.epochs ?? settings.epochs ?? epochs,
    latentDim: extra.latentDim ?? settings.latentDim,
    validationFraction: 0.05,
    out: path.join(workDir, `${kind}-${Object.keys(extra.config ?? {}).join('-') || 'default'}`),
    config: { ...settings.config, ...extra.config },
  });
  if (result.checkpoint === null) throw new Error(`${kind}: ${result.message}`);
  return result;
}

async function testTerms(backend: Backend, checkpoint: string, test: Dataset) {
  const { tf } = backend;
  const { model } = await openCheckpoint(tf, checkpoint);
  const x = tf.tensor(test.x, [test.count, ...test.shape]);
  const terms = await evaluate(tf, model, x, Int32Array.from({ length: test.count }, (_, i) => i), 500);
  x.dispose();
  return { model, terms };
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const backend = await loadBackend();
  const { tf } = backend;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`claims on ${backend.name}: ${limit} training digits, ${epochs} epochs per kind`);
  const [train, test] = await Promise.all([loadMnist('train', limit), loadMnist('test')]);

  const rows: KindRow[] = [];
  const results = new Map<string, TrainResult>();
  for (const { descriptor: { name: kind } } of modelKinds) {
    const result = await trainKind(backend, kind);
    results.set(kind, result);
    const { model, terms } = await testTerms(backend, result.checkpoint!, test);
    model.dispose();
    rows.push({ kind, samplesPerSecond: result.samplesPerSecond, testLoss: terms.loss!, testMse: terms.mse!, epochs: result.epoch });
    log(`${kind}: ${result.samplesPerSecond.toFixed(0)} samples/s, test loss ${terms.loss!.toFixed(3)}`);
  }

  // pcaParity: a linear AE (no hidden layer, linear code, MSE) against PCA with the same d, fitted on the same digits.
  const linear = await trainKind(backend, 'ae', { config: { hidden: [], activation: 'linear', reconstruction: 'mse', learningRate: 2e-3 }, epochs: Math.max(epochs, 20) });
  const { model: linearModel, terms: linearTerms } = await testTerms(backend, linear.checkpoint!, test);
  linearModel.dispose();
  const features = 28 * 28;
  const pca = await fitPca(tf, train.x, train.count, features, latent);
  const reconstruction = pcaReconstruct(tf, pca, test.x, test.count, latent);
  let pcaSquared = 0;
  for (let i = 0; i < reconstruction.length; i++) pcaSquared += (reconstruction[i]! - test.x[i]!) ** 2;
  const pcaMse = pcaSquared / reconstruction.length;
  const pcaParity = linearTerms.mse! / pcaMse;

  // daeGainDb: the same masking the DAE was trained with, on held-out digits.
  const { model: dae } = await openCheckpoint(tf, results.get('dae')!.checkpoint!);
  const [noisyMse, denoisedMse] = tf.tidy(() => {
    const clean = tf.tensor(test.x, [test.count, 28, 28, 1]);
    const noisy = corrupt(tf, { noise: 'masking', noiseLevel: 0.3, seed: 123 }, clean, eagerContext(true, 0));
    const denoised = dae.decode(dae.encode(noisy));
    return [tf.mean(tf.squaredDifference(noisy, clean)).dataSync()[0]!, tf.mean(tf.squaredDifference(denoised, clean)).dataSync()[0]!];
  });
  dae.dispose();
  const daeGainDb = psnr(denoisedMse) - psnr(noisyMse);

  // ksparseExactK: count non-zeros of every encoded test digit.
  const { model: ksparse } = await openCheckpoint(tf, results.get('ksparse')!.checkpoint!);
  const k = (ksparse.config as { k: number }).k;
  const codes = await encodeAll(tf, ksparse, test.x, test.shape);
  let exact = true;
  for (let row = 0; row < test.count && exact; row++) {
    let nonZero = 0;
    for (let j = 0; j < ksparse.latentDim; j++) if (codes[row * ksparse.latentDim + j] !== 0) nonZero++;
    exact = nonZero === k;
  }
  ksparse.dispose();

  const vaeRow = await testTerms(backend, results.get('vae')!.checkpoint!, test);
  vaeRow.model.dispose();
  const vq = await openCheckpoint(tf, results.get('vqvae')!.checkpoint!);
  const testX = tf.tensor(test.x, [test.count, ...test.shape]);
  const vqMetrics = await vq.model.metrics!(testX);
  testX.dispose();
  vq.model.dispose();

  const claims = {
    backend: backend.name,
    trainingDigits: train.count,
    epochs,
    pcaParity,
    pcaParityDetail: { latent, linearAeTestMse: linearTerms.mse!, pcaTestMse: pcaMse, linearAeEpochs: linear.epoch },
    daeGainDb,
    daeDetail: { noisyPsnr: psnr(noisyMse), denoisedPsnr: psnr(denoisedMse) },
    ksparseExactK: exact,
    ksparseK: k,
    vaeElbo: vaeRow.terms.elbo!,
    vaeEpochs: results.get('vae')!.epoch,
    vqPerplexity: vqMetrics.perplexity as number,
    vqCodesUsed: vqMetrics.codesUsed as number,
    kinds: rows,
  };
  const table = [
    'kind      samples/s   test loss   test MSE   epochs',
    ...rows.map((row) => `${row.kind.padEnd(9)} ${row.samplesPerSecond.toFixed(0).padStart(9)}   ${row.testLoss.toFixed(2).padStart(9)}   ${row.testMse.toFixed(5).padStart(8)}   ${row.epochs}`),
    '',
    `pcaParity      ${pcaParity.toFixed(4)}  (linear AE ${linearTerms.mse!.toFixed(5)} vs PCA ${pcaMse.toFixed(5)} test MSE at d=${latent}; target ≤ 1.05)`,
    `daeGainDb      ${daeGainDb.toFixed(2)} dB  (noisy ${psnr(noisyMse).toFixed(2)} dB → denoised ${psnr(denoisedMse).toFixed(2)} dB; target ≥ 3)`,
    `ksparseExactK  ${exact}  (k = ${k})`,
    `vaeElbo        ${vaeRow.terms.elbo!.toFixed(2)} nats after ${results.get('vae')!.epoch} epochs`,
    `vqPerplexity   ${(vqMetrics.perplexity as number).toFixed(2)}  (${vqMetrics.codesUsed} codes used)`,
  ].join('\n');
  process.stdout.write(`${table}\n`);
  if (json) process.stdout.write(`${JSON.stringify(claims)}\n`);
  rmSync(workDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
