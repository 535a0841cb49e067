/**
 * Latents from Apache Parquet, read with hyparquet (pure JavaScript; snappy, zstd, gzip, brotli and
 * lz4 through hyparquet-compressors). bench/README.md has the measurements that chose it over
 * parquet-wasm and parquetjs. One column of one row group is decoded at a time, so memory holds the
 * result plus one column chunk, whatever the file's size.
 */
import { asyncBufferFromFile, type FileMetaData, parquetMetadataAsync, parquetScan, parquetSchema, type SchemaElement, type SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DataError } from '../dataset';
import { formatBytes, maxDataBytes } from '../limits';
import { type ColumnInfo, type ColumnKind, type LatentsTable, LatentsSink, planColumns, readWith } from './columnar';
import { shown } from './csv';

const TEMPORAL = new Set(['DATE', 'TIME', 'TIMESTAMP', 'TIME_MILLIS', 'TIME_MICROS', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS', 'INTERVAL']);
const TEXT = new Set(['STRING', 'ENUM', 'UTF8']);

function leafKind(element: SchemaElement): ColumnKind {
  const annotation = element.logical_type?.type ?? element.converted_type;
  if (element.repetition_type === 'REPEATED' || (annotation !== undefined && TEMPORAL.has(annotation))) return 'other';
  if (annotation === 'DECIMAL') return 'number';
  switch (element.type) {
    case 'FLOAT':
    case 'DOUBLE':
      return 'float';
    case 'INT32':
    case 'INT64':
      return 'number';
    case 'BOOLEAN':
      return 'text';
    case 'BYTE_ARRAY':
      return annotation !== undefined && TEXT.has(annotation) ? 'text' : 'other';
    default:
      return 'other';
  }
}

const isFloatLeaf = (node: SchemaTree | undefined) => node !== undefined && node.children.length === 0 && (node.element.type === 'FLOAT' || node.element.type === 'DOUBLE');

/** A LIST of floats, in the standard three-level layout or the legacy two-level one. */
function isFloatList(node: SchemaTree): boolean {
  const annotated = node.element.logical_type?.type === 'LIST' || node.element.converted_type === 'LIST';
  const repeated = node.children[0];
  if (!annotated || node.children.length !== 1 || repeated?.element.repetition_type !== 'REPEATED') return false;
  return isFloatLeaf(repeated) || (repeated.children.length === 1 && isFloatLeaf(repeated.children[0]));
}

function describeColumns(metadata: FileMetaData): ColumnInfo[] {
  return parquetSchema(metadata).children.map((node) => ({
    name: node.element.name,
    kind: node.children.length === 0 ? leafKind(node.element) : isFloatList(node) ? 'float-list' : 'other',
  }));
}

/** The declared size of the chunk about to be decoded, checked before hyparquet allocates for it. */
function checkChunkSize(metadata: FileMetaData, group: number, column: string, path: string): void {
  const chunks = metadata.row_groups[group]!.columns.filter((chunk) => chunk.meta_data?.path_in_schema[0] === column);
  const bytes = chunks.reduce((sum, chunk) => sum + Number(chunk.meta_data!.total_uncompressed_size), 0);
  if (bytes > maxDataBytes()) {
    throw new DataError(
      `${path}: row group ${group} of column ${shown(column)} declares ${formatBytes(bytes)} uncompressed, over the ${formatBytes(maxDataBytes())} limit; write smaller row groups (pyarrow: row_group_size) or raise LATENT_LAB_MAX_DATA_BYTES`,
    );
  }
}

/** The row groups' declared sizes must add up, so that row numbers and the limit mean what they say. */
function groupRows(metadata: FileMetaData, path: string): number[] {
  const rows = metadata.row_groups.map((group) => Number(group.num_rows));
  const sum = rows.reduce((total, count) => total + count, 0);
  if (rows.some((count) => !Number.isSafeInteger(count) || count < 0) || sum !== Number(metadata.num_rows)) {
    throw new DataError(`${path}: its row groups declare ${sum} rows but the file declares ${metadata.num_rows}; the file is corrupt — write it again`);
  }
  return rows;
}

export function readParquetLatents(path: string, limit: number | undefined, signal?: AbortSignal): Promise<LatentsTable> {
  return readWith(
    path,
    'Parquet',
    async () => {
      const file = await asyncBufferFromFile(path);
      const metadata = await parquetMetadataAsync(file);
      const rowsByGroup = groupRows(metadata, path);
      const sink = new LatentsSink(path, planColumns(describeColumns(metadata), path), Number(metadata.num_rows), limit);
      let groupStart = 0;
      for (const [group, rows] of rowsByGroup.entries()) {
        const rowEnd = Math.min(groupStart + rows, sink.rows);
        if (rowEnd <= groupStart) break;
        for (const column of sink.columns) {
          signal?.throwIfAborted();
          checkChunkSize(metadata, group, column, path);
          const scan = await parquetScan({ file, metadata, compressors, columns: [column], rowStart: groupStart, rowEnd });
          const values = await scan.readColumn({ column, rowStart: groupStart, rowEnd });
          if (values.length !== rowEnd - groupStart) {
            throw new DataError(`${path}: row group ${group} of column ${shown(column)} holds ${values.length} of rows ${groupStart}…${rowEnd - 1}; the file is truncated or corrupt`);
          }
          const put = sink.writer(column);
          for (let i = 0; i < values.length; i++) put(groupStart + i, values[i]);
        }
        groupStart += rows;
      }
      return sink.finish();
    },
    signal,
  );
}
