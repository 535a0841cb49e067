/**
 * The partial Plotly bundle: core plus exactly the traces the panel draws. scattergl comes in its
 * strict flavour, which runs precompiled regl shaders instead of generating code with
 * `new Function` — the webview's CSP has no 'unsafe-eval'.
 */
import type { Config } from 'plotly.js';
import Plotly from 'plotly.js/lib/core';
import scatter from 'plotly.js/lib/scatter';
import scattergl from 'plotly.js/src/traces/scattergl/strict';

Plotly.register([scatter, scattergl]);

/** Every chart's options. Downloads cannot leave a webview; exports go through the host instead. */
export const plotConfig: Partial<Config> = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage'] };

export { Plotly };
export type { Config, Data, Layout, PlotlyHTMLElement, PlotMouseEvent, PlotRelayoutEvent, PlotSelectionEvent } from 'plotly.js';
