/**
 * Compare Runs: two opened runs on one page — their facts and final losses in a table, their loss
 * curves overlaid (A solid, B dashed, one color per term), and their latent maps side by side.
 */
import type { ProjectionMethod } from '../../../../shared/protocol';
import type { RpcClient } from '../../../../shared/rpc';
import { Signal } from '../../signal';
import { el } from '../../../common/ui/dom';
import type { StateStore } from '../../uiState';
import { LossChart, type LossCurve } from '../lossChart';
import { View } from '../view';
import { ComparedMaps } from './comparedMaps';
import { metricsTable } from './metricsTable';
import type { Run } from './runs';

/** The overlaid terms: enough to see which run learns faster and which generalises better. */
const CURVE_TERMS = ['loss', 'val_loss'];

export class CompareView extends View {
  /** The status line's text: point counts, or the hovered sample. */
  readonly status = new Signal('');
  private readonly chart: LossChart;
  private readonly maps: ComparedMaps;

  constructor(client: RpcClient, state: StateStore, runs: Run[], method: ProjectionMethod) {
    super('compare-view');
    this.chart = new LossChart(state);
    this.chart.show(runCurves(runs));
    this.maps = new ComparedMaps(client, runs, method, this.status);
    this.onDispose(
      () => this.chart.dispose(),
      () => this.maps.dispose(),
    );
    this.element.append(
      el('div', { class: 'compare-top' }, [section('Metrics', metricsTable(runs)), section('Loss curves', this.chart.element)]),
      section('Latent maps', this.maps.element),
    );
  }

  shown(): void {
    this.chart.resize();
    this.maps.shown();
  }
}

function runCurves(runs: Run[]): LossCurve[] {
  return runs.flatMap((run, index) =>
    CURVE_TERMS.flatMap((term, color) => {
      const entries = run.session.history.filter((entry) => entry[term] !== undefined);
      if (entries.length === 0) return [];
      return [{ name: `${run.letter} ${term}`, x: entries.map((entry) => entry.epoch ?? 0), y: entries.map((entry) => entry[term]!), color, dashed: index > 0, markers: true }];
    }),
  );
}

function section(title: string, content: HTMLElement): HTMLElement {
  return el('section', { class: 'compare-section' }, [el('h2', {}, [title]), content]);
}
