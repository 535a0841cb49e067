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
