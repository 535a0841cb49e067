/**
 * Training curves: live from a run's progress events (with its speed, ETA and a cancel button), or
 * from a checkpoint's saved history when exploring. Each loss term is a line over epochs; its
 * validation counterpart is dashed in the same colour.
 */
import type { Progress, TrainParams, TrainResult } from '../../shared/protocol';
import { failureText, formatCount, formatDuration, formatValue } from '../format';
import { vscodeApi } from '../host/vscodeApi';
import { LatestOnly } from '../latestOnly';
import { type Data, Plotly, type PlotlyHTMLElement } from '../plot/plotly';
import { onThemeChange, themedLayout } from '../plot/theme';
import { categoryColour } from '../render/palette';
import { button, checkbox, notice } from '../ui/controls';
import { el, show } from '../ui/dom';
import type { StateStore } from '../uiState';
import { View } from './view';

type Terms = Record<string, number>;
const VALIDATION = 'val_';

export interface LiveRun {
  params: TrainParams;
  /** Switches the panel to exploring the checkpoint the run wrote. */
  explore(checkpoint: string): void;
}

export class TrainingView extends View {
  private readonly heading = el('div', { class: 'training-heading' });
  private readonly stats = el('div', { class: 'training-stats', attrs: { 'aria-live': 'polite' } });
  private readonly outcome = el('div', { class: 'training-outcome' });
  private readonly plotHost = el('div', { class: 'training-plot' });
  private readonly curves = new Map<string, { x: number[]; y: number[] }>();
  private readonly redraw = new LatestOnly<null>(() => this.draw(), (error) => show(this.outcome, notice(failureText('Drawing the curves failed', error), 'error')));
  private readonly progressBar = el('vscode-progress-bar', { max: 100, attrs: { 'aria-label': 'Training progress' } });
  private readonly cancelButton = button('Cancel training', () => this.cancel(), { secondary: true });
  private plot: PlotlyHTMLElement | undefined;
  private revision = 0;

  constructor(private readonly state: StateStore, private readonly run?: LiveRun) {
    super('training-view');
    const logScale = checkbox('log scale', state.value.logScale, (checked) => state.update({ logScale: checked }));
    this.onDispose(
      state.subscribe((_, changed) => {
        if ('logScale' in changed) this.redraw.push(null);
      }),
      onThemeChange(() => this.redraw.push(null)),
    );
    if (run) {
      const { params } = run;
      show(this.heading, el('h2', {}, [`Training ${params.model} on ${params.data}`]), this.cancelButton);
      show(this.stats, notice('Starting…', 'busy'));
      this.element.append(this.heading, this.progressBar, this.stats);
    }
    this.element.append(el('div', { class: 'toolbar' }, [logScale]), this.plotHost, this.outcome);
  }

  /** Shows a finished run's per-epoch history (a checkpoint's, when exploring). */
  showHistory(history: Terms[]): void {
    for (const entry of history) {
      for (const [name, value] of Object.entries(entry)) if (name !== 'epoch') this.point(name, entry.epoch ?? 0, value);
    }
    if (!this.run) {
      const last = history.at(-1);
      show(this.stats, history.length === 0 ? notice('This checkpoint has no training history.') : `${formatCount(history.length)} epochs · ${summary(last ?? {})}`);
      this.element.prepend(this.stats);
    }
    this.redraw.push(null);
  }

  progress(progress: Progress): void {
    const { epoch, epochs, batch, batches } = progress;
    if (progress.phase === 'batch') {
      // Batch terms are running means over the epoch so far, placed at the fraction of the epoch done.
      for (const [name, value] of Object.entries(progress.terms)) this.point(name, epoch - 1 + batch / Math.max(1, batches), value);
    } else {
      for (const [name, value] of Object.entries(progress.validation ?? {})) this.point(`${VALIDATION}${name}`, epoch, value);
    }
    this.progressBar.value = Math.round((100 * (epoch - 1 + batch / Math.max(1, batches))) / epochs);
    show(this.stats, `epoch ${epoch}/${epochs} · batch ${batch}/${batches} · ${formatCount(Math.round(progress.samplesPerSecond))} samples/s · ETA ${formatDuration(progress.etaSeconds)} · ${summary(progress.terms)}`);
    this.redraw.push(null);
  }

  finished(result: TrainResult): void {
    this.cancelButton.hidden = true;
    if (this.curves.size === 0) this.showHistory(result.history);
    this.progressBar.value = result.status === 'completed' ? 100 : this.progressBar.value;
    const facts = [`${result.status} after ${result.epoch} epochs`, result.finalLoss === null ? undefined : `final loss ${formatValue(result.finalLoss)}`, `${formatCount(Math.round(result.samplesPerSecond))} samples/s on ${result.backend}`];
    const checkpoint = result.checkpoint;
    show(
      this.outcome,
      el('div', { class: `outcome outcome-${result.status}`, attrs: { role: 'status' } }, [
        el('strong', {}, [facts.filter(Boolean).join(' · ')]),
        el('p', {}, [result.message]),
        checkpoint ? el('p', { class: 'path' }, [`Checkpoint: ${checkpoint}`]) : undefined,
        checkpoint ? button('Explore this model', () => this.run?.explore(checkpoint)) : undefined,
      ]),
    );
  }

  failed(message: string): void {
    this.cancelButton.hidden = true;
    show(this.outcome, notice(`Training failed: ${message}`, 'error'));
  }

  shown(): void {
    if (this.plot) Plotly.Plots.resize(this.plot);
  }

  override dispose(): void {
    super.dispose();
    if (this.plot) Plotly.purge(this.plot);
  }

  private cancel(): void {
    vscodeApi.postMessage({ type: 'cancelTraining' });
    this.cancelButton.disabled = true;
    this.cancelButton.textContent = 'Cancelling…';
  }

  private point(name: string, x: number, y: number): void {
    let curve = this.curves.get(name);
    if (!curve) this.curves.set(name, (curve = { x: [], y: [] }));
    curve.x.push(x);
    curve.y.push(y);
  }

  private async draw(): Promise<void> {
    if (this.curves.size === 0) return;
    const bases = [...new Set([...this.curves.keys()].map(baseTerm))].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
    const data = [...this.curves.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, curve]) => {
        const validation = name.startsWith(VALIDATION);
        return {
          type: 'scatter',
          mode: validation ? 'lines+markers' : 'lines',
          name,
          x: curve.x,
          y: curve.y,
          line: { color: categoryColour(bases.indexOf(baseTerm(name))), dash: validation ? 'dash' : 'solid', width: 2 },
        };
      }) as Data[];
    const theme = themedLayout();
    const layout = {
      ...theme,
      xaxis: { ...theme.xaxis, title: { text: 'epoch' } },
      yaxis: { ...theme.yaxis, type: this.state.value.logScale ? ('log' as const) : ('linear' as const) },
      margin: { l: 56, r: 8, t: 8, b: 40 },
      legend: { orientation: 'h' as const, y: 1.02, yanchor: 'bottom' as const, x: 0 },
      uirevision: 'training',
      // The curves grow in place; a new revision tells Plotly to re-read them and re-fit the axes.
      datarevision: ++this.revision,
    };
    const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage' as const] };
    if (this.plot) await Plotly.react(this.plot, data, layout, config);
    else this.plot = await Plotly.newPlot(this.plotHost, data, layout, config);
  }
}

function baseTerm(name: string): string {
  return name.startsWith(VALIDATION) ? name.slice(VALIDATION.length) : name;
}

function summary(terms: Terms): string {
  return Object.entries(terms)
    .filter(([name]) => name !== 'epoch')
    .map(([name, value]) => `${name} ${formatValue(value)}`)
    .join(' · ');
}
