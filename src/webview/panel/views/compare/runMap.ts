/**
 * One run's latent map on the compare page: the explorer's map with every point, colored by label,
 * without the explorer's controls. The samples the page highlights are ringed.
 */
import type { ProjectionMethod } from '../../../../shared/protocol';
import { failureText, formatPercent } from '../../../common/format';
import type { RpcClient } from '../../../../shared/rpc';
import { notice } from '../../../common/ui/controls';
import { el, show } from '../../../common/ui/dom';
import { coloring } from '../../../common/map/mapColoring';
import { ScatterMap } from '../../../common/map/scatterMap';
import { methodFor, methodNames, type Projection, rawProjection } from '../../../common/map/projection';
import { engineProjection, type RunningProjection } from '../map/engineProjection';
import type { Run } from './runs';

export class RunMap {
  private readonly map: ScatterMap;
  private readonly message = el('div', { class: 'view-message' });
  readonly element: HTMLElement;
  private running: RunningProjection | undefined;

  /** `onHover` hears the sample index under the pointer. */
  constructor(private readonly client: RpcClient, private readonly run: Run, onHover?: (index: number) => void) {
    this.map = new ScatterMap({ ...(onHover ? { hover: onHover } : {}) }, { wheelZoom: true, tools: false });
    this.map.element.setAttribute('data-run', run.letter);
    this.element = el('figure', { class: 'compare-map' }, [el('figcaption', {}, [run.title]), this.message, this.map.element]);
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
    this.map.mark({ matches: indices });
  }

  resize(): void {
    this.map.resize();
  }

  dispose(): void {
    this.running?.cancel();
    this.running = undefined;
    this.map.dispose();
  }

  private drawProjection(projection: Projection): void {
    show(this.message, projection.note ? notice(projection.note) : undefined);
    // Colored by label where the run has labels; coloring() falls back to reconstruction error.
    this.map.show(projection, coloring(this.run.session, 'label', 0)).catch((error: unknown) => show(this.message, notice(failureText('Drawing the map failed', error), 'error')));
  }
}
