/**
 * The latent timeline as the map shows it: each recorded epoch's probe latents in 2-D, aligned so
 * that the points move only where the space really reorganised. Each epoch is laid out by its own
 * PCA (its main axes, whatever the encoder's basis was then), then rotated, reflected and scaled onto
 * the epoch before it (orthogonal Procrustes). A fixed PCA of one epoch would show early epochs in
 * axes they did not have yet; chaining forwards means an epoch that lands while the run trains never
 * moves the ones already on screen. Each request reads latent-lab.json again, so a live run's new
 * epochs appear; aligned layouts are kept per session.
 */
import type { ResultOf } from '../../shared/protocol';
import type { Tf } from '../backend';
import { readOneVersion } from '../checkpoint/atomicDir';
import { readCheckpointMeta } from '../checkpoint/checkpoint';
import { realFolder } from '../checkpoint/confinedFs';
import { readEpochLatents, type Timeline } from '../checkpoint/timeline';
import { nextTurn } from '../eventLoop';
import { fitPca, pcaTransform } from '../projection/pca/pca';

/** What a session's timeline is shown against, and the layouts made so far. */
export interface TimelineSource {
  /** The data the session explores ('sample' or an absolute path), to find the probes among its samples. */
  dataSource: string;
  count: number;
  aligned: Map<number, Float32Array>;
  probeRows?: readonly number[];
}

type TimelineResult = ResultOf<'timeline'>;

/** No epochs to show, and why: a page shows the reason as a note, not as a failure. */
export function noTimeline(reason: string): TimelineResult {
  return { epochs: new Int32Array(0), probes: new Int32Array(0), coordinates: new Float32Array(0), reason };
}

/** Epochs after `after` (all when undefined), with the probes' place among the session's samples. */
export async function timelineAfter(tf: Tf, folder: string, source: TimelineSource, after: number, signal?: AbortSignal): Promise<TimelineResult> {
  const read = await readOneVersion(folder, async () => {
    const { meta, file } = await readCheckpointMeta(await realFolder(folder));
    const timeline = meta.timeline;
    if (!timeline || timeline.epochs.length === 0) return { file, trainedOn: meta.dataset?.source };
    const fresh = timeline.epochs.filter((entry) => entry.epoch > after);
    const latents = new Map<number, Float32Array>();
    const sameProbes = sameRows(source.probeRows, timeline.probeRows);
    // Layouts chain forwards, so epochs not laid out yet are read from the first of them on.
    for (const entry of timeline.epochs.filter((candidate) => candidate.epoch > after || !sameProbes || !source.aligned.has(candidate.epoch))) {
      signal?.throwIfAborted();
      latents.set(entry.epoch, await readEpochLatents(folder, timeline, entry.epoch, file));
    }
    return { file, trainedOn: meta.dataset?.source, timeline, fresh, latents };
  });
  if (!read.timeline) {
    return noTimeline(`${read.file} records no latent timeline: the run was trained before timelines were recorded (or with timelineProbes 0) — resume or retrain it to record one`);
  }
  const { timeline, fresh, latents } = read;
  if (!sameRows(source.probeRows, timeline.probeRows)) {
    source.aligned.clear();
    source.probeRows = timeline.probeRows;
  }
  const probeCount = timeline.probeRows.length;
  let previous: Float32Array | undefined;
  for (const { epoch } of timeline.epochs) {
    const known = source.aligned.get(epoch);
    if (known) {
      previous = known;
      continue;
    }
    await nextTurn('timeline layout');
    signal?.throwIfAborted();
    const layout = await pcaLayout(tf, latents.get(epoch)!, probeCount, timeline.dim);
    previous = previous ? procrustes(layout, previous) : layout;
    source.aligned.set(epoch, previous);
  }
  const coordinates = new Float32Array(fresh.length * probeCount * 2);
  fresh.forEach(({ epoch }, index) => coordinates.set(source.aligned.get(epoch)!, index * probeCount * 2));
  const sameData = read.trainedOn === source.dataSource;
  return {
    epochs: Int32Array.from(fresh, (entry) => entry.epoch),
    probes: Int32Array.from(timeline.probeRows, (row) => (sameData && row < source.count ? row : -1)),
    coordinates,
    ...health(timeline, fresh.map((entry) => entry.epoch)),
    ...(sameData ? {} : { note: `the run was trained on ${read.trainedOn ?? 'data it did not record'}, the map shows ${source.dataSource}: the probes are not among the map's samples, so they are shown without labels or images` }),
  };
}

/** Whether layouts made for `kept` probes hold for `probes` (a retrained run draws others). */
function sameRows(kept: readonly number[] | undefined, probes: readonly number[]): boolean {
  return kept !== undefined && kept.length === probes.length && kept.every((row, i) => row === probes[i]);
}

/** Unit health of `epochs`, row per epoch, where every one of them recorded it. */
function health(timeline: Timeline, epochs: number[]): Pick<TimelineResult, 'klPerDim' | 'codeUsage' | 'unitFrequency'> {
  const entries = timeline.epochs.filter((entry) => epochs.includes(entry.epoch));
  const out: Pick<TimelineResult, 'klPerDim' | 'codeUsage' | 'unitFrequency'> = {};
  for (const field of ['klPerDim', 'codeUsage', 'unitFrequency'] as const) {
    const rows = entries.map((entry) => entry[field]);
    if (rows.length > 0 && rows.every((row) => row !== undefined && row.length === rows[0]!.length)) out[field] = Float32Array.from(rows.flatMap((row) => row!));
  }
  return out;
}

/** [probes, 2]: the epoch's first two principal components. */
async function pcaLayout(tf: Tf, latents: Float32Array, rows: number, dims: number): Promise<Float32Array> {
  if (dims === 1) return Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? latents[i / 2]! : 0));
  const pca = await fitPca(tf, latents, rows, dims, 2);
  return pcaTransform(tf, pca, latents, rows, 2);
}

/**
 * `layout` moved onto `target` (both [rows, 2]) by the rotation or reflection, uniform scale and
 * translation that bring it closest in the least-squares sense. In 2-D the best orthogonal map has a
 * closed form: with M = layoutᵀ·target (centred), a rotation scores hypot(M00 + M11, M10 − M01) and a
 * reflection hypot(M00 − M11, M10 + M01); the larger wins, at the angle of that vector.
 */
export function procrustes(layout: Float32Array, target: Float32Array): Float32Array {
  const rows = layout.length / 2;
  const mean = (values: Float32Array, axis: number) => {
    let sum = 0;
    for (let i = axis; i < values.length; i += 2) sum += values[i]!;
    return sum / rows;
  };
  const [lx, ly, tx, ty] = [mean(layout, 0), mean(layout, 1), mean(target, 0), mean(target, 1)];
  let [m00, m01, m10, m11, norm] = [0, 0, 0, 0, 0];
  for (let i = 0; i < rows; i++) {
    const [ax, ay] = [layout[2 * i]! - lx, layout[2 * i + 1]! - ly];
    const [bx, by] = [target[2 * i]! - tx, target[2 * i + 1]! - ty];
    m00 += ax * bx;
    m01 += ax * by;
    m10 += ay * bx;
    m11 += ay * by;
    norm += ax * ax + ay * ay;
  }
  const rotation = Math.hypot(m00 + m11, m10 - m01);
  const reflection = Math.hypot(m00 - m11, m10 + m01);
  const reflect = reflection > rotation;
  const angle = reflect ? Math.atan2(m10 + m01, m00 - m11) : Math.atan2(m10 - m01, m00 + m11);
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  // Rows times R: a rotation [[c, −s], [s, c]], a reflection [[c, s], [s, −c]].
  const r = reflect ? [c, s, s, -c] : [c, -s, s, c];
  const scale = norm > 0 ? Math.max(rotation, reflection) / norm : 1;
  const out = new Float32Array(layout.length);
  for (let i = 0; i < rows; i++) {
    const [ax, ay] = [layout[2 * i]! - lx, layout[2 * i + 1]! - ly];
    out[2 * i] = scale * (ax * r[0]! + ay * r[2]!) + tx;
    out[2 * i + 1] = scale * (ax * r[1]! + ay * r[3]!) + ty;
  }
  return out;
}
