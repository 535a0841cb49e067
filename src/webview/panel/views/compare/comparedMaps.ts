/**
 * The runs' latent maps next to each other with one label legend. Runs of the same data encode the
 * same samples in the same order, so a sample hovered in one map is ringed in every map; runs whose
 * sample counts differ encoded different data, and the page says so instead of linking them.
 */
import type { ProjectionMethod } from '../../../../shared/protocol';
import { formatCount, formatValue, plural } from '../../../common/format';
import type { RpcClient } from '../../../../shared/rpc';
import type { Signal } from '../../signal';
import { notice } from '../../../common/ui/controls';
import { el } from '../../../common/ui/dom';
import { labelText } from '../../../common/map/labels';
import { labelLegend } from '../../../common/map/legend';
import { RunMap } from './runMap';
import type { Run } from './runs';

export class ComparedMaps {
  readonly element: HTMLElement;
  private readonly maps: RunMap[];
  private started = false;

  constructor(client: RpcClient, private readonly runs: Run[], private readonly method: ProjectionMethod, private readonly status: Signal<string>) {
    const linked = runs.every((run) => run.session.count === runs[0]!.session.count);
    this.maps = runs.map((run) => new RunMap(client, run, linked ? (index) => this.hover(index) : undefined));
    const labelled = runs.find((run) => run.session.labels);
    this.element = el('div', { class: 'compare-maps-section' }, [
      linked ? undefined : notice(`The runs encode different data (${runs.map((run) => `${run.letter}: ${plural(run.session.count, 'sample')}`).join(', ')}), so hovering a point does not link the maps.`),
      el('div', { class: 'compare-maps' }, [...this.maps.map((map) => map.element), labelled && labelLegend(labelled.session)]),
    ]);
    status.set(`${runs.map((run) => `${run.letter}: ${formatCount(run.session.count)} points`).join(' · ')} · colored by ${labelled ? 'label' : 'reconstruction error'}`);
  }

  /** The maps project once, when the page is first on screen and they can measure themselves. */
  shown(): void {
    if (this.started) {
      for (const map of this.maps) map.resize();
      return;
    }
    this.started = true;
    for (const map of this.maps) void map.start(this.method);
  }

  dispose(): void {
    for (const map of this.maps) map.dispose();
  }

  private hover(index: number): void {
    for (const map of this.maps) map.highlight([index]);
    const label = labelText(this.runs[0]!.session, index);
    const errors = this.runs.flatMap((run) => (run.session.reconstructionError ? [`${run.letter} ${formatValue(run.session.reconstructionError[index]!)}`] : [])).join(', ');
    this.status.set([`#${index}`, label === undefined ? undefined : `label ${label}`, errors ? `reconstruction error ${errors}` : undefined].filter(Boolean).join(' · '));
  }
}
