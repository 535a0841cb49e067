/**
 * One unit-health measure over the epochs a run recorded, as a heatmap with a row per unit: a row
 * going dark is a unit dying (a collapsed VAE dim, a dead k-sparse atom, an unused code). Where a
 * unit died is marked on its row, with the rule stated beside the chart; a row's click, or its
 * button in the list of dead units, opens that unit in the tab that shows it.
 */
import { failureText, formatCount, formatPercent, formatValue, plural } from '../../common/format';
import { type Data, drawChart, Plotly, type PlotlyHTMLElement } from '../../common/plot/plotly';
import { onThemeChange, themedLayout } from '../../common/plot/theme';
import { button, notice } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import { LatestOnly } from '../latestOnly';
import type { ViewName } from '../uiState';
import { deathEpochs } from './unitDeaths';

export type HealthField = 'klPerDim' | 'unitFrequency' | 'codeUsage';

export interface HealthMetric {
  field: HealthField;
  title: string;
  /** The y axis: what a row is. */
  axis: string;
  unitName(unit: number): string;
  /** The value in a hover, with its unit. */
  format(value: number): string;
  /** KL spans decades, and a collapsed dim sits decades below a live one; shares read linearly. */
  logColor: boolean;
  isDead(value: number): boolean;
  rule: string;
  /** The tab a unit opens in: a latent dim's traversal, or a code among the features. */
  opens: Extract<ViewName, 'traversal' | 'features'>;
}

/** The traversal tab's threshold for an active VAE dim, so a dim dead here is inactive there. */
const ACTIVE_KL = 0.01;
/** The darkest KL the color scale tells apart; below it a dim is long dead. */
const KL_FLOOR = 1e-3;
/** The KL color bar's ticks, 1-2-5 per decade: a run whose KL spans less than a decade still gets several. */
const KL_TICKS = [1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500];

export const healthMetrics: HealthMetric[] = [
  {
    field: 'klPerDim',
    title: 'KL to the prior per latent dim (posterior collapse)',
    axis: 'latent dim',
    unitName: (unit) => `z${unit}`,
    format: (kl) => `KL ${formatValue(kl)} nats`,
    logColor: true,
    isDead: (kl) => kl < ACTIVE_KL,
    rule: `A dim collapsed at the first epoch from which its KL stays below ${ACTIVE_KL} nats through the last recorded epoch: from then on its value tells the decoder nothing.`,
    opens: 'traversal',
  },
  {
    field: 'unitFrequency',
    title: 'Activation frequency per unit (dead units)',
    axis: 'unit',
    unitName: (unit) => `z${unit}`,
    format: (share) => `fires for ${formatPercent(share)} of probes`,
    logColor: false,
    isDead: (share) => share === 0,
    rule: 'A unit died at the first epoch from which it fires for no probe sample through the last recorded epoch.',
    opens: 'traversal',
  },
  {
    field: 'codeUsage',
    title: 'Code usage (codebook collapse)',
    axis: 'code',
    unitName: (unit) => `code ${unit}`,
    format: (share) => `${formatPercent(share)} of code positions`,
    logColor: false,
    isDead: (share) => share === 0,
    rule: 'A code died at the first epoch from which no probe position uses it through the last recorded epoch.',
    opens: 'features',
  },
];

/** Past this many dead units the list stops; their rows still open them. */
const DEAD_LISTED = 48;
const ROW_PX = 16;
/** The death mark is drawn on the color scale, not on the page, so it keeps one color in every theme. */
const DEATH_MARK = '#ff3b30';

export class HealthHeatmap {
  readonly element: HTMLElement;
  private readonly plotHost = el('div', { class: 'health-plot' });
  private readonly summary = el('p', { class: 'health-summary' });
  private readonly deadList = el('div', { class: 'health-dead' });
  private readonly message = el('div', { class: 'view-message' });
  private readonly redraw = new LatestOnly<null>(() => this.draw(), (error) => show(this.message, notice(failureText('Drawing the heatmap failed', error), 'error')));
  private readonly stopThemeWatch: () => void;
  private plot: PlotlyHTMLElement | undefined;
  private epochs: number[] = [];
  private values: Float32Array = new Float32Array(0);
  private units = 0;
  /** The tab a unit opens in, as its header reads. */
  private readonly tab: string;

  constructor(private readonly metric: HealthMetric, private readonly open: (unit: number) => void) {
    this.tab = metric.opens === 'traversal' ? 'Traversal' : 'Features';
    this.element = el('section', { class: 'health-section', attrs: { 'data-field': metric.field } }, [
      el('h3', {}, [metric.title]),
      el('p', { class: 'hint' }, [metric.rule, ` Click a row to open that ${metric.axis} in ${this.tab}.`]),
      this.summary,
      this.message,
      this.plotHost,
      this.deadList,
    ]);
    this.stopThemeWatch = onThemeChange(() => this.redraw.push(null));
  }

  /** `values` is [epochs, units] row-major; a live run passes the grown arrays again. */
  show(epochs: number[], values: Float32Array): void {
    this.epochs = epochs;
    this.values = values;
    this.units = epochs.length === 0 ? 0 : values.length / epochs.length;
    this.redraw.push(null);
  }

  resize(): void {
    if (this.plot) Plotly.Plots.resize(this.plot);
  }

  dispose(): void {
    this.stopThemeWatch();
    if (this.plot) Plotly.purge(this.plot);
  }

  private async draw(): Promise<void> {
    const { metric, epochs, values, units } = this;
    if (units === 0) return;
    const deaths = deathEpochs(values, epochs, units, metric.isDead);
    const dead = deaths.flatMap((epoch, unit) => (epoch === undefined ? [] : [{ unit, epoch }]));
    this.drawSummary(dead);
    const rows = Array.from({ length: units }, (_, unit) => epochs.map((_, row) => values[row * units + unit]!));
    const heatmap = {
      type: 'heatmap',
      x: epochs,
      y: rows.map((_, unit) => unit),
      z: metric.logColor ? rows.map((row) => row.map((value) => Math.log10(Math.max(value, KL_FLOOR)))) : rows,
      text: rows.map((row) => row.map(metric.format)),
      hovertemplate: `${metric.axis} %{y} · epoch %{x}<br>%{text}<extra></extra>`,
      colorscale: 'Viridis',
      zmin: metric.logColor ? Math.log10(KL_FLOOR) : 0,
      colorbar: metric.logColor
        ? { title: { text: 'KL, nats' }, tickvals: KL_TICKS.map(Math.log10), ticktext: KL_TICKS.map((kl) => (kl === ACTIVE_KL ? `${kl} dead below` : kl === KL_FLOOR ? `≤${kl}` : String(kl))) }
        : { title: { text: 'share' }, tickformat: '.0%' },
    };
    const marks = {
      type: 'scatter',
      mode: 'markers',
      name: 'died',
      x: dead.map(({ epoch }) => epoch),
      y: dead.map(({ unit }) => unit),
      marker: { symbol: 'x', size: 10, color: DEATH_MARK, line: { width: 1, color: '#ffffff' } },
      hovertemplate: `${metric.axis} %{y} dead from epoch %{x}<extra></extra>`,
    };
    const theme = themedLayout();
    const layout = {
      ...theme,
      height: Math.min(520, Math.max(200, units * ROW_PX + 80)),
      // Fixed ranges: the death marks would otherwise pad the axes past the first and last rows.
      xaxis: { ...theme.xaxis, title: { text: 'epoch' }, range: [epochs[0]! - 0.5, epochs.at(-1)! + 0.5] as [number, number], ...(epochs.length <= 20 ? { dtick: 1 } : {}) },
      yaxis: { ...theme.yaxis, title: { text: metric.axis }, range: [units - 0.5, -0.5] as [number, number], ...(units <= 32 ? { dtick: 1 } : {}) },
      margin: { l: 56, r: 8, t: 8, b: 40 },
      showlegend: false,
      datarevision: epochs.length,
    };
    this.plot = await drawChart(this.plot, this.plotHost, [heatmap, marks] as Data[], layout, (event) => {
      const unit = event.points[0]?.y;
      if (typeof unit === 'number') this.open(unit);
    });
  }

  private drawSummary(dead: { unit: number; epoch: number }[]): void {
    const { metric, units, epochs } = this;
    show(this.summary, `${plural(units, metric.axis)} over ${plural(epochs.length, 'recorded epoch')} · ${formatCount(dead.length)} dead at epoch ${epochs.at(-1)}`);
    show(
      this.deadList,
      ...dead.slice(0, DEAD_LISTED).map(({ unit, epoch }) => {
        const open = button(`${metric.unitName(unit)} · dead from epoch ${epoch}`, () => this.open(unit), { secondary: true, title: `Open ${metric.unitName(unit)} in ${this.tab}` });
        open.dataset.unit = String(unit);
        return open;
      }),
      dead.length > DEAD_LISTED && el('span', { class: 'hint' }, [`and ${formatCount(dead.length - DEAD_LISTED)} more — their rows open them too`]),
    );
  }
}
