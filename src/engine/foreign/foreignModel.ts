/**
 * The shape every foreign-model format file exports (tfjsLayers, onnx, savedModel): a loader that
 * returns the model's own view of itself. Values travel as Float32Arrays, not tensors, because
 * ONNX Runtime computes outside tfjs; `adapt.ts` maps between the data's layout and the model's.
 */

/** A per-sample shape as a model declares it: null for a size it leaves free. */
export type DeclaredShape = (number | null)[];

export interface LoadedForeignModel {
  /** Per-sample input shape (no batch dimension). */
  inputShape: DeclaredShape;
  /** Size of one latent row (a latent with several axes is flattened). */
  latentDim: number;
  /** `x` is row-major [rows, ...sampleShape] in the model's own layout. */
  encode(x: Float32Array, sampleShape: readonly number[], rows: number): Promise<Float32Array>;
  /** Latent rows to outputs, with the per-sample shape the model gave them. */
  decode?(z: Float32Array, rows: number): Promise<{ values: Float32Array; sampleShape: number[] }>;
  /** Why there is no `decode`. */
  noDecoderReason?: string;
  dispose(): void;
}

/** Product of the sizes of a fully known shape; undefined when a size is free. */
export function knownSize(shape: readonly (number | null)[]): number | undefined {
  return shape.every((dim): dim is number => typeof dim === 'number' && dim > 0) ? shape.reduce((product: number, dim) => product * dim, 1) : undefined;
}

export function describeShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((dim) => dim ?? '?').join(', ')}]`;
}

/** A model input or output as `inspect` shows it: the whole declared shape, batch axis included. */
export interface TensorSummary {
  name: string;
  shape: DeclaredShape;
  dtype: string;
}

export interface ModelOutput {
  values: Float32Array;
  /** Batch axis first. */
  shape: number[];
}

/**
 * Runs a model whose batch size is fixed (torch.onnx.export without dynamic_axes) on any number of
 * rows: batches of exactly `batch` rows, the last one padded with zeros, whose padded rows' outputs
 * are dropped.
 */
export async function inBatchesOf(batch: number, x: Float32Array, rows: number, run: (values: Float32Array) => Promise<ModelOutput>): Promise<ModelOutput> {
  const rowSize = x.length / Math.max(rows, 1);
  let values = new Float32Array(0);
  let sampleShape: number[] = [];
  for (let start = 0; start < rows; start += batch) {
    const taken = Math.min(batch, rows - start);
    const out = await run(zeroPadded(x.subarray(start * rowSize, (start + taken) * rowSize), batch * rowSize));
    const outSize = out.values.length / batch;
    if (start === 0) values = new Float32Array(rows * outSize);
    values.set(out.values.subarray(0, taken * outSize), start * outSize);
    sampleShape = out.shape.slice(1);
  }
  return { values, shape: [rows, ...sampleShape] };
}

function zeroPadded(values: Float32Array, length: number): Float32Array {
  if (values.length === length) return values;
  const padded = new Float32Array(length);
  padded.set(values);
  return padded;
}
