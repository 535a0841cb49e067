/**
 * One run's latent map on the compare page: the explorer's map figure with every point, colored
 * by label, without the explorer's controls. The samples the page highlights are ringed.
 */
import type { ProjectionMethod } from '../../../../shared/protocol';
import { failureText, formatPercent } from '../../../common/format';
import type { RpcClient } from '../../../../shared/rpc';
import { LatestOnly } from '../../latestOnly';
import { Plotly, type PlotlyHTMLElement } from '../../../common/plot/plotly';
import { redrawAfterContextLoss } from '../../../common/plot/lostContext';
import { onThemeChange } from '../../../common/plot/theme';
import { notice } from '../../../common/ui/controls';
import { el, show } from '../../../common/ui/dom';
import { type Coloring, coloring, mapFigure, mapPlotConfig } from '../../../common/map/mapFigure';
import { methodFor, methodNames, type Projection, rawProjection } from '../../../common/map/projection';
import { engineProjection, type RunningProjection } from '../map/engineProjection';
import type { Run } from './runs';

export class RunMap {
  private readonly plotHost: HTMLElement;
  private readonly message = el('div', { class: 'view-message' });
  readonly element: HTMLElement;
  private readonly coloring: Coloring;
  private readonly redraw = new LatestOnly<null>(() => this.draw(), (error) => show(this.message, notice(failureText('Drawing the map failed', error), 'error')));
  private readonly stopWatchingTheme: () => void;
  private projection: Projection | undefined;
  private running: RunningProjection | undefined;
  private plot: PlotlyHTMLElement | undefined;
  private highlighted: number[] = [];
  private stopWatchingContext: (() => void) | undefined;

  /** `onHover` hears the sample index under the pointer. */
  constructor(private readonly client: RpcClient, private readonly run: Run, private readonly onHover?: (index: number) => void) {
    this.plotHost = el('div', { class: 'map-plot', attrs: { 'data-run': run.letter } });
    this.coloring = coloring(run.session, 'label', 0);
    this.element = el('figure', { class: 'compare-map' }, [el('figcaption', {}, [run.title]), this.message, this.plotHost]);
    this.stopWatchingTheme = onThemeChange(() => this.redraw.push(null));
  }

  /** Projects every latent — its raw dims where it has at most three, else with `method` — and draws them. */
  async start(method: ProjectionMethod): Promise<void> {
    const { session } = this.run;
    const chosen = methodFor(session.latentDim, method);
    if (chosen === 'raw') {
      this.drawProjection(rawProjection(session, [0, Math.min(1, session.latentDim - 1)]));
      return;
    }
    const name = methodNames[chosen];
    // Progress may still arrive after the page moved on; only the current run shows it.
    const running: RunningProjection = engineProjection(this.client, session, chosen, (fraction, stage) => {
      if (this.running === running) show(this.message, notice(`${name}: ${stage} (${formatPercent(fraction)})`, 'busy'));
    });
    this.running = running;
    show(this.message, notice(`${name}: starting…`, 'busy'));
    try {
      const projection = await running.result;
      if (this.running === running) this.drawProjection(projection);
    } catch (error) {
      if (this.running === running) show(this.message, notice(failureText(`${name} failed`, error), 'error'));
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  /** Rings these samples (an empty list clears the rings). */
  highlight(indices: number[]): void {
    this.highlighted = indices;
    if (this.projection) this.redraw.push(null);
  }

  resize(): void {
    if (this.plot) Plotly.Plots.resize(this.plot);
  }

  dispose(): void {
    this.running?.cancel();
    this.running = undefined;
    this.stopWatchingTheme();
    this.stopWatchingContext?.();
    if (this.plot) Plotly.purge(this.plot);
  }

  private drawProjection(projection: Projection): void {
    this.projection = projection;
    show(this.message, projection.note ? notice(projection.note) : undefined);
    this.redraw.push(null);
  }

  private async draw(): Promise<void> {
    const projection = this.projection;
    if (!projection) return;
    const figure = mapFigure({ projection, coloring: this.coloring, matches: this.highlighted, picks: [], selection: [] });
    if (this.plot) {
      await Plotly.react(this.plot, figure.data, figure.layout, mapPlotConfig);
      return;
    }
    const plot = await Plotly.newPlot(this.plotHost, figure.data, figure.layout, mapPlotConfig);
    this.plot = plot;
    this.stopWatchingContext = redrawAfterContextLoss(plot, mapPlotConfig);
    const onHover = this.onHover;
    if (onHover) {
      plot.on('plotly_hover', (event) => {
        const point = event.points.find((candidate) => candidate.curveNumber === 0);
        if (point) onHover(point.pointIndex);
      });
    }
  }
}
