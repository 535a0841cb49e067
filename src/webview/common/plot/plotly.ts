/**
 * The partial Plotly bundle: core plus exactly the traces the panel's charts draw (SVG scatter for
 * curves, bar for the mean error per class, heatmap for unit health; the latent map is drawn by
 * map/scatterMap.ts).
 */
import type { Config } from 'plotly.js';
import bar from 'plotly.js/lib/bar';
import Plotly from 'plotly.js/lib/core';
import heatmap from 'plotly.js/lib/heatmap';
import scatter from 'plotly.js/lib/scatter';

Plotly.register([scatter, bar, heatmap]);

/** Every chart's options. Downloads cannot leave a webview; exports go through the host instead. */
export const plotConfig: Partial<Config> = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage'] };

export { Plotly };
export type { Config, Data, Layout, PlotlyHTMLElement, PlotMouseEvent, PlotRelayoutEvent, PlotSelectionEvent } from 'plotly.js';
