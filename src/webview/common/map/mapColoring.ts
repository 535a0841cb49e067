/**
 * What colors the map's points: a category per point (label) or a value per point (reconstruction
 * error, a latent dim), and how that becomes the scatter's per-point value and color table.
 */
import type { Session } from '../../../shared/protocol';
import { categoryRgb, continuousRamp, type Rgb } from '../render/palette';

export const colorModes = ['label', 'error', 'dim'] as const;
export type ColorMode = (typeof colorModes)[number];

export type Coloring = { kind: 'label'; categories: Int32Array } | { kind: 'continuous'; values: Float32Array; title: string };

export function coloring(session: Pick<Session, 'count' | 'labels' | 'latents' | 'latentDim' | 'reconstructionError'>, mode: ColorMode, dim: number): Coloring {
  if (mode === 'label' && session.labels) return { kind: 'label', categories: session.labels };
  if (mode === 'dim' || !session.reconstructionError) {
    const values = new Float32Array(session.count);
    for (let i = 0; i < session.count; i++) values[i] = session.latents[i * session.latentDim + dim]!;
    return { kind: 'continuous', values, title: `z${dim}` };
  }
  return { kind: 'continuous', values: session.reconstructionError, title: 'error' };
}

/** Enough steps that neighbouring colors cannot be told apart. */
const RAMP_STEPS = 128;

export interface PointColors {
  /** Per point: a category index into `palette`, or a value in [0, 1] along it. */
  values: Float32Array;
  palette: Rgb[];
  type: 'categorical' | 'continuous';
  /** Continuous: the values at the ends of the scale, for the colour bar. */
  range?: [number, number];
}

export function pointColors(color: Coloring): PointColors {
  if (color.kind === 'label') {
    let top = 0;
    const values = new Float32Array(color.categories.length);
    color.categories.forEach((category, i) => {
      // A missing label (-1) takes the first color rather than a slot outside the table.
      values[i] = Math.max(0, category);
      top = Math.max(top, category);
    });
    return { values, palette: Array.from({ length: top + 1 }, (_, category) => categoryRgb(category)), type: 'categorical' };
  }
  let low = Infinity;
  let high = -Infinity;
  for (const value of color.values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (!(low <= high)) [low, high] = [0, 0];
  const span = high - low || 1;
  // NaN (a sample the model could not score) lands at the low end, never outside the table.
  const values = color.values.map((value) => (Number.isFinite(value) ? (value - low) / span : 0));
  return { values, palette: continuousRamp(RAMP_STEPS), type: 'continuous', range: [low, high] };
}
