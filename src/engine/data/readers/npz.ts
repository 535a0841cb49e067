/**
 * NumPy .npz archives (numpy.savez / savez_compressed). The samples are the array named `x`, else
 * `arr_0`, else the only array, else the first non-integer one; integer labels are `y`, `labels`
 * or `arr_1`. Label names would need pickled strings, so .npz labels are plain class indices.
 */
import { type ArrayHeader, readLabels, readRows, scanExtent, scanLabels } from './arrayFile';
import { isIntegerDType } from '../arrays';
import type { ByteSource } from '../io/bytes';
import { DataError } from '../dataset';
import type { FormatReader, RawDataset, RawSummary } from '../formats';
import { readNpyHeader } from './npy';
import { entrySource, readZip } from '../io/zip';

interface NpzArray {
  key: string;
  source: ByteSource;
  header: ArrayHeader;
}

async function pickArrays(path: string, signal?: AbortSignal): Promise<{ data: NpzArray; labels?: NpzArray }> {
  const archive = await readZip(path);
  const entries = new Map(archive.entries.filter((entry) => entry.name.endsWith('.npy')).map((entry) => [entry.name.slice(0, -'.npy'.length), entry]));
  const keys = [...entries.keys()];
  if (keys.length === 0) throw new DataError(`${path}: holds no .npy arrays; save one with numpy.savez(path, x=data, y=labels)`);
  const openArray = async (key: string): Promise<NpzArray> => {
    const source = await entrySource(archive, entries.get(key)!);
    return { key, source, header: await readNpyHeader(source, signal) };
  };

  const named = ['x', 'arr_0'].find((key) => entries.has(key)) ?? (keys.length === 1 ? keys[0] : undefined);
  let data = named === undefined ? undefined : await openArray(named);
  for (const key of named === undefined ? keys : []) {
    const candidate = await openArray(key);
    if (!isIntegerDType(candidate.header.dtype)) {
      data = candidate;
      break;
    }
  }
  if (!data) throw new DataError(`${path}: cannot tell which array holds the samples (${keys.join(', ')}); save them as x: numpy.savez(path, x=data, y=labels)`);
  const labelKey = ['y', 'labels', 'arr_1'].find((key) => key !== data.key && entries.has(key));
  return { data, labels: labelKey === undefined ? undefined : await openArray(labelKey) };
}

const sampleCount = (header: ArrayHeader): number => header.shape[0] ?? 1;

export const npzReader: FormatReader = {
  async load(path, { limit, signal }) {
    const { data, labels } = await pickArrays(path, signal);
    // Labels first: they are small, and a count mismatch should stop us before the samples are read.
    const labelRows = labels && (await readLabels(labels.source, labels.header, sampleCount(data.header), data.source.where, limit, signal));
    const dataset: RawDataset = { array: await readRows(data.source, data.header, limit, signal) };
    if (labelRows) dataset.labels = labelRows;
    return dataset;
  },
  async inspect(path, { signal }) {
    const { data, labels } = await pickArrays(path, signal);
    const summary: RawSummary = { dtype: data.header.dtype, shape: data.header.shape, ...(await scanExtent(data.source, data.header, signal)) };
    if (labels) summary.labels = await scanLabels(labels.source, labels.header, sampleCount(data.header), data.source.where, signal);
    return summary;
  },
};
