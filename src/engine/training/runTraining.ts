/**
 * One training run end to end: dataset → model (fresh or resumed) → training loop → a checkpoint
 * after every good epoch → summary. Shared by the engine's `train` request and the CLI.
 */
import * as path from 'node:path';
import { type Progress, runFolderName, type TrainParams, type TrainResult } from '../../shared/protocol';
import { type Backend, ensureKernels } from '../backend';
import { recoverFolders } from '../checkpoint/atomicDir';
import { saveCheckpoint } from '../checkpoint/checkpoint';
import type { CheckpointMeta } from '../checkpoint/meta';
import { clearStaleLocks, lockRunFolder } from '../checkpoint/runLock';
import { type Dataset, DataError } from '../data/dataset';
import { loadDataset } from '../data/loadDataset';
import { renormalize } from '../data/renormalize';
import { nextTurn } from '../eventLoop';
import type { BuiltModel, ModelKindSpec, Tensor } from '../models/modelKind';
import { openCheckpoint } from '../models/openCheckpoint';
import { modelKind } from '../models/registry';
import { DEFAULT_TIMELINE_PROBES, TimelineRecorder } from './timelineRecorder';
import { type HistoryEntry, splitIndices, train } from './train';

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Lines for the person running it that are not progress (a stale lock taken over). */
  onNote?: (line: string) => void;
}

const defaults = { batchSize: 128, latentDim: 2, validationFraction: 0.1 };
/** Diagnostics are computed on at most this many validation samples to keep the end of a run quick. */
const DIAGNOSTIC_SAMPLES = 2048;
const CONV_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'];

export async function runTraining(backend: Backend, params: TrainParams, options: RunOptions = {}): Promise<TrainResult> {
  // Before any data is read: an unknown kind is the cheapest mistake to report, a busy folder the next.
  const spec = modelKind(params.model);
  const out = path.resolve(params.out ?? path.join('latent-lab-runs', runFolderName(params.model)));
  const lock = await lockRunFolder(out, options.onNote);
  try {
    // Runs killed in this folder left their pieces beside their folders (a save cut between its two
    // renames, temp folders, locks): a resume must read the complete checkpoint, and nothing a crash
    // left outlives the next start here.
    await recoverFolders(path.dirname(out));
    await clearStaleLocks(path.dirname(out));
    return await trainInto(out, backend, spec, params, options);
  } finally {
    await lock.release();
  }
}

async function trainInto(out: string, backend: Backend, spec: ModelKindSpec<unknown>, params: TrainParams, options: RunOptions): Promise<TrainResult> {
  const { tf } = backend;
  const dataset = await loadDataset(params.data, { limit: params.limit, signal: options.signal });
  // Building the model is its own stage: a hold there is not the data's.
  await nextTurn('model');
  const { model, meta } = params.resume ? await resumeModel(backend, out, params, dataset) : { model: freshModel(backend, spec, params, dataset), meta: undefined };
  try {
    if (model.parts.encoder.layers.some((layer) => layer.getClassName().startsWith('Conv'))) await ensureKernels(backend, CONV_KERNELS);
    const normalization = meta?.normalization ?? dataset.normalization;
    const x = tf.tensor(meta ? renormalize(dataset, normalization) : dataset.x, [dataset.count, ...dataset.shape]);
    // Every kind's config carries the seed and learning rate (fresh: from params or defaults; resumed: as trained).
    const { seed, learningRate } = model.config as { seed: number; learningRate: number };
    const validationFraction = params.validationFraction ?? defaults.validationFraction;
    let saved = meta !== undefined;
    const split = splitIndices(dataset.count, validationFraction, seed);
    // The probes are the first of the (seeded, shuffled) validation rows, so a resumed run draws the same ones.
    const probeSource = split.validation.length > 0 ? split.validation : split.train;
    const timeline = TimelineRecorder.start(tf, model, x, probeSource.subarray(0, params.timelineProbes ?? DEFAULT_TIMELINE_PROBES), meta?.timeline);
    const save = async (epoch: number, history: HistoryEntry[], metrics: Record<string, number>) => {
      await nextTurn('checkpoint');
      model.prepareForSave?.();
      const recorded = timeline?.forSave();
      const written = await saveCheckpoint(tf, out, model.parts, { ...checkpointMeta(epoch, history, metrics), ...(recorded ? { timeline: recorded.timeline } : {}) }, recorded?.files);
      if (written.timeline) timeline?.saved(written.timeline);
    };
    const checkpointMeta = (epoch: number, history: HistoryEntry[], metrics: Record<string, number>) => ({
      kind: params.model,
      config: model.config,
      inputShape: dataset.shape,
      latentDim: model.latentDim,
      normalization,
      ...(dataset.labelNames ? { labelNames: dataset.labelNames } : {}),
      dataset: { name: dataset.name, source: dataset.source, count: dataset.count },
      metrics,
      history,
      epoch,
    });
    try {
      const result = await train(tf, model, x, {
        epochs: params.epochs,
        batchSize: params.batchSize ?? defaults.batchSize,
        validationFraction,
        seed,
        learningRate,
        ...(params.patience ? { earlyStopping: { patience: params.patience, minDelta: 1e-4 } } : {}),
        signal: options.signal,
        onProgress: options.onProgress,
        compile: !params.eager,
        resume: meta ? { epoch: meta.epoch, history: meta.history } : undefined,
        onEpochEnd: async (epoch, history) => {
          await timeline?.record(epoch, spec.descriptor.capabilities.features === 'dictionary');
          await save(epoch, history, lastMetrics(history));
          saved = true;
        },
      });
      // Only a run that ended on an epoch boundary holds that epoch's weights; a cancelled or
      // diverged one stopped mid-epoch, and its last checkpoint stays as it was written.
      const endedOnEpoch = result.status === 'completed' || result.status === 'early-stopped';
      const diagnostics = endedOnEpoch ? await diagnose(tf, model, x, split.validation) : { scalars: {}, arrays: {} };
      const metrics = { ...lastMetrics(result.history), ...diagnostics.scalars };
      if (saved && endedOnEpoch && result.history.length > 0) await save(result.epoch, result.history, metrics);
      const last = result.history.at(-1);
      return {
        model: params.model,
        status: result.status,
        message: result.message,
        finalLoss: last ? (last.val_loss ?? last.loss ?? null) : null,
        samplesPerSecond: result.samplesPerSecond,
        checkpoint: saved ? out : null,
        backend: backend.name,
        execution: result.execution.note,
        epoch: result.epoch,
        history: result.history,
        metrics,
        diagnostics: diagnostics.arrays,
      };
    } finally {
      timeline?.dispose();
      x.dispose();
    }
  } finally {
    model.dispose();
  }
}

function freshModel(backend: Backend, spec: ModelKindSpec<unknown>, params: TrainParams, dataset: Dataset): BuiltModel<unknown> {
  const latentDim = params.latentDim ?? defaults.latentDim;
  const merged = {
    ...(spec.defaults(dataset.shape, latentDim) as object),
    ...params.config,
    latentDim,
    ...(params.seed === undefined ? {} : { seed: params.seed }),
    ...(params.learningRate === undefined ? {} : { learningRate: params.learningRate }),
  };
  const config = spec.configSchema.parse(merged, `${params.model} config`);
  return spec.build(backend.tf, config, dataset.shape);
}

async function resumeModel(backend: Backend, out: string, params: TrainParams, dataset: Dataset): Promise<{ model: BuiltModel<unknown>; meta: CheckpointMeta }> {
  const { model, meta } = await openCheckpoint(backend.tf, out);
  const mismatch =
    meta.kind !== params.model ? `it is a ${meta.kind} checkpoint, not ${params.model}` : meta.inputShape.join('×') !== dataset.shape.join('×') ? `it was trained on samples of shape ${meta.inputShape.join('×')}, the data has ${dataset.shape.join('×')}` : undefined;
  if (mismatch) {
    model.dispose();
    throw new DataError(`cannot resume ${out}: ${mismatch} — pick the matching model and data, or train into a new --out folder`);
  }
  return { model, meta };
}

function lastMetrics(history: HistoryEntry[]): Record<string, number> {
  const { epoch: _epoch, ...terms } = history.at(-1) ?? { epoch: 0 };
  return terms;
}

async function diagnose(tf: Backend['tf'], model: BuiltModel<unknown>, x: Tensor, validation: Int32Array) {
  const scalars: Record<string, number> = {};
  const arrays: Record<string, number[]> = {};
  if (!model.metrics) return { scalars, arrays };
  await nextTurn('diagnostics');
  const rows = validation.length > 0 ? validation.subarray(0, DIAGNOSTIC_SAMPLES) : Int32Array.from({ length: Math.min(x.shape[0]!, DIAGNOSTIC_SAMPLES) }, (_, i) => i);
  const batch = tf.tidy(() => tf.gather(x, tf.tensor1d(rows, 'int32')));
  try {
    for (const [name, value] of Object.entries(await model.metrics(batch))) {
      if (Array.isArray(value)) arrays[name] = value;
      else scalars[name] = value;
    }
  } finally {
    batch.dispose();
  }
  return { scalars, arrays };
}
