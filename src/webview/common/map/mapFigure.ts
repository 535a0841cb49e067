/**
 * The map as Plotly traces: every point in one scattergl trace (trace 0, so its data always has all
 * `count` points), search matches (or the sample hovered in a linked map) as rings over it, the
 * picked points as labelled markers on top.
 */
import type { Session } from '../../../shared/protocol';
import { type Config, type Data, type Layout, plotConfig } from '../plot/plotly';
import { themeColors, themedLayout } from '../plot/theme';
import { CONTINUOUS_SCALE, categoryColor } from '../render/palette';
import { methodNames, type Projection } from './projection';

export const colorModes = ['label', 'error', 'dim'] as const;
export type ColorMode = (typeof colorModes)[number];

/** Maps zoom with the wheel: dense regions need a closer look more than the page needs scrolling. */
export const mapPlotConfig: Partial<Config> = { ...plotConfig, scrollZoom: true };

export type Coloring = { kind: 'label'; colors: string[] } | { kind: 'continuous'; values: Float32Array; title: string };

export function coloring(session: Session, mode: ColorMode, dim: number): Coloring {
  if (mode === 'label' && session.labels) return { kind: 'label', colors: Array.from(session.labels, categoryColor) };
  if (mode === 'dim' || !session.reconstructionError) {
    const values = new Float32Array(session.count);
    for (let i = 0; i < session.count; i++) values[i] = session.latents[i * session.latentDim + dim]!;
    return { kind: 'continuous', values, title: `z${dim}` };
  }
  return { kind: 'continuous', values: session.reconstructionError, title: 'error' };
}

export interface MapScene {
  projection: Projection;
  coloring: Coloring;
  matches: number[];
  picks: number[];
  selection: number[];
}

/** Dense maps need small points to show structure; sparse ones need points big enough to hover. */
function pointSize(count: number): number {
  if (count <= 2_000) return 6;
  if (count <= 20_000) return 4;
  return 2.5;
}

function axisTitles(projection: Projection): [string, string] {
  if (projection.dims) return [`z${projection.dims[0]}`, `z${projection.dims[1]}`];
  const name = methodNames[projection.method];
  return [`${name} 1`, `${name} 2`];
}

export function mapFigure(scene: MapScene): { data: Data[]; layout: Partial<Layout> } {
  const { projection, coloring: color, matches, picks, selection } = scene;
  const colors = themeColors();
  const size = pointSize(projection.x.length);
  const marker =
    color.kind === 'label'
      ? { color: color.colors, size, opacity: 0.85 }
      : { color: color.values, colorscale: CONTINUOUS_SCALE, showscale: true, colorbar: { title: { text: color.title }, thickness: 12, outlinewidth: 0 }, size, opacity: 0.85 };
  const points = {
    type: 'scattergl',
    mode: 'markers',
    x: projection.x,
    y: projection.y,
    marker,
    hoverinfo: 'none',
    ...(selection.length > 0 ? { selectedpoints: selection } : {}),
    unselected: { marker: { opacity: 0.15 } },
  };
  // One ring among thousands of points (a hovered or searched sample) must still catch the eye.
  const lone = matches.length === 1;
  const ringed = {
    type: 'scattergl',
    mode: 'markers',
    x: matches.map((i) => projection.x[i]!),
    y: matches.map((i) => projection.y[i]!),
    marker: { symbol: 'circle-open', size: size + (lone ? 12 : 6), color: colors.foreground, line: { width: lone ? 2.5 : 1.5 } },
    hoverinfo: 'skip',
  };
  // WebGL like the points: an SVG trace would be painted beneath the scattergl canvas. The A/B
  // letters are annotations, which plotly draws above every layer.
  const picked = {
    type: 'scattergl',
    mode: 'markers',
    x: picks.map((i) => projection.x[i]!),
    y: picks.map((i) => projection.y[i]!),
    marker: { symbol: 'x', size: 14, color: colors.accent },
    hoverinfo: 'skip',
  };
  const pickLabels = picks.map((i, n) => ({
    x: projection.x[i]!,
    y: projection.y[i]!,
    text: 'AB'[n]!,
    showarrow: false,
    yshift: 16,
    font: { color: colors.accent, size: 14 },
  }));
  const [xTitle, yTitle] = axisTitles(projection);
  const theme = themedLayout();
  return {
    data: [points, ringed, picked] as Data[],
    layout: {
      ...theme,
      xaxis: { ...theme.xaxis, title: { text: xTitle } },
      yaxis: { ...theme.yaxis, title: { text: yTitle } },
      margin: { l: 48, r: 8, t: 8, b: 40 },
      showlegend: false,
      annotations: pickLabels,
      dragmode: 'zoom',
      hovermode: 'closest',
      // Same projection, same view: restyling (color, search) keeps the user's zoom.
      uirevision: `${projection.method}:${projection.dims?.join(',') ?? ''}`,
    },
  };
}
