/**
 * Latents from a columnar file (Parquet, Arrow IPC): which columns are the latents, and every other
 * column as per-sample metadata. The format readers (parquet.ts, arrowIpc.ts) describe their columns
 * and hand over decoded rows; the rule, the caps, nulls and labels live here so both formats agree.
 */
import type { MetadataColumn } from '../../../shared/protocol';
import { emptyExtent, widenExtent } from '../arrays';
import { asDataError, DataError } from '../dataset';
import { checkValueBudget, MAX_ELEMENTS, MAX_LABEL_NAMES } from '../limits';
import { DEFAULT_LABEL_COLUMNS, resolveLabels, shown } from './csv';
import type { LabelRows } from './labelsCsv';

/** The schema's bound on per-dimension statistics; no real latent space comes near it. */
export const MAX_LATENT_DIM = 65_536;
/** The protocol's bounds on what a session carries beside its latents. */
const MAX_METADATA_COLUMNS = 256;
const MAX_COLUMN_NAME = 256;
const MAX_CATEGORY_LENGTH = 1024;
const MAX_CATEGORIES = 1_000_000;

/**
 * What a reader makes of a column's type: a list of floats (float32 or float64), a float, another
 * number (integers, decimals), text (strings, booleans, dictionaries of strings), or anything else
 * (dates, binary, structs, nested lists), which is left out.
 */
export type ColumnKind = 'float-list' | 'float' | 'number' | 'text' | 'other';

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
}

/** Which columns hold what: one list column, or float columns in latent-dimension order; then the metadata. */
export interface ColumnPlan {
  latents: { list: string } | { columns: string[] };
  metadata: ColumnInfo[];
}

export interface LatentsTable {
  /** [rows kept, dim] row-major. */
  latents: Float32Array;
  /** Rows in the file, before any limit. */
  total: number;
  dim: number;
  metadata: MetadataColumn[];
  /** From a column named like a label (label, class, target, y…), when it holds one class per row. */
  labels?: LabelRows;
}

const LATENTS_RULE =
  'give them as one column of float lists (a pyarrow FixedSizeListArray, a pandas column of numpy arrays), as float columns named z0…zN, dim_0… or latent_0…, or as the only float columns; integer, text and boolean columns are read as metadata';

/** Names like z0, z_1, dim_2, latent-3, emb4: a prefix, then the latent dimension. */
const NUMBERED = /^(?:z|dim|latent|emb|embedding)[_-]?(\d+)$/i;

/** Float columns named by dimension, in dimension order; undefined when none is. */
function numberedColumns(floats: ColumnInfo[], path: string): string[] | undefined {
  const byPrefix = new Map<string, { name: string; index: number }[]>();
  for (const { name } of floats) {
    const digits = NUMBERED.exec(name)?.[1];
    if (digits === undefined) continue;
    const prefix = name.slice(0, -digits.length);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), { name, index: Number(digits) }]);
  }
  if (byPrefix.size > 1) throw new DataError(`${path}: has latent-like float columns with ${byPrefix.size} prefixes (${[...byPrefix.keys()].map((prefix) => `${prefix}0…`).join(', ')}); keep one set of latent columns`);
  const [entry] = byPrefix;
  if (!entry) return undefined;
  const [prefix, numbered] = entry;
  numbered.sort((a, b) => a.index - b.index);
  const first = Math.min(numbered[0]!.index, 1);
  const gap = numbered.findIndex(({ index }, i) => index !== first + i);
  if (gap >= 0) {
    throw new DataError(`${path}: latent columns ${shown(numbered[0]!.name)}…${shown(numbered.at(-1)!.name)} lack ${shown(`${prefix}${first + gap}`)}; number the float latent columns from 0 (or 1) without gaps`);
  }
  return numbered.map(({ name }) => name);
}

/**
 * The rule: a column of float lists is the latents (only one may be); else float columns named by
 * dimension (z0…, dim_0…, latent_0…), in that order; else every float column. The rest is metadata.
 */
export function planColumns(columns: ColumnInfo[], path: string): ColumnPlan {
  const lists = columns.filter(({ kind }) => kind === 'float-list');
  if (lists.length > 1) throw new DataError(`${path}: has ${lists.length} columns of float lists (${lists.map(({ name }) => shown(name)).join(', ')}); keep one, the latents`);
  const floats = columns.filter(({ kind }) => kind === 'float');
  const latentColumns = lists[0] ? [lists[0].name] : (numberedColumns(floats, path) ?? floats.map(({ name }) => name));
  if (latentColumns.length === 0) throw new DataError(`${path}: found no latents: ${LATENTS_RULE}`);
  if (latentColumns.length > MAX_LATENT_DIM) throw new DataError(`${path}: has ${latentColumns.length} latent columns; at most ${MAX_LATENT_DIM} dimensions are read`);
  const isLatent = new Set(latentColumns);
  const metadata = columns.filter(({ name, kind }) => kind !== 'other' && !isLatent.has(name));
  if (metadata.length > MAX_METADATA_COLUMNS) {
    throw new DataError(`${path}: has ${metadata.length} columns besides the latents; at most ${MAX_METADATA_COLUMNS} are read as metadata — keep the ones to explore, e.g. df[["z", "label", …]].to_parquet(path)`);
  }
  const long = metadata.find(({ name }) => name.length > MAX_COLUMN_NAME);
  if (long) throw new DataError(`${path}: column name ${shown(long.name)} has ${long.name.length} characters; at most ${MAX_COLUMN_NAME} — rename it`);
  return { latents: lists[0] ? { list: lists[0].name } : { columns: latentColumns }, metadata };
}

/**
 * Runs a format library over `path`: what it throws on a damaged or foreign file becomes one line
 * naming the file; our own refusals, file-system errors and cancellation pass as they are.
 */
export async function readWith<T>(path: string, format: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await asDataError(path, work());
  } catch (error) {
    if (error instanceof DataError || signal?.aborted) throw error;
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
    throw new DataError(`${path}: not a readable ${format} file (${reason}); check that it was copied whole, or write it again with pyarrow, pandas or Spark`);
  }
}

/** Declared row counts are checked before anything is allocated from them. */
function checkRowCount(total: number, path: string): void {
  if (!Number.isSafeInteger(total) || total < 1 || total > MAX_ELEMENTS) {
    throw new DataError(`${path}: declares ${total} rows; save at least one row of latents, and at most ${MAX_ELEMENTS}`);
  }
}

interface MetadataBuilder {
  put(row: number, value: unknown): void;
  finish(): MetadataColumn;
}

// Builders write every row, nulls included, rather than filling their arrays up front: memory is
// touched only as rows arrive, so a file that declares more rows than it holds costs little.

/** Numbers as float32, NaN where the file has null. */
function numericBuilder(name: string, rows: number): MetadataBuilder {
  const values = new Float32Array(rows);
  return {
    put(row, value) {
      values[row] = typeof value === 'number' || typeof value === 'bigint' ? Number(value) : NaN;
    },
    finish: () => ({ name, values }),
  };
}

/** Text and booleans as codes into the sorted distinct values, -1 where the file has null. */
function categoryBuilder(name: string, rows: number, path: string): MetadataBuilder {
  const codes = new Int32Array(rows);
  const ids = new Map<string, number>();
  return {
    put(row, value) {
      if (value === null || value === undefined) {
        codes[row] = -1;
        return;
      }
      const text = String(value);
      let id = ids.get(text);
      if (id === undefined) {
        if (text.length > MAX_CATEGORY_LENGTH) {
          throw new DataError(`${path}: column ${shown(name)} holds a value of ${text.length} characters in row ${row}; metadata text may have at most ${MAX_CATEGORY_LENGTH} — shorten or drop the column`);
        }
        if (ids.size === MAX_CATEGORIES) throw new DataError(`${path}: column ${shown(name)} has over ${MAX_CATEGORIES} distinct values; drop it or keep fewer rows`);
        id = ids.size;
        ids.set(text, id);
      }
      codes[row] = id;
    },
    finish() {
      const categories = [...ids.keys()].sort();
      const rank = new Int32Array(categories.length);
      categories.forEach((category, index) => (rank[ids.get(category)!] = index));
      for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0) codes[i] = rank[codes[i]!]!;
      return { name, codes, categories };
    },
  };
}

/**
 * A label-named column that gives every row one class: text (class names) or whole numbers (class
 * indices). One with nulls or too many classes is left to the metadata, where it colors all the same.
 */
function labelsFrom(metadata: MetadataColumn[], path: string): LabelRows | undefined {
  const column = metadata.find(({ name }) => DEFAULT_LABEL_COLUMNS.includes(name.toLowerCase()));
  if (!column) return undefined;
  if (column.codes && column.categories) {
    if (column.codes.includes(-1) || column.categories.length > MAX_LABEL_NAMES) return undefined;
    const { classOf, names } = resolveLabels(column.categories, `${path}: column ${shown(column.name)}`);
    return { labels: column.codes.map((code) => classOf[code]!), ...(names ? { labelNames: names } : {}) };
  }
  const values = column.values!;
  return values.every((value) => Number.isInteger(value) && value >= 0 && value <= 0x7fffffff) ? { labels: Int32Array.from(values) } : undefined;
}

/**
 * Where the format readers put what they decode: one preallocated latents array (allocated when the
 * dimension is known, from the column type or the first row) and one builder per metadata column.
 * Rows at or past `rows` (the limit) are the readers' to skip.
 */
export class LatentsSink {
  readonly rows: number;
  private latents: Float32Array | undefined;
  private dim = 0;
  /** The list column, or the float column of each dimension. */
  private readonly latentColumns: string[];
  private readonly builders: Map<string, MetadataBuilder>;

  constructor(
    private readonly path: string,
    readonly plan: ColumnPlan,
    readonly total: number,
    limit: number | undefined,
  ) {
    checkRowCount(total, path);
    this.rows = Math.min(total, limit ?? total);
    this.latentColumns = 'list' in plan.latents ? [plan.latents.list] : plan.latents.columns;
    // The list's dimension is not known yet: at least one value per row.
    checkValueBudget(this.rows * (this.latentColumns.length + plan.metadata.length), path);
    this.builders = new Map(plan.metadata.map(({ name, kind }) => [name, kind === 'text' ? categoryBuilder(name, this.rows, path) : numericBuilder(name, this.rows)]));
    if ('columns' in plan.latents) this.setDim(plan.latents.columns.length);
  }

  get latentDim(): number {
    return this.dim;
  }

  /** Allocates the latents once their dimension is known: from the columns, a fixed-size list type, or a list's first row. */
  setDim(dim: number): Float32Array {
    if (dim < 1 || dim > MAX_LATENT_DIM) throw new DataError(`${this.path}: latents have ${dim} dimensions; save 1 to ${MAX_LATENT_DIM} values per row`);
    checkValueBudget(this.rows * (dim + this.plan.metadata.length), this.path);
    this.dim = dim;
    this.latents = new Float32Array(this.rows * dim);
    return this.latents;
  }

  /** Every column to read, latents first. */
  get columns(): string[] {
    return [...this.latentColumns, ...this.builders.keys()];
  }

  /** Where the values of `column` go, one row at a time (row numbers count from the file's first row). */
  writer(column: string): (row: number, value: unknown) => void {
    if ('list' in this.plan.latents) {
      if (column === this.plan.latents.list) return (row, value) => this.putList(row, value);
    } else {
      const dim = this.plan.latents.columns.indexOf(column);
      if (dim >= 0) return (row, value) => this.putDim(dim, row, value);
    }
    const builder = this.builders.get(column)!;
    return (row, value) => builder.put(row, value);
  }

  /** Row `row` of the list column: the first row fixes the dimension of a variable-size list. */
  private putList(row: number, values: unknown): void {
    const at = () => `${this.path}: row ${row} of ${shown(this.latentColumns[0]!)}`;
    if (values === null || values === undefined) throw new DataError(`${at()} is null; every sample needs latents — drop rows without them`);
    if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw new DataError(`${at()} is not a list; the file is corrupt`);
    const list = values as ArrayLike<unknown>;
    const latents = this.latents ?? this.setDim(list.length);
    if (list.length !== this.dim) throw new DataError(`${at()} has ${list.length} values but the first row has ${this.dim}; every row needs the same number of latents`);
    for (let j = 0; j < list.length; j++) {
      const value = list[j];
      if (typeof value !== 'number') throw new DataError(`${at()} holds a null; every latent needs a value`);
      latents[row * this.dim + j] = value;
    }
  }

  /** `count` whole rows of latents (within the limit) from the flat values of a fixed-size list column. */
  putRows(row: number, values: Float32Array | Float64Array, count: number): void {
    if (values.length !== count * this.dim) throw new DataError(`${this.path}: rows ${row}… of ${shown(this.latentColumns[0]!)} hold fewer values than their type says; the file is truncated or corrupt`);
    this.latents!.set(values, row * this.dim);
  }

  private putDim(dim: number, row: number, value: unknown): void {
    if (typeof value !== 'number') {
      throw new DataError(`${this.path}: row ${row} of latent column ${shown(this.latentColumns[dim]!)} is null; every sample needs latents — drop rows without them`);
    }
    this.latents![row * this.dim + dim] = value;
  }

  finish(): LatentsTable {
    const latents = this.latents!;
    // NaN or infinities (float64 values beyond float32's range included) would poison every projection.
    widenExtent(emptyExtent(), latents, this.dim, this.path);
    const metadata = [...this.builders.values()].map((builder) => builder.finish());
    const labels = labelsFrom(metadata, this.path);
    return { latents, total: this.total, dim: this.dim, metadata, ...(labels ? { labels } : {}) };
  }
}
