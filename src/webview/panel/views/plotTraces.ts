/**
 * The bar and heatmap traces, added to the partial Plotly bundle by the views that draw them (the
 * mean error per class, unit health over epochs); importing this module registers them once.
 */
import bar from 'plotly.js/lib/bar';
import heatmap from 'plotly.js/lib/heatmap';
import { Plotly } from '../../common/plot/plotly';

Plotly.register([bar, heatmap]);

export { Plotly };
