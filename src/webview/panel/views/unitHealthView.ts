/**
 * How a run's units fared while it trained, from the unit health it recorded each epoch: KL per
 * dim (posterior collapse), activation frequency (dead k-sparse units), code usage (codebook
 * collapse), whichever the run has. While the tab is on screen it asks for epochs recorded since
 * the last one every couple of seconds, so a run still training extends its heatmaps.
 */
import type { ResultOf } from '../../../shared/protocol';
import { failureText } from '../../common/format';
import { notice } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import type { Explore } from './explore';
import { HealthHeatmap, healthMetrics, type HealthField } from './healthHeatmap';
import { openTab, whenInTab } from './tabSwitch';
import { View } from './view';

const POLL_MS = 2000;

type Timeline = ResultOf<'timeline'>;

export class UnitHealthView extends View {
  private readonly message = el('div', { class: 'view-message' });
  private readonly charts = el('div', { class: 'health-charts' });
  private readonly heatmaps = new Map<HealthField, HealthHeatmap>();
  private readonly values = new Map<HealthField, Float32Array>();
  private epochs: number[] = [];
  private started = false;
  /** Set while a timeline request or the wait before the next one is under way. */
  private polling = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly explore: Explore) {
    super('health-view');
    this.element.append(this.message, this.charts);
    this.onDispose(() => {
      this.disposed = true;
      clearTimeout(this.timer);
      for (const heatmap of this.heatmaps.values()) heatmap.dispose();
    });
  }

  shown(): void {
    for (const heatmap of this.heatmaps.values()) heatmap.resize();
    if (!this.started) {
      this.started = true;
      void this.load();
    } else if (this.epochs.length > 0 && !this.polling) this.poll();
  }

  private async load(): Promise<void> {
    show(this.message, notice('Reading the unit health the run recorded…', 'busy'));
    let timeline: Timeline;
    try {
      timeline = await this.request();
    } catch (error) {
      show(this.message, notice(failureText('Reading the timeline failed', error), 'error'));
      return;
    }
    if (this.disposed) return;
    if (timeline.reason) return show(this.message, notice(`No unit health to show: ${timeline.reason}.`));
    const recorded = healthMetrics.filter((metric) => timeline[metric.field]);
    if (recorded.length === 0) return show(this.message, notice(`The run recorded ${timeline.epochs.length === 0 ? 'no epochs yet' : 'no unit health'}: only VAEs, k-sparse models and VQ-VAEs have units whose health it tracks.`));
    show(this.message);
    for (const metric of recorded) {
      const heatmap = new HealthHeatmap(metric, (unit) => this.openUnit(metric.opens, unit));
      this.heatmaps.set(metric.field, heatmap);
      this.charts.append(heatmap.element);
    }
    this.extend(timeline);
    this.poll();
  }

  private request(): Promise<Timeline> {
    const { client, session } = this.explore;
    const after = this.epochs.at(-1);
    return client.request('timeline', { sessionId: session.sessionId, ...(after === undefined ? {} : { after }) }).result;
  }

  /** Adds a request's epochs to what is shown. */
  private extend(timeline: Timeline): void {
    if (timeline.epochs.length === 0) return;
    this.epochs = [...this.epochs, ...timeline.epochs];
    for (const [field, heatmap] of this.heatmaps) {
      const fresh = timeline[field];
      if (!fresh) continue;
      const old = this.values.get(field) ?? new Float32Array(0);
      const grown = new Float32Array(old.length + fresh.length);
      grown.set(old);
      grown.set(fresh, old.length);
      this.values.set(field, grown);
      heatmap.show(this.epochs, grown);
    }
  }

  /** Polls only while the tab is the one shown; `shown` starts it again. */
  private poll(): void {
    this.polling = true;
    this.timer = setTimeout(() => void this.tick(), POLL_MS);
  }

  private async tick(): Promise<void> {
    if (this.disposed || !this.onScreen()) {
      this.polling = false;
      return;
    }
    // A webview VS Code has put in the background gets no `shown` when it returns, so it keeps the timer and skips the request.
    if (document.visibilityState !== 'visible') return this.poll();
    try {
      const timeline = await this.request();
      if (this.disposed) return;
      this.extend(timeline);
      this.poll();
    } catch (error) {
      this.polling = false;
      show(this.message, notice(failureText('Reading new epochs failed; showing those read so far', error), 'error'));
    }
  }

  private onScreen(): boolean {
    return this.element.isConnected && !this.element.closest('[hidden]');
  }

  /**
   * A latent dim opens in Traversal, around the picked point (the first sample when none is picked,
   * since traversal needs one), its slider focused; a code opens among the features, its top samples shown.
   */
  private openUnit(tab: 'traversal' | 'features', unit: number): void {
    const { state } = this.explore;
    if (tab === 'traversal') {
      if (state.value.picks.length === 0) state.update({ picks: [0] });
      openTab(this.element, 'traversal');
      whenInTab(this.element, 'traversal', `input[data-dim="${unit}"]`, (slider) => {
        slider.scrollIntoView({ block: 'center' });
        slider.focus();
      });
    } else {
      openTab(this.element, 'features');
      whenInTab(this.element, 'features', `.feature-tile[data-feature="${unit}"]`, (tile) => {
        tile.scrollIntoView({ block: 'center' });
        tile.focus();
        tile.click();
      });
    }
  }
}
