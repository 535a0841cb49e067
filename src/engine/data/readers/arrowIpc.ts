/**
 * Latents from Arrow IPC: the file format (.arrow, .feather v2) and the stream format (.arrows),
 * read with apache-arrow one record batch at a time. A first pass counts the rows (so the latents
 * are allocated once, at their size), a second copies them; memory holds the result plus one batch.
 */
import { open } from 'node:fs/promises';
import { CompressionType, compressionRegistry, type Data, DataType, type Field, Precision, type RecordBatch, RecordBatchReader, type Schema, type Vector } from 'apache-arrow';
import { decompressZstd } from 'hyparquet-compressors';
import { DataError } from '../dataset';
import { MAX_ELEMENTS } from '../limits';
import { type ColumnKind, type LatentsTable, LatentsSink, planColumns, readWith } from './columnar';
import { shown } from './csv';

// apache-arrow decodes compressed record batches only with the codecs registered here. Zstandard
// frames carry their decompressed size, as its codec interface needs; LZ4 frames need not, so LZ4
// files are refused with what to do instead (see batches). fzstd's output may start at any byte of
// its buffer, and apache-arrow views int64 columns in place, which needs 8-byte alignment.
compressionRegistry.set(CompressionType.ZSTD, {
  decode(bytes) {
    const decompressed = decompressZstd(bytes);
    return decompressed.byteOffset % 8 === 0 ? decompressed : decompressed.slice();
  },
});

const isFloat = (type: DataType | undefined) => DataType.isFloat(type) && type.precision !== Precision.HALF;
const isText = (type: DataType) => DataType.isBool(type) || DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type);
const isList = (type: DataType) => DataType.isFixedSizeList(type) || DataType.isList(type) || DataType.isLargeList(type);

function kindOf(type: DataType): ColumnKind {
  if (isFloat(type)) return 'float';
  if (DataType.isInt(type)) return 'number';
  if (isText(type) || (DataType.isDictionary(type) && isText(type.dictionary))) return 'text';
  if (isList(type)) return isFloat(type.children[0]?.type) ? 'float-list' : 'other';
  return 'other';
}

/**
 * Visits the record batches of `path` until `visit` returns false; the file is closed whatever happens.
 * Returns the schema.
 */
async function batches(path: string, visit: (batch: RecordBatch) => boolean, signal?: AbortSignal): Promise<Schema> {
  const handle = await open(path);
  try {
    const reader = await (await RecordBatchReader.from(handle)).open();
    // Read now: the reader lets go of its schema once the last batch is read.
    const { schema } = reader;
    if (!schema) throw new DataError(`${path}: not an Arrow IPC file or stream (no schema); write it with pyarrow (pyarrow.ipc.new_file) or pandas (to_feather)`);
    for await (const batch of reader) {
      signal?.throwIfAborted();
      if (!visit(batch)) break;
    }
    return schema;
  } catch (error) {
    if (error instanceof Error && /compressed but codec not found/.test(error.message)) {
      throw new DataError(`${path}: its record batches are LZ4-compressed (pandas' to_feather default), which Latent Lab does not decompress; write it with compression="zstd" or "uncompressed" (df.to_feather(path, compression="zstd")), or as Parquet`);
    }
    throw error;
  } finally {
    await handle.close();
  }
}

async function countRows(path: string, signal?: AbortSignal): Promise<{ schema: Schema; total: number }> {
  let total = 0;
  const schema = await batches(
    path,
    (batch) => {
      total += batch.numRows;
      // Checked as it grows: a stream of empty-bodied batches may claim any number of rows.
      return total <= MAX_ELEMENTS;
    },
    signal,
  );
  return { schema, total };
}

/** One batch's rows of the list column: fixed-size lists without nulls are copied whole, other lists row by row. */
function putLists(sink: LatentsSink, column: string, vector: Vector, batchRow: number, path: string): void {
  const put = sink.writer(column);
  let at = 0;
  for (const data of vector.data as Data[]) {
    const row = batchRow + at;
    const count = Math.min(data.length, sink.rows - row);
    if (count <= 0) return;
    const child = data.children[0]!;
    const values = child.values as Float32Array | Float64Array;
    if (data.nullCount > 0 || child.nullCount > 0) {
      // As values and nulls, for the sink to say which row holds one.
      for (let i = 0; i < count; i++) {
        const list = vector.get(at + i) as Vector | null;
        put(row + i, list && Array.from(list));
      }
    } else if (DataType.isFixedSizeList(data.type)) {
      const start = child.offset + data.offset * sink.latentDim;
      sink.putRows(row, values.subarray(start, start + count * sink.latentDim), count);
    } else {
      const offsets = data.valueOffsets as Int32Array | BigInt64Array;
      for (let i = 0; i < count; i++) {
        const start = child.offset + Number(offsets[data.offset + i]);
        const end = child.offset + Number(offsets[data.offset + i + 1]);
        if (!(start <= end && end <= values.length)) throw new DataError(`${path}: row ${row + i} of ${shown(column)} points outside its values; the file is truncated or corrupt`);
        put(row + i, values.subarray(start, end));
      }
    }
    at += data.length;
  }
}

export async function readArrowLatents(path: string, limit: number | undefined, signal?: AbortSignal): Promise<LatentsTable> {
  return readWith(
    path,
    'Arrow IPC',
    async () => {
      const { schema, total } = await countRows(path, signal);
      const fields: Field[] = schema.fields;
      const sink = new LatentsSink(path, planColumns(fields.map(({ name, type }) => ({ name, kind: kindOf(type) })), path), total, limit);
      const { latents } = sink.plan;
      const listField = 'list' in latents ? fields.find(({ name }) => name === latents.list) : undefined;
      if (listField && DataType.isFixedSizeList(listField.type)) sink.setDim(listField.type.listSize);
      const wanted = sink.columns.map((name) => ({ name, index: fields.findIndex((field) => field.name === name) }));
      let row = 0;
      await batches(
        path,
        (batch) => {
          for (const { name, index } of wanted) {
            const vector = batch.getChildAt(index)!;
            if (listField?.name === name) {
              putLists(sink, name, vector, row, path);
              continue;
            }
            const put = sink.writer(name);
            const count = Math.min(batch.numRows, sink.rows - row);
            for (let i = 0; i < count; i++) put(row + i, vector.get(i));
          }
          row += batch.numRows;
          return row < sink.rows;
        },
        signal,
      );
      return sink.finish();
    },
    signal,
  );
}
