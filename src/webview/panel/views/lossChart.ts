/**
 * Loss curves over epochs in one Plotly chart, with the log-scale switch the saved state keeps:
 * the training dashboard and Compare Runs both draw with it and differ only in how they style
 * their curves.
 */
import { failureText } from '../../common/format';
import { LatestOnly } from '../latestOnly';
import { type Data, drawChart, Plotly, type PlotlyHTMLElement } from '../../common/plot/plotly';
import { onThemeChange, themedLayout } from '../../common/plot/theme';
import { categoryColor } from '../../common/render/palette';
import { checkbox, notice } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import type { StateStore } from '../uiState';

export interface LossCurve {
  /** The legend entry. */
  name: string;
  x: number[];
  y: number[];
  /** Palette slot: one term keeps one color across its lines. */
  color: number;
  dashed: boolean;
  markers: boolean;
}

export class LossChart {
  private readonly plotHost = el('div', { class: 'training-plot' });
  private readonly message = el('div', { class: 'view-message' });
  readonly element: HTMLElement;
  private readonly redraw = new LatestOnly<null>(() => this.draw(), (error) => show(this.message, notice(failureText('Drawing the curves failed', error), 'error')));
  private readonly cleanups: (() => void)[];
  private curves: LossCurve[] = [];
  private plot: PlotlyHTMLElement | undefined;
  private revision = 0;

  constructor(private readonly state: StateStore) {
    const logScale = checkbox('log scale', state.value.logScale, (checked) => state.update({ logScale: checked }));
    this.element = el('div', { class: 'loss-chart' }, [el('div', { class: 'toolbar' }, [logScale]), this.plotHost, this.message]);
    this.cleanups = [
      state.subscribe((_, changed) => {
        if ('logScale' in changed) this.redraw.push(null);
      }),
      onThemeChange(() => this.redraw.push(null)),
    ];
  }

  /** Draws these curves; a live run passes the same arrays again after growing them. */
  show(curves: LossCurve[]): void {
    this.curves = curves;
    this.redraw.push(null);
  }

  resize(): void {
    if (this.plot) Plotly.Plots.resize(this.plot);
  }

  dispose(): void {
    for (const cleanup of this.cleanups) cleanup();
    if (this.plot) Plotly.purge(this.plot);
  }

  private async draw(): Promise<void> {
    if (this.curves.length === 0) return;
    const data = this.curves.map((curve) => ({
      type: 'scatter',
      mode: curve.markers ? 'lines+markers' : 'lines',
      name: curve.name,
      x: curve.x,
      y: curve.y,
      line: { color: categoryColor(curve.color), dash: curve.dashed ? 'dash' : 'solid', width: 2 },
    })) as Data[];
    // A log axis drops values ≤ 0 without a word (a VAE's KL term can be 0, some ELBO terms are negative).
    const unloggable = this.curves.filter((curve) => curve.y.some((value) => value <= 0)).map((curve) => curve.name);
    const logAxis = this.state.value.logScale && unloggable.length === 0;
    show(this.message, ...(this.state.value.logScale && !logAxis ? [notice(`Linear axis: ${unloggable.join(', ')} reach zero or below, which a log scale cannot show.`)] : []));
    const theme = themedLayout();
    const lastEpoch = Math.max(...this.curves.map((curve) => curve.x.at(-1) ?? 0));
    const layout = {
      ...theme,
      // Short runs tick every epoch; automatic ticks would put fractional epochs between them.
      xaxis: { ...theme.xaxis, title: { text: 'epoch' }, ...(lastEpoch <= 10 ? { dtick: 1 } : {}) },
      yaxis: { ...theme.yaxis, type: logAxis ? ('log' as const) : ('linear' as const) },
      margin: { l: 56, r: 8, t: 8, b: 40 },
      legend: { orientation: 'h' as const, y: 1.02, yanchor: 'bottom' as const, x: 0 },
      uirevision: 'loss',
      // Live curves grow in place; a new revision tells Plotly to re-read them and re-fit the axes.
      datarevision: ++this.revision,
    };
    this.plot = await drawChart(this.plot, this.plotHost, data, layout);
  }
}
