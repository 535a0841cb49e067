/**
 * Sessions over bare latents: a .npy of [n, d] rows made elsewhere, or a Parquet or Arrow file with
 * the latents and per-sample metadata, with optional labels (a CSV) and the images they encode (any
 * dataset the readers read). There is no model, so the map, selection and export work while every
 * request that decodes answers why it cannot.
 */
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { EngineError, type MetadataColumn, type OpenSessionParams } from '../../shared/protocol';
import { readRows } from '../data/readers/arrayFile';
import { readArrowLatents } from '../data/readers/arrowIpc';
import { MAX_LATENT_DIM } from '../data/readers/columnar';
import { readParquetLatents } from '../data/readers/parquet';
import { emptyExtent, widenExtent } from '../data/arrays';
import { fileSource } from '../data/io/bytes';
import { DataError } from '../data/dataset';
import { type LabelRows, readLabelsCsv } from '../data/readers/labelsCsv';
import { asDataError, openSampleRows } from '../data/loadDataset';
import type { SampleRows } from '../data/sampleRows';
import { readNpyHeader } from '../data/readers/npy';
import { columnMoments } from './columnMoments';
import type { OpenedSession } from './sessions';

export const NO_DECODER_REASON = 'latents only: there is no decoder to decode with — open a checkpoint (or a model) to interpolate, traverse or decode';

interface LatentRows {
  latents: Float32Array;
  /** Rows in the file, before any limit. */
  total: number;
  dim: number;
  /** Parquet and Arrow files: their other columns, and the labels of a label column among them. */
  metadata?: MetadataColumn[];
  labels?: LabelRows;
}

/** The first `limit` rows of a float .npy, refusing other dtypes, shapes and non-finite values. */
async function readNpyLatents(path: string, limit: number | undefined, signal?: AbortSignal): Promise<LatentRows> {
  const source = fileSource(path, (await asDataError(path, stat(path))).size);
  const header = await readNpyHeader(source, signal);
  if (header.dtype !== 'float32' && header.dtype !== 'float64') {
    throw new DataError(`${path}: latents have dtype ${header.dtype}; save float32 or float64 rows, e.g. numpy.save(path, z.astype('float32'))`);
  }
  const [total, dim] = header.shape;
  if (header.shape.length !== 2 || !total || !dim || dim > MAX_LATENT_DIM) {
    throw new DataError(`${path}: latents have shape (${header.shape.join(', ')}); save one row per sample, shape (n, d) with n ≥ 1 and 1 ≤ d ≤ ${MAX_LATENT_DIM}`);
  }
  const { data } = await readRows(source, header, limit, signal);
  const latents = data instanceof Float32Array ? data : Float32Array.from(data);
  // After the float32 conversion: float64 values beyond its range became infinities.
  widenExtent(emptyExtent(), latents, dim, path);
  return { latents, total, dim };
}

/** Readers by file extension; any other file is read as a .npy. */
const COLUMNAR_READERS = new Map([
  ['.parquet', readParquetLatents],
  ['.arrow', readArrowLatents],
  ['.feather', readArrowLatents],
  ['.arrows', readArrowLatents],
]);

function readLatents(path: string, limit: number | undefined, signal?: AbortSignal): Promise<LatentRows> {
  return (COLUMNAR_READERS.get(extname(path).toLowerCase()) ?? readNpyLatents)(path, limit, signal);
}

/** Every count must agree, so that row i of each file describes the same sample. */
function checkCount(file: string, count: number, unit: 'labels' | 'samples', latentsPath: string, rows: number, fix: string): void {
  if (count !== rows) throw new DataError(`${file} has ${count} ${unit} but ${latentsPath} has ${rows} rows of latents; ${fix}`);
}

export async function openLatents(
  params: OpenSessionParams & { latents: string },
  signal?: AbortSignal,
): Promise<OpenedSession> {
  const path = resolve(params.latents);
  if (params.checkpoint !== undefined || params.data !== undefined) {
    throw new EngineError('bad-request', `${path}: give either a checkpoint (with its data) or latents (with labels and images), not both`);
  }
  const { latents, total, dim, metadata, labels: fileLabels } = await readLatents(path, params.limit, signal);
  const count = latents.length / dim;
  let labelRows: LabelRows | undefined;
  if (params.labels !== undefined) {
    const labelsPath = resolve(params.labels);
    labelRows = await readLabelsCsv(labelsPath, signal);
    checkCount(labelsPath, labelRows.labels.length, 'labels', path, total, 'give one label per row of latents, in the same order');
  }
  let images: SampleRows | undefined;
  if (params.images !== undefined) {
    images = await openSampleRows(params.images, { limit: params.limit, signal });
    try {
      checkCount(images.source, images.totalCount, 'samples', path, total, 'give the images these latents were encoded from, in the same order');
    } catch (error) {
      await images.close();
      throw error;
    }
  }
  // A labels file wins, then a label column of the latents file; otherwise the images' own labels (a labelled dataset) color the map.
  const labelSource = labelRows ?? fileLabels;
  const labels = labelSource?.labels.subarray(0, count) ?? images?.labels;
  const labelNames = labelSource ? labelSource.labelNames : images?.labelNames;
  const { mean, std } = columnMoments(latents, count, dim);
  const inputShape = images?.shape ?? [];
  return {
    open: { kind: 'latents', noDecoderReason: NO_DECODER_REASON, inputShape, ...(images ? { rows: images } : {}), count, latentDim: dim, latents },
    session: {
      kind: 'latents',
      capabilities: { decodes: false, variational: false, adjustableK: false },
      noDecoderReason: NO_DECODER_REASON,
      // No checkpoint: the latents file is what was opened.
      checkpoint: '',
      dataSource: path,
      latentDim: dim,
      inputShape,
      count,
      totalCount: total,
      ...(labels ? { labels: Int32Array.from(labels) } : {}),
      ...(labels && labelNames ? { labelNames } : {}),
      latents,
      latentMean: mean,
      latentStd: std,
      history: [],
      ...(metadata?.length ? { metadata } : {}),
    },
  };
}
