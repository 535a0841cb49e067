/**
 * encodeSamplesPerSecRatio: samples/s of encoding all 70,000 MNIST digits (train then t10k) with a
 * trained conv VAE — `encodeAll`, the engine's batched encode, batch 1,024 (what opening a
 * checkpoint runs) — divided by Keras' `encoder.predict` on the same encoder, the same weights
 * (copied from our checkpoint) and the same batch size, in bench/python/keras_peers.py; the faster
 * of Keras' default and jit_compile=True counts. Alternating rounds, best of each. The bench fails
 * if the two parameter counts differ or the two sets of latents disagree beyond float rounding.
 * Alone: npm run bench -- --only encodeSamplesPerSecRatio [--quick]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadBackend } from '../src/engine/backend';
import { encodeNpy, parseNpy } from '../src/engine/data/readers/npy';
import { encodeAll } from '../src/engine/models/encodeAll';
import { openCheckpoint } from '../src/engine/models/openCheckpoint';
import { cachedCheckpoint } from './cachedCheckpoint';
import type { BenchOptions, Figure } from './figures';
import { loadMnist, mnistTestPath, mnistTrainPath } from './mnist';
import { PeerProcess } from './peerProcess';
import { cpuMicros, LATENT } from './train';

const BATCH = 1024;
/** Largest |ours − Keras| of a latent allowed, relative to the latents' largest magnitude: float32 rounding of two kernel libraries. */
const AGREEMENT = 1e-3;

interface Run {
  samplesPerSecond: number;
  samplesPerCpuSecond: number;
}

interface KerasRun extends Run {
  framework: string;
  params: number;
  xla: boolean;
}

export async function benchEncodePeer(options: BenchOptions): Promise<Figure[]> {
  const backend = await loadBackend();
  const { tf } = backend;
  const rounds = options.quick ? 1 : 3;
  const checkpoint = await cachedCheckpoint(backend, { model: 'vae', latentDim: LATENT, config: { encoder: 'conv' }, data: mnistTrainPath, epochs: 1, seed: 1 });
  const { model } = await openCheckpoint(tf, checkpoint);
  const work = mkdtempSync(path.join(tmpdir(), 'latent-lab-encode-'));
  let keras: PeerProcess | undefined;
  try {
    const [train, test] = await Promise.all([loadMnist('train'), loadMnist('test')]);
    const count = options.quick ? 10_000 : train.count + test.count;
    const x = new Float32Array(count * 784);
    x.set(train.x.subarray(0, Math.min(train.x.length, x.length)));
    if (count > train.count) x.set(test.x.subarray(0, (count - train.count) * 784), train.x.length);
    const weightsDir = path.join(work, 'weights');
    mkdirSync(weightsDir);
    model.parts.encoder.getWeights().forEach((weight, index) => writeFileSync(path.join(weightsDir, `${index}.npy`), encodeNpy(weight.dataSync() as Float32Array, weight.shape)));
    const params = model.parts.encoder.countParams();

    keras = (await PeerProcess.start('the Keras peer', 'keras_peers.py', [mnistTrainPath, mnistTestPath, '--threads', String(cpus().length)])).peer;
    const ours: Run[] = [];
    const theirs: Record<'default' | 'xla', KerasRun[]> = { default: [], xla: [] };
    let latents: Float32Array = new Float32Array(0);
    // One untimed pass on each side sets up kernels (ours) and traces predict (theirs).
    await encodeAll(tf, model, x.subarray(0, 2 * BATCH * 784), train.shape, { batchSize: BATCH });
    for (let round = 0; round < rounds; round++) {
      const [start, cpu] = [performance.now(), cpuMicros()];
      latents = await encodeAll(tf, model, x, train.shape, { batchSize: BATCH });
      ours.push({ samplesPerSecond: count / ((performance.now() - start) / 1000), samplesPerCpuSecond: count / ((cpuMicros() - cpu) / 1e6) });
      for (const jit of [false, true]) {
        const out = round === 0 && !jit ? path.join(work, 'keras.npy') : null;
        const run = await keras.request<KerasRun>({ op: 'encode', weights: weightsDir, count, jit, batch: BATCH, latent: LATENT, out }, 300_000);
        if (run.params !== params) throw new Error(`the Keras encoder has ${run.params} parameters, ours ${params}: the architectures differ — fix bench/python/keras_peers.py`);
        theirs[jit ? 'xla' : 'default'].push(run);
      }
      process.stderr.write(`encode: round ${round + 1}: ours ${ours.at(-1)!.samplesPerSecond.toFixed(0)}, Keras ${theirs.default.at(-1)!.samplesPerSecond.toFixed(0)}, Keras XLA ${theirs.xla.at(-1)!.samplesPerSecond.toFixed(0)} samples/s\n`);
    }
    const reference = parseNpy(readFileSync(path.join(work, 'keras.npy')), 'keras.npy').data as Float32Array;
    let scale = 0;
    let difference = 0;
    for (let i = 0; i < latents.length; i++) {
      scale = Math.max(scale, Math.abs(reference[i]!));
      difference = Math.max(difference, Math.abs(latents[i]! - reference[i]!));
    }
    if (reference.length !== latents.length || !(difference <= AGREEMENT * scale)) {
      throw new Error(`our latents and Keras' differ by up to ${difference} (largest latent ${scale}): not the same model`);
    }

    const best = (runs: Run[], field: keyof Run = 'samplesPerSecond') => Math.max(...runs.map((run) => run[field]));
    const listed = (runs: Run[]) => runs.map((run) => run.samplesPerSecond.toFixed(0)).join(', ');
    const faster = best(theirs.xla) > best(theirs.default) ? 'xla' : 'default';
    const slower = faster === 'xla' ? 'default' : 'xla';
    const name = (which: 'default' | 'xla') => (which === 'xla' ? 'jit_compile=True (XLA)' : 'default (tf.function, no XLA)');
    const ratio = best(ours) / best(theirs[faster]);
    return [
      {
        field: 'encodeSamplesPerSecRatio',
        value: ratio,
        ours: `${best(ours).toFixed(0)} samples/s (${best(ours, 'samplesPerCpuSecond').toFixed(0)} per CPU-second; rounds ${listed(ours)}): encodeAll of ${count.toLocaleString('en-US')} MNIST digits, conv VAE encoder (${params.toLocaleString('en-US')} params, 1 epoch), batch ${BATCH}, on ${backend.name}; latents equal Keras' to ${difference.toExponential(1)}`,
        reference: `Keras predict, ${name(faster)} (${theirs[faster][0]!.framework}): ${best(theirs[faster]).toFixed(0)} samples/s (${best(theirs[faster], 'samplesPerCpuSecond').toFixed(0)} per CPU-second; rounds ${listed(theirs[faster])}); ${name(slower)}: ${best(theirs[slower]).toFixed(0)} (rounds ${listed(theirs[slower])})`,
        target: '≥ 1.0',
        met: ratio >= 1,
      },
    ];
  } finally {
    keras?.stop();
    model.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}
