/**
 * The partial Plotly bundle: core plus exactly the trace the panel's charts draw (SVG scatter; the
 * latent map is drawn by map/scatterMap.ts).
 */
import type { Config } from 'plotly.js';
import Plotly from 'plotly.js/lib/core';
import scatter from 'plotly.js/lib/scatter';

Plotly.register([scatter]);

/** Every chart's options. Downloads cannot leave a webview; exports go through the host instead. */
export const plotConfig: Partial<Config> = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage'] };

export { Plotly };
export type { Config, Data, Layout, PlotlyHTMLElement, PlotMouseEvent, PlotRelayoutEvent, PlotSelectionEvent } from 'plotly.js';
