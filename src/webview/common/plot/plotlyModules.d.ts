// plotly.js types its full entry point only; these are the source modules the partial bundle imports.
declare module 'plotly.js/lib/core' {
  import Plotly from 'plotly.js';
  export default Plotly;
}
declare module 'plotly.js/lib/scatter' {
  import type { PlotlyModule } from 'plotly.js';
  const module: PlotlyModule;
  export default module;
}
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
