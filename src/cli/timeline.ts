/**
 * `latent-lab timeline CHECKPOINT --out timeline.npz`: the latent timeline a run recorded, for
 * notebooks — epochs × probes × dims of latents plus the per-epoch unit health, as numpy arrays.
 */
import * as path from 'node:path';
import { readOneVersion } from '../engine/checkpoint/atomicDir';
import { readCheckpointMeta } from '../engine/checkpoint/checkpoint';
import { realFolder } from '../engine/checkpoint/confinedFs';
import { readEpochLatents, type Timeline, type TimelineEpoch } from '../engine/checkpoint/timeline';
import { type NpzArray, writeNpz } from '../engine/data/io/npzWriter';
import { stringFlag, UsageError } from './args';
import { type StandaloneCommand, table } from './command';

const HEALTH = { klPerDim: 'kl_per_dim', codeUsage: 'code_usage', unitFrequency: 'unit_frequency' } as const;

export const timelineCommand: StandaloneCommand = {
  standalone: true,
  summary: 'export the latent timeline a run recorded (latents of its probe samples after every epoch, unit health) as .npz',
  usage: 'timeline CHECKPOINT --out timeline.npz [--json]',
  values: ['out'],
  async run({ args, signal }) {
    const [checkpoint, ...extra] = args.positionals;
    const out = stringFlag(args, 'out');
    if (!checkpoint || extra.length > 0 || !out) throw new UsageError('timeline takes one checkpoint folder and --out FILE.npz');
    const folder = path.resolve(checkpoint);
    const { timeline, file, latents } = await readOneVersion(folder, async () => {
      const { meta, file } = await readCheckpointMeta(await realFolder(folder));
      if (!meta.timeline || meta.timeline.epochs.length === 0) {
        throw new UsageError(`${file} has no latent timeline: the run was trained before timelines were recorded, or with timelineProbes 0 — train it again (or resume it) to record one`);
      }
      const epochs: Float32Array[] = [];
      for (const { epoch } of meta.timeline.epochs) {
        signal.throwIfAborted();
        epochs.push(await readEpochLatents(folder, meta.timeline, epoch, file));
      }
      return { timeline: meta.timeline, file, latents: epochs };
    });
    const target = path.resolve(out);
    const shape = [timeline.epochs.length, timeline.probeRows.length, timeline.dim];
    await writeNpz(target, timelineArrays(timeline, latents));
    const result = { timeline: target, checkpoint: folder, epochs: timeline.epochs.map((entry) => entry.epoch), probes: timeline.probeRows.length, latentDim: timeline.dim };
    return { result, human: table([['timeline', target], ['from', file], ['latents', `${shape.join(' × ')} (epochs × probes × dims)`]]) };
  },
};

/** `epochs`, `probe_rows` (rows of the training data), `latents` [E, P, D] and each health array every epoch recorded, [E, units]. */
function timelineArrays(timeline: Timeline, latents: Float32Array[]): Record<string, NpzArray> {
  const { epochs, probeRows, dim } = timeline;
  const stacked = new Float32Array(latents.reduce((sum, epoch) => sum + epoch.length, 0));
  latents.forEach((epoch, index) => stacked.set(epoch, index * epoch.length));
  const arrays: Record<string, NpzArray> = {
    epochs: { data: Int32Array.from(epochs, (entry) => entry.epoch), shape: [epochs.length] },
    probe_rows: { data: Int32Array.from(probeRows), shape: [probeRows.length] },
    latents: { data: stacked, shape: [epochs.length, probeRows.length, dim] },
  };
  for (const [field, name] of Object.entries(HEALTH) as [keyof typeof HEALTH, string][]) {
    const rows = epochs.map((entry: TimelineEpoch) => entry[field]);
    const units = rows[0]?.length;
    if (units === undefined || rows.some((row) => row?.length !== units)) continue;
    arrays[name] = { data: Float32Array.from(rows.flatMap((row) => row!)), shape: [epochs.length, units] };
  }
  return arrays;
}
