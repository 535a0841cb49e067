/**
 * Training curves: live from a run's progress events (with its speed, ETA and a cancel button), or
 * from a checkpoint's saved history when exploring. Each loss term is a line over epochs; its
 * validation counterpart is dashed in the same color.
 */
import type { Progress, TrainParams, TrainResult } from '../../../shared/protocol';
import { formatCount, formatDuration, formatValue } from '../../common/format';
import { vscodeApi } from '../host/vscodeApi';
import { button, notice } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import type { StateStore } from '../uiState';
import { LossChart, type LossCurve } from './lossChart';
import type { Terms } from '../../../shared/protocol';
import { baseTerm, compareTerms, isValidation, termNames, validationTerm } from './lossTerms';
import { View } from './view';

export interface LiveRun {
  params: TrainParams;
  /** Switches the panel to exploring the checkpoint the run wrote. */
  explore(checkpoint: string): void;
}

export class TrainingView extends View {
  private readonly heading = el('div', { class: 'training-heading' });
  private readonly stats = el('div', { class: 'training-stats', attrs: { 'aria-live': 'polite' } });
  private readonly outcome = el('div', { class: 'training-outcome' });
  private readonly chart: LossChart;
  private readonly curves = new Map<string, { x: number[]; y: number[] }>();
  private readonly progressBar = el('vscode-progress-bar', { max: 100, attrs: { 'aria-label': 'Training progress' } });
  private readonly cancelButton = button('Cancel training', () => this.cancel(), { secondary: true });

  constructor(state: StateStore, private readonly run?: LiveRun) {
    super('training-view');
    this.chart = new LossChart(state);
    this.onDispose(() => this.chart.dispose());
    if (run) {
      const { params } = run;
      show(this.heading, el('h2', {}, [`Training ${params.model} on ${params.data}`]), this.cancelButton);
      show(this.stats, notice('Starting…', 'busy'));
      this.element.append(this.heading, this.progressBar, this.stats);
    }
    this.element.append(this.chart.element, this.outcome);
  }

  /** Shows a finished run's per-epoch history (a checkpoint's, when exploring); `source` names what it came from, for the note when there is none. */
  showHistory(history: Terms[], source = 'checkpoint'): void {
    for (const entry of history) {
      for (const name of termNames(entry)) this.point(name, entry.epoch ?? 0, entry[name]!);
    }
    if (!this.run) {
      const last = history.at(-1);
      show(this.stats, history.length === 0 ? notice(`This ${source} has no training history.`) : `${formatCount(history.length)} epochs · ${summary(last ?? {})}`);
      this.element.prepend(this.stats);
    }
    this.redraw();
  }

  progress(progress: Progress): void {
    const { epoch, epochs, batch, batches } = progress;
    if (progress.phase === 'batch') {
      // Batch terms are running means over the epoch so far, placed at the fraction of the epoch done.
      for (const [name, value] of Object.entries(progress.terms)) this.point(name, epoch - 1 + batch / Math.max(1, batches), value);
    } else {
      for (const [name, value] of Object.entries(progress.validation ?? {})) this.point(validationTerm(name), epoch, value);
    }
    this.progressBar.value = Math.round((100 * (epoch - 1 + batch / Math.max(1, batches))) / epochs);
    show(this.stats, `epoch ${epoch}/${epochs} · batch ${batch}/${batches} · ${formatCount(Math.round(progress.samplesPerSecond))} samples/s · ETA ${formatDuration(progress.etaSeconds)} · ${summary(progress.terms)}`);
    this.redraw();
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
        result.execution ? el('p', { class: 'execution' }, [result.execution]) : undefined,
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
    this.chart.resize();
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

  /** Each term in its own color, its validation twin dashed in the same color. */
  private redraw(): void {
    const names = [...this.curves.keys()].sort(compareTerms);
    const bases = [...new Set(names.map(baseTerm))];
    const curves: LossCurve[] = names.map((name) => ({
      name,
      ...this.curves.get(name)!,
      color: bases.indexOf(baseTerm(name)),
      dashed: isValidation(name),
      markers: isValidation(name),
    }));
    this.chart.show(curves);
  }
}

function summary(terms: Terms): string {
  return termNames(terms)
    .map((name) => `${name} ${formatValue(terms[name]!)}`)
    .join(' · ');
}
