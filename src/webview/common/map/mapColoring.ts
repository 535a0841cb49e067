/**
 * What colors the map's points: a category per point (a label, a metadata column of text) or a value
 * per point (reconstruction error, a latent dim, a metadata column of numbers), and how that becomes
 * the scatter's per-point value and color table. Points without a value are grey.
 */
import type { MetadataColumn, Session } from '../../../shared/protocol';
import { categoryRgb, continuousRamp, NULL_RGB, type Rgb } from '../render/palette';

export const colorModes = ['label', 'error', 'dim', 'column'] as const;
export type ColorMode = (typeof colorModes)[number];

/** `label`: a category index per point (-1 for none), whatever the categories are. */
export type Coloring = { kind: 'label'; categories: Int32Array } | { kind: 'continuous'; values: Float32Array; title: string };

export function coloring(session: Pick<Session, 'count' | 'labels' | 'latents' | 'latentDim' | 'reconstructionError'>, mode: Exclude<ColorMode, 'column'>, dim: number): Coloring {
  if (mode === 'label' && session.labels) return { kind: 'label', categories: session.labels };
  if (mode === 'dim' || !session.reconstructionError) {
    const values = new Float32Array(session.count);
    for (let i = 0; i < session.count; i++) values[i] = session.latents[i * session.latentDim + dim]!;
    return { kind: 'continuous', values, title: `z${dim}` };
  }
  return { kind: 'continuous', values: session.reconstructionError, title: 'error' };
}

/** Enough colors to tell categories apart; more would only repeat hues nobody can match to a legend. */
export const SHOWN_CATEGORIES = 20;

/** A metadata column of text by frequency: the most frequent categories get their own colors, the rest share one. */
export interface RankedCategories {
  /** Per point: its category's rank (most frequent first) among the shown, `shown.length` for the others, -1 for null. */
  ranks: Int32Array;
  /** The shown categories, most frequent first (ties in the column's order), with their point counts. */
  shown: { name: string; count: number }[];
  /** The categories past the shown ones, and the points they hold together. */
  others: { categories: number; count: number };
  nulls: number;
}

export function rankCategories(codes: Int32Array, categories: string[]): RankedCategories {
  const counts = new Int32Array(categories.length);
  let nulls = 0;
  for (const code of codes) {
    if (code >= 0 && code < counts.length) counts[code]!++;
    else nulls++;
  }
  const present: number[] = [];
  counts.forEach((count, code) => {
    if (count > 0) present.push(code);
  });
  present.sort((a, b) => counts[b]! - counts[a]! || a - b);
  // One category past the limit is shown rather than called "1 other".
  const shownCount = present.length <= SHOWN_CATEGORIES + 1 ? present.length : SHOWN_CATEGORIES;
  const rankOf = new Int32Array(categories.length).fill(shownCount);
  const shown = present.slice(0, shownCount).map((code, rank) => {
    rankOf[code] = rank;
    return { name: categories[code]!, count: counts[code]! };
  });
  const shownPoints = shown.reduce((sum, { count }) => sum + count, 0);
  const ranks = codes.map((code) => (code >= 0 && code < rankOf.length ? rankOf[code]! : -1));
  return { ranks, shown, others: { categories: present.length - shownCount, count: codes.length - nulls - shownPoints }, nulls };
}

/** A metadata column's coloring: by category for text, along the continuous scale for numbers. */
export function columnColoring(column: MetadataColumn): { coloring: Coloring; ranked?: RankedCategories } {
  if (column.codes) {
    const ranked = rankCategories(column.codes, column.categories ?? []);
    return { coloring: { kind: 'label', categories: ranked.ranks }, ranked };
  }
  return { coloring: { kind: 'continuous', values: column.values ?? new Float32Array(0), title: column.name } };
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
    let top = -1;
    let missing = false;
    for (const category of color.categories) {
      if (category < 0) missing = true;
      else if (category > top) top = category;
    }
    const palette = Array.from({ length: top + 1 }, (_, category) => categoryRgb(category));
    if (missing) palette.push(NULL_RGB);
    // Plain loops here and below: a typed array's from/map with a callback takes about ten times as
    // long at a million points, and this is on the way to the first frame.
    const { categories } = color;
    const values = new Float32Array(categories.length);
    for (let i = 0; i < categories.length; i++) {
      const category = categories[i]!;
      values[i] = category < 0 ? top + 1 : category;
    }
    return { values, palette, type: 'categorical' };
  }
  let low = Infinity;
  let high = -Infinity;
  let missing = false;
  for (const value of color.values) {
    if (!Number.isFinite(value)) missing = true;
    else {
      if (value < low) low = value;
      if (value > high) high = value;
    }
  }
  if (!(low <= high)) [low, high] = [0, 0];
  const span = high - low || 1;
  const palette = continuousRamp(RAMP_STEPS);
  if (missing) palette.push(NULL_RGB);
  // The scatter reads position p as color floor(p · (palette length − 1)): with a grey slot past the
  // ramp, values stop short of it and only points without one (NaN) reach it.
  const scale = (RAMP_STEPS - 1) / (palette.length - 1);
  const values = new Float32Array(color.values.length);
  for (let i = 0; i < values.length; i++) {
    const value = color.values[i]!;
    values[i] = Number.isFinite(value) ? ((value - low) / span) * scale : 1;
  }
  return { values, palette, type: 'continuous', range: [low, high] };
}
