/**
 * The training loop every kind shares: a custom loop over `lossTerms` (VAE, VQ and k-sparse terms
 * do not fit Keras' fit()), with per-batch progress, cancel within one batch, early stopping,
 * NaN detection and a checkpoint callback after every good epoch.
 */
import type { Progress, Terms, TrainStatus } from '../../shared/protocol';
import type { Tf } from '../backend';
import { nextTurn } from '../eventLoop';
import type { BuiltModel, Scalar, Tensor } from '../models/modelKind';
import { CompiledSteps, type StepBody, type StepExecution } from './graph/compiledStep';
import { FlatAdam } from './flatAdam';
import { useLeanGradients } from './leanGradients';
import { shuffled } from './random';

export interface HistoryEntry {
  epoch: number;
  [term: string]: number;
}

/** What the loop reports; runTraining adds the checkpoint and the model's metrics to make the wire TrainResult. */
export interface TrainOutcome {
  status: TrainStatus;
  message: string;
  /** The last completed epoch (1-based); equals the start epoch − 1 when none completed. */
  epoch: number;
  history: HistoryEntry[];
  samplesPerSecond: number;
  /** Whether steps ran as a compiled graph, and why not when they did not. */
  execution: StepExecution;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  validationFraction: number;
  seed: number;
  learningRate: number;
  earlyStopping?: { patience: number; minDelta: number };
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Called after each epoch whose losses are finite; the checkpoint is written here. */
  onEpochEnd?: (epoch: number, history: HistoryEntry[]) => Promise<void>;
  /** Resume: continue after this many completed epochs, keeping their history. */
  resume?: { epoch: number; history: HistoryEntry[] };
  progressIntervalMs?: number;
  /** Run steps as a traced TensorFlow graph on the native backend (default true; results match eager steps). */
  compile?: boolean;
}

interface Split {
  train: Int32Array;
  validation: Int32Array;
}

export function splitIndices(count: number, validationFraction: number, seed: number): Split {
  const order = shuffled(count, seed);
  const validationCount = count > 1 ? Math.min(count - 1, Math.round(count * validationFraction)) : 0;
  return { train: order.subarray(0, count - validationCount), validation: order.subarray(count - validationCount) };
}

export async function train(tf: Tf, model: BuiltModel<unknown>, x: Tensor, options: TrainOptions): Promise<TrainOutcome> {
  const count = x.shape[0]!;
  const { train: trainIndices, validation: validationIndices } = splitIndices(count, options.validationFraction, options.seed);
  const batches = Math.ceil(trainIndices.length / options.batchSize);
  if (!options.resume) model.prepareForTraining?.(x);
  useLeanGradients(tf);
  const optimizer = new FlatAdam(tf, options.learningRate);
  const steps = new CompiledSteps(tf, gradientStep(tf, model, optimizer), options.compile ?? true);
  const evaluation = new CompiledSteps(tf, evaluationStep(tf, model), options.compile ?? true);
  const history = [...(options.resume?.history ?? [])];
  const firstEpoch = (options.resume?.epoch ?? 0) + 1;
  const progressInterval = options.progressIntervalMs ?? 200;
  let best = { loss: Infinity, epoch: firstEpoch - 1 };
  let step = (firstEpoch - 1) * batches;
  let totalSamples = 0;
  let totalSeconds = 0;
  const finish = (status: TrainStatus, message: string, epoch: number): TrainOutcome => ({ status, message, epoch, history, samplesPerSecond: totalSeconds > 0 ? totalSamples / totalSeconds : 0, execution: steps.execution(evaluation) });

  try {
    for (let epoch = firstEpoch; epoch <= options.epochs; epoch++) {
      const order = shuffled(trainIndices.length, options.seed * 7 + epoch);
      const sums: Terms = {};
      const epochStart = performance.now();
      let lastProgress = 0;
      let seen = 0;
      for (let batch = 0; batch < batches; batch++) {
        // Messages are read before each batch: a cancel stops the run within one batch, and other requests are answered meanwhile.
        await nextTurn('batch');
        if (options.signal?.aborted) return finish('cancelled', `cancelled during epoch ${epoch}; the checkpoint of epoch ${epoch - 1} is kept`, epoch - 1);
        const rows = Int32Array.from(order.subarray(batch * options.batchSize, (batch + 1) * options.batchSize), (i) => trainIndices[i]!);
        const current = step++;
        const terms = await runBatch(tf, steps, x, rows, current);
        if (!Number.isFinite(terms.loss)) {
          return finish('diverged', `loss became ${terms.loss} at epoch ${epoch}, batch ${batch + 1}; training stopped and the checkpoint of epoch ${epoch - 1} is kept — try a lower learning rate`, epoch - 1);
        }
        for (const [name, value] of Object.entries(terms)) sums[name] = (sums[name] ?? 0) + value * rows.length;
        seen += rows.length;
        const now = performance.now();
        if (options.onProgress && (now - lastProgress >= progressInterval || batch === batches - 1)) {
          lastProgress = now;
          const samplesPerSecond = seen / ((now - epochStart) / 1000);
          const remaining = (batches - batch - 1) * options.batchSize + (options.epochs - epoch) * trainIndices.length;
          options.onProgress({ phase: 'batch', epoch, epochs: options.epochs, batch: batch + 1, batches, terms: averages(sums, seen), samplesPerSecond, etaSeconds: remaining / samplesPerSecond });
        }
      }
      const seconds = (performance.now() - epochStart) / 1000;
      totalSamples += seen;
      totalSeconds += seconds;
      const trainTerms = averages(sums, seen);
      const validation = validationIndices.length > 0 ? await evaluate(tf, model, x, validationIndices, options.batchSize, step, evaluation) : undefined;
      const entry: HistoryEntry = { epoch, ...trainTerms, ...prefixed('val_', validation ?? {}) };
      const monitored = validation?.loss ?? trainTerms.loss!;
      if (!Number.isFinite(monitored)) {
        return finish('diverged', `validation loss became ${monitored} at epoch ${epoch}; training stopped and the checkpoint of epoch ${epoch - 1} is kept — try a lower learning rate`, epoch - 1);
      }
      history.push(entry);
      await options.onEpochEnd?.(epoch, history);
      const samplesPerSecond = seen / seconds;
      options.onProgress?.({ phase: 'epoch', epoch, epochs: options.epochs, batch: batches, batches, terms: trainTerms, validation, samplesPerSecond, etaSeconds: ((options.epochs - epoch) * trainIndices.length) / samplesPerSecond });
      if (options.earlyStopping) {
        if (monitored < best.loss - options.earlyStopping.minDelta) best = { loss: monitored, epoch };
        else if (epoch - best.epoch >= options.earlyStopping.patience) {
          return finish('early-stopped', `stopped early at epoch ${epoch}: no improvement of the ${validation ? 'validation' : 'training'} loss for ${options.earlyStopping.patience} epochs (best ${best.loss.toFixed(4)} at epoch ${best.epoch})`, epoch);
        }
      }
    }
    return finish('completed', `trained ${options.epochs - firstEpoch + 1} epochs`, Math.max(options.epochs, firstEpoch - 1));
  } finally {
    // Also on a throw (a checkpoint that cannot be written): the graph sessions live in native memory.
    steps.dispose();
    evaluation.dispose();
    optimizer.dispose();
  }
}

/** Gathers `rows` of `x`, runs one step on them, and reads its loss terms. */
async function runBatch(tf: Tf, steps: CompiledSteps, x: Tensor, rows: Int32Array, step: number): Promise<Terms> {
  const batch = tf.tidy(() => tf.gather(x, tf.tensor1d(rows, 'int32')));
  const terms = await steps.run(batch, step);
  batch.dispose();
  return readTerms(terms);
}

/** One optimiser step on a batch, op by op; CompiledSteps may trace it and replay it as a graph. */
function gradientStep(tf: Tf, model: BuiltModel<unknown>, optimizer: FlatAdam): StepBody {
  const variables = model.trainableVariables();
  return (batch, step, perStep) =>
    tf.tidy(() => {
      let others: Record<string, Scalar> = {};
      const { value, grads } = tf.variableGrads(() => {
        const { loss, ...rest } = model.lossTerms(batch, { training: true, step, perStep });
        // variableGrads() disposes everything but the returned loss; keep the other terms to report them.
        others = Object.fromEntries(Object.entries(rest).map(([name, term]) => [name, tf.keep(term)]));
        return loss;
      }, variables);
      optimizer.apply(variables, grads);
      return { loss: value, ...others };
    });
}

/** The loss terms of a batch without gradients; CompiledSteps may replay it as a graph too. */
function evaluationStep(tf: Tf, model: BuiltModel<unknown>): StepBody {
  return (batch, step, perStep) => tf.tidy(() => model.lossTerms(batch, { training: false, step, perStep }));
}

/** Mean of every loss term over `indices`, without gradients; `steps` (made from evaluationStep) may compile the batches, else they run eagerly. */
export async function evaluate(tf: Tf, model: BuiltModel<unknown>, x: Tensor, indices: Int32Array, batchSize: number, step = 0, steps = new CompiledSteps(tf, evaluationStep(tf, model), false)): Promise<Terms> {
  const sums: Terms = {};
  for (let start = 0; start < indices.length; start += batchSize) {
    await nextTurn('validation');
    const rows = indices.subarray(start, start + batchSize);
    for (const [name, value] of Object.entries(await runBatch(tf, steps, x, rows, step))) sums[name] = (sums[name] ?? 0) + value * rows.length;
  }
  return averages(sums, indices.length);
}

async function readTerms(terms: Record<string, Scalar>): Promise<Terms> {
  const names = Object.keys(terms);
  const values = await Promise.all(names.map((name) => terms[name]!.data()));
  for (const name of names) terms[name]!.dispose();
  return Object.fromEntries(names.map((name, i) => [name, values[i]![0]!]));
}

function averages(sums: Terms, count: number): Terms {
  return Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, sum / count]));
}

function prefixed(prefix: string, terms: Terms): Terms {
  return Object.fromEntries(Object.entries(terms).map(([name, value]) => [prefix + name, value]));
}
