// plotly.js types its full entry point only; the trace modules the debugging views add to the partial bundle.
declare module 'plotly.js/lib/bar' {
  import type { PlotlyModule } from 'plotly.js';
  const module: PlotlyModule;
  export default module;
}
declare module 'plotly.js/lib/heatmap' {
  import type { PlotlyModule } from 'plotly.js';
  const module: PlotlyModule;
  export default module;
}
