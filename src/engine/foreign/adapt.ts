/**
 * Between the data's layout ([h, w, c] or [features], values in [0, 1]) and what a foreign model
 * takes: channels first for PyTorch exports, one flat vector, or the data's own layout; and the
 * value range it was trained on. The layout follows from the model's declared input shape unless
 * the spec names one. In any layout a trailing axis of size 1 may be dropped or added, since that
 * moves no value: Keras models often take [h, w] where the readers give grey images as [h, w, 1].
 */
import type { InputLayout } from '../../shared/foreignModel';
import { DataError, sampleSize } from '../data/dataset';
import { describeShape, type DeclaredShape } from './foreignModel';

export interface InputAdapter {
  layout: InputLayout;
  /** Per-sample shape handed to the model. */
  modelShape: number[];
  toModel(x: Float32Array, rows: number): Float32Array;
  /** A model output of the input's size back to the data's layout and range. */
  fromModel(values: Float32Array, rows: number): Float32Array;
}

export interface InputOptions {
  layout?: InputLayout;
  min?: number;
  max?: number;
}

export function inputAdapter(dataShape: readonly number[], declared: DeclaredShape, options: InputOptions, where: string): InputAdapter {
  const layout = options.layout ?? inferLayout(dataShape, declared);
  if (layout === undefined) throw mismatch(dataShape, declared, where);
  const shape = shapeFor(layout, dataShape, where);
  const modelShape = unitAxisVariants(shape).find((candidate) => fits(candidate, declared));
  if (!modelShape) throw mismatch(dataShape, declared, where, { layout, shape });
  const min = options.min ?? 0;
  const max = options.max ?? 1;
  if (!(max > min)) throw new DataError(`${where}: the input range ${min}..${max} is empty — give a max above the min`);
  const transpose = layout === 'chw' ? hwcToChw(dataShape) : undefined;
  return {
    layout,
    modelShape,
    toModel: (x, rows) => scale(transpose ? transpose(x, rows, false) : x, min, max),
    fromModel: (values, rows) => {
      const unscaled = values.map((value) => (value - min) / (max - min));
      return transpose ? transpose(unscaled, rows, true) : unscaled;
    },
  };
}

/** The data as it is first, then flattened, then channels first: the first the model's shape accepts. */
function inferLayout(dataShape: readonly number[], declared: DeclaredShape): InputLayout | undefined {
  return (['hwc', 'flat', 'chw'] as const).find(
    (layout) => (layout !== 'chw' || dataShape.length === 3) && unitAxisVariants(layoutShape(layout, dataShape)).some((shape) => fits(shape, declared)),
  );
}

/** The shape itself, then without its trailing axis of size 1 or with one added. */
function unitAxisVariants(shape: number[]): number[][] {
  return shape.length > 1 && shape.at(-1) === 1 ? [shape, shape.slice(0, -1)] : [shape, [...shape, 1]];
}

function layoutShape(layout: InputLayout, dataShape: readonly number[]): number[] {
  if (layout === 'flat') return [sampleSize(dataShape)];
  if (layout === 'chw') return [dataShape[2]!, dataShape[0]!, dataShape[1]!];
  return [...dataShape];
}

function shapeFor(layout: InputLayout, dataShape: readonly number[], where: string): number[] {
  if (layout === 'chw' && dataShape.length !== 3) throw new DataError(`${where}: the layout chw needs images ([h, w, c] samples) but the data has samples of shape ${describeShape(dataShape as number[])}`);
  return layoutShape(layout, dataShape);
}

function fits(shape: readonly number[], declared: DeclaredShape): boolean {
  return shape.length === declared.length && declared.every((dim, i) => dim === null || dim === shape[i]);
}

function mismatch(dataShape: readonly number[], declared: DeclaredShape, where: string, given?: { layout: InputLayout; shape: number[] }): DataError {
  const data = describeShape(dataShape as number[]);
  const seen = given ? `${data}, given in the ${given.layout} layout as ${describeShape(given.shape)}` : `${data}, which do not fit as they are, flattened or channels first, with or without a trailing axis of size 1`;
  return new DataError(`${where}: the model takes samples of shape ${describeShape(declared)} but the data's samples are ${seen} — pick data like the model's training data${given ? ' or another layout' : ''}`);
}

function scale(x: Float32Array, min: number, max: number): Float32Array {
  return min === 0 && max === 1 ? x : x.map((value) => value * (max - min) + min);
}

/** [h, w, c] ⇄ [c, h, w] per sample; `back` goes from channels first to channels last. */
function hwcToChw(dataShape: readonly number[]) {
  const [h, w, c] = dataShape as [number, number, number];
  const size = h * w * c;
  return (x: Float32Array, rows: number, back: boolean): Float32Array => {
    const out = new Float32Array(x.length);
    for (let row = 0; row < rows; row++) {
      const base = row * size;
      for (let p = 0; p < h * w; p++) {
        for (let k = 0; k < c; k++) {
          const hwc = base + p * c + k;
          const chw = base + k * h * w + p;
          if (back) out[hwc] = x[chw]!;
          else out[chw] = x[hwc]!;
        }
      }
    }
    return out;
  };
}
