/**
 * trainRatioVsKeras: samples/s of our conv-VAE training (kind `vae`, conv encoder, default config,
 * batch 128) through `runTraining` — the path the CLI and the extension take — divided by samples/s
 * of the same architecture, loss and optimiser in Keras on tensorflow-cpu
 * (bench/python/keras_conv_vae.py), on the same MNIST digits, in the same run. Each side skips its
 * first steps (kernel set-up here, graph tracing there) and runs alternately, best of `rounds`, so
 * a burst of load from elsewhere on the machine does not decide the ratio.
 * Alone: npm run bench -- --only trainRatioVsKeras [--quick]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Backend, loadBackend } from '../src/engine/backend';
import { openCheckpoint } from '../src/engine/models/openCheckpoint';
import { runTraining } from '../src/engine/training/runTraining';
import type { TrainParams } from '../src/shared/protocol';
import { type BenchOptions, type Figure, referencePython } from './figures';
import { mnistTrainPath } from './mnist';

export const BATCH = 128;
export const LATENT = 16;
const repoRoot = path.resolve(__dirname, '..');

export interface Schedule {
  warmup: number;
  steps: number;
  rounds: number;
}

export interface Measured {
  samplesPerSecond: number;
  /** Samples per second of process CPU time (all threads): less stretched by other work on the machine. */
  samplesPerCpuSecond: number;
  params: number;
}

interface KerasRun extends Measured {
  framework: string;
  xla: boolean;
}

export async function benchTraining(options: BenchOptions): Promise<Figure[]> {
  const schedule: Schedule = options.quick ? { warmup: 5, steps: 20, rounds: 1 } : { warmup: 10, steps: 80, rounds: 4 };
  const backend = await loadBackend();
  if (!backend.native) throw new Error(`trainRatioVsKeras needs the native backend; this run has ${backend.name} (${backend.fallbackReason})`);
  const python = referencePython();
  const ours: Measured[] = [];
  const keras: KerasRun[] = [];
  for (let round = 0; round < schedule.rounds; round++) {
    ours.push(await trainOurs(backend, schedule));
    keras.push(trainKeras(python, schedule));
  }
  const [ourParams, kerasParams] = [ours[0]!.params, keras[0]!.params];
  if (ourParams !== kerasParams) {
    throw new Error(`the Keras reference has ${kerasParams} parameters, our conv VAE ${ourParams}: the architectures differ, so the ratio would compare different models — fix bench/python/keras_conv_vae.py`);
  }
  const best = (runs: Measured[], field: 'samplesPerSecond' | 'samplesPerCpuSecond' = 'samplesPerSecond') => Math.max(...runs.map((run) => run[field]));
  const listed = (runs: Measured[]) => runs.map((run) => run.samplesPerSecond.toFixed(0)).join(', ');
  const perCpuSecond = (runs: Measured[]) => `${best(runs, 'samplesPerCpuSecond').toFixed(0)} samples per CPU-second`;
  const ratio = best(ours) / best(keras);
  return [
    {
      field: 'trainRatioVsKeras',
      value: ratio,
      ours: `${best(ours).toFixed(0)} samples/s (${perCpuSecond(ours)}): conv VAE, ${ourParams.toLocaleString('en-US')} params, latent ${LATENT}, via runTraining on ${backend.name}; ${schedule.steps} steps of ${BATCH} after ${schedule.warmup} warm-up, best of ${schedule.rounds} (${listed(ours)})`,
      reference: `${best(keras).toFixed(0)} samples/s (${perCpuSecond(keras)}): the same model in ${keras[0]!.framework}, model.fit with a custom train_step${keras[0]!.xla ? ' (XLA)' : ''}; best of ${schedule.rounds} (${listed(keras)})`,
      target: '≥ 1.0',
      met: ratio >= 1,
    },
  ];
}

/** A model kind and its config as `runTraining` takes them; the default is the conv VAE of `trainRatioVsKeras`. */
export interface OurModel {
  model: TrainParams['model'];
  config: TrainParams['config'];
}

const convVae: OurModel = { model: 'vae', config: { encoder: 'conv' } };

/** One training run of exactly warm-up + timed batches; the clock runs from the end of the warm-up to the last batch. */
export async function trainOurs(backend: Backend, schedule: Schedule, kind: OurModel = convVae): Promise<Measured> {
  const out = mkdtempSync(path.join(tmpdir(), 'latent-lab-bench-train-'));
  const marks: { batch: number; at: number; cpuMicros: number }[] = [];
  try {
    const result = await runTraining(
      backend,
      { model: kind.model, data: mnistTrainPath, limit: (schedule.warmup + schedule.steps) * BATCH, epochs: 1, batchSize: BATCH, latentDim: LATENT, validationFraction: 0, seed: 0, out, config: kind.config },
      {
        onProgress: (progress) => {
          if (progress.phase === 'batch' && progress.batch >= schedule.warmup) marks.push({ batch: progress.batch, at: performance.now(), cpuMicros: cpuMicros() });
        },
      },
    );
    if (result.checkpoint === null) throw new Error(`our ${kind.model} did not train: ${result.message}`);
    const first = marks[0];
    const last = marks.at(-1);
    if (!first || !last || last.batch === first.batch) throw new Error(`too few progress events to time training (${marks.length}); raise the number of steps`);
    const { model } = await openCheckpoint(backend.tf, result.checkpoint);
    const params = model.parts.encoder.countParams() + model.parts.decoder.countParams();
    model.dispose();
    const samples = (last.batch - first.batch) * BATCH;
    return { samplesPerSecond: samples / ((last.at - first.at) / 1000), samplesPerCpuSecond: samples / ((last.cpuMicros - first.cpuMicros) / 1e6), params };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function trainKeras(python: string, schedule: Schedule): KerasRun {
  const script = path.join(repoRoot, 'bench', 'python', 'keras_conv_vae.py');
  const args = [script, mnistTrainPath, '--latent', String(LATENT), '--batch', String(BATCH), '--warmup', String(schedule.warmup), '--steps', String(schedule.steps)];
  let stdout: string;
  try {
    stdout = execFileSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim().split('\n').at(-1);
    throw new Error(`the Keras reference failed: ${stderr || (error as Error).message}`);
  }
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as KerasRun;
}

/** The cached reference venv (tensorflow-cpu 2.21 with Keras 3); provisioned on first use. */
