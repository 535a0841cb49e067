/**
 * The partial Plotly bundle: core plus exactly the traces the panel's charts draw (SVG scatter for
 * curves, bar for the mean error per class, heatmap for unit health; the latent map is drawn by
 * map/scatterMap.ts).
 */
import type { Config, Data, Layout, PlotlyHTMLElement, PlotMouseEvent } from 'plotly.js';
import bar from 'plotly.js/lib/bar';
import Plotly from 'plotly.js/lib/core';
import heatmap from 'plotly.js/lib/heatmap';
import scatter from 'plotly.js/lib/scatter';

Plotly.register([scatter, bar, heatmap]);

/** Every chart's options. Downloads cannot leave a webview; exports go through the host instead. */
export const plotConfig: Partial<Config> = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage'] };

/**
 * Draws a chart into `host` the first time and updates that chart in place after (Plotly.react
 * keeps its listeners and, with uirevision, the user's zoom); `onClick` is wired once, when it is made.
 */
export async function drawChart(plot: PlotlyHTMLElement | undefined, host: HTMLElement, data: Data[], layout: Partial<Layout>, onClick?: (event: PlotMouseEvent) => void): Promise<PlotlyHTMLElement> {
  if (plot) return Plotly.react(plot, data, layout, plotConfig);
  const made = await Plotly.newPlot(host, data, layout, plotConfig);
  if (onClick) made.on('plotly_click', onClick);
  return made;
}

export { Plotly };
export type { Config, Data, Layout, PlotlyHTMLElement, PlotMouseEvent, PlotRelayoutEvent, PlotSelectionEvent } from 'plotly.js';
