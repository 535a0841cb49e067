/**
 * Records the latent timeline while a run trains: after every epoch, the latents of a fixed set of
 * probe samples (a seeded draw from the validation split, the same on resume) and each unit's
 * health, as the checkpoint's timeline (checkpoint/timeline.ts) and the epoch file to save with it.
 */
import type { Tf } from '../backend';
import type { SavedFiles } from '../checkpoint/checkpoint';
import { encodeEpoch, epochFile, type Timeline, type TimelineEpoch } from '../checkpoint/timeline';
import type { BuiltModel, Tensor } from '../models/modelKind';
import { nextTurn } from '../eventLoop';

export const DEFAULT_TIMELINE_PROBES = 10_000;
const BATCH = 1024;

export class TimelineRecorder {
  private timeline: Timeline;
  private readonly probes: Tensor;
  /** The files the checkpoint holds already; the epoch just recorded is added by the next save. */
  private written: readonly string[];
  private pending: SavedFiles['add'] = [];

  private constructor(
    private readonly tf: Tf,
    private readonly model: BuiltModel<unknown>,
    x: Tensor,
    timeline: Timeline,
  ) {
    this.timeline = timeline;
    this.written = timeline.epochs.map((entry) => entry.file);
    this.probes = tf.tidy(() => tf.gather(x, tf.tensor1d(Int32Array.from(timeline.probeRows), 'int32')));
  }

  /**
   * A recorder for `probeRows` (rows of `x`), continuing `previous` when a resumed checkpoint
   * recorded the same probes; undefined when there is nothing to record.
   */
  static start(tf: Tf, model: BuiltModel<unknown>, x: Tensor, probeRows: Int32Array, previous?: Timeline): TimelineRecorder | undefined {
    if (probeRows.length === 0) return undefined;
    const rows = Array.from(probeRows);
    const continues = previous !== undefined && previous.dim === model.latentDim && previous.probeRows.length === rows.length && previous.probeRows.every((row, i) => row === rows[i]);
    return new TimelineRecorder(tf, model, x, continues ? previous : { probeRows: rows, dim: model.latentDim, epochs: [] });
  }

  /** Encodes the probes after `epoch` and keeps the file for the next save. */
  async record(epoch: number, dictionary: boolean): Promise<void> {
    const latents = await this.encodeProbes();
    const entry: TimelineEpoch = { epoch, file: epochFile(epoch), ...(await this.unitHealth(latents, dictionary)) };
    // A resumed run that repeats an epoch (it stopped mid-epoch) records it anew.
    this.timeline = { ...this.timeline, epochs: [...this.timeline.epochs.filter((kept) => kept.epoch < epoch), entry] };
    this.written = this.written.filter((file) => file !== entry.file);
    this.pending = [{ path: entry.file, bytes: encodeEpoch(latents, this.timeline.dim) }];
  }

  /** What the next save writes: the timeline for latent-lab.json and its files. */
  forSave(): { timeline: Timeline; files: SavedFiles } {
    return { timeline: this.timeline, files: { keep: this.written, add: this.pending } };
  }

  /** After a save of `forSave()`: the timeline as written (without epochs whose files were gone), every file of it now in the folder. */
  saved(written: Timeline): void {
    this.timeline = written;
    this.written = written.epochs.map((entry) => entry.file);
    this.pending = [];
  }

  dispose(): void {
    this.probes.dispose();
  }

  private async encodeProbes(): Promise<Float32Array> {
    const { tf, model, probes } = this;
    const count = probes.shape[0]!;
    const latents = new Float32Array(count * model.latentDim);
    for (let start = 0; start < count; start += BATCH) {
      // A turn before each batch: a cancel or a progress message is not held up by 10,000 encodes.
      await nextTurn('timeline');
      const rows = Math.min(BATCH, count - start);
      const z = tf.tidy(() => model.encode(probes.slice(start, rows)));
      latents.set((await z.data()) as Float32Array, start * model.latentDim);
      z.dispose();
    }
    return latents;
  }

  private async unitHealth(latents: Float32Array, dictionary: boolean): Promise<Pick<TimelineEpoch, 'klPerDim' | 'codeUsage' | 'unitFrequency'>> {
    const metrics = (await this.model.metrics?.(this.probes)) ?? {};
    const health: Pick<TimelineEpoch, 'klPerDim' | 'codeUsage' | 'unitFrequency'> = {};
    if (Array.isArray(metrics.klPerDim)) health.klPerDim = metrics.klPerDim.map((kl) => Math.max(0, kl));
    if (Array.isArray(metrics.codeUsage)) {
      const total = metrics.codeUsage.reduce((sum, count) => sum + count, 0);
      health.codeUsage = metrics.codeUsage.map((count) => (total > 0 ? count / total : 0));
    }
    if (dictionary) health.unitFrequency = activeShares(latents, this.model.latentDim);
    return health;
  }
}

/** The share of rows in which each unit is non-zero (a k-sparse code's chosen atoms). */
function activeShares(latents: Float32Array, dim: number): number[] {
  const active = new Float64Array(dim);
  for (let i = 0; i < latents.length; i++) if (latents[i] !== 0) active[i % dim]!++;
  const rows = latents.length / dim;
  return Array.from(active, (count) => count / rows);
}
