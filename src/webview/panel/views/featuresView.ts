/**
 * What a model with discrete units learned, unit by unit: the dictionary (or decoded codebook) as
 * images with how often each is used, dead units flagged; a click shows the samples that use a unit
 * most. Where k is adjustable, a k slider shows how reconstructions degrade as fewer units may fire.
 */
import type { ResultOf } from '../../../shared/protocol';
import { failureText, formatPercent, formatValue, plural } from '../../common/format';
import { LatestOnly } from '../latestOnly';
import { imageCanvas } from '../../common/render/images';
import { type Choice, notice, select, slider } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import type { FeatureSort } from '../uiState';
import type { Explore } from './explore';
import { View } from './view';

type Features = ResultOf<'features'>;

const sorts: Choice<FeatureSort>[] = [
  { value: 'index', label: 'index' },
  { value: 'frequent', label: 'most used first' },
  { value: 'rare', label: 'least used first' },
];
const TOP_COUNT = 16;
const K_SAMPLES = 16;

export class FeaturesView extends View {
  private readonly message = el('div', { class: 'view-message' });
  private readonly summary = el('span', { class: 'hint' });
  private readonly grid = el('div', { class: 'feature-grid', attrs: { role: 'list', 'aria-label': 'Features' } });
  private readonly detail = el('div', { class: 'feature-detail' });
  private readonly kPanel = el('div', { class: 'k-panel' });
  private readonly topLoader = new LatestOnly<number>((feature) => this.showTop(feature), (error) => show(this.detail, notice(failureText('Loading the top samples failed', error), 'error')));
  private readonly kLoader = new LatestOnly<number>((k) => this.showK(k), (error) => show(this.kPanel, notice(failureText('Reconstructing failed', error), 'error')));
  private features: Features | undefined;
  private readonly kRow = el('div', { class: 'sample-row' });
  private started = false;

  constructor(private readonly explore: Explore) {
    super('features-view');
    const { session, state } = explore;
    if (!session.capabilities.features) {
      this.element.append(notice(`Features are the units of a dictionary or a codebook; a ${session.kind} model has no discrete units to list. Traversal shows what each latent dim does.`));
      return;
    }
    const sort = select('Sort by', sorts, state.value.featureSort, (featureSort) => state.update({ featureSort }));
    this.onDispose(
      state.subscribe((_, changed) => {
        if ('featureSort' in changed) this.drawGrid();
      }),
    );
    this.element.append(el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Features' } }, [sort.element, this.summary]), this.message, el('div', { class: 'features' }, [this.grid, this.detail]), this.kPanel);
  }

  shown(): void {
    const { capabilities } = this.explore.session;
    if (this.started || !capabilities.features) return;
    this.started = true;
    show(this.message, notice('Loading features…', 'busy'));
    this.explore.client
      .request('features', { sessionId: this.explore.session.sessionId })
      .result.then((features) => {
        this.features = features;
        show(this.message);
        show(this.detail, notice(`Click a ${features.kind === 'codebook' ? 'code' : 'feature'} to see the samples that use it most.`));
        this.drawGrid();
        if (capabilities.adjustableK) this.buildKPanel();
      })
      .catch((error: unknown) => show(this.message, notice(failureText('Loading features failed', error), 'error')));
  }


  private order(): number[] {
    const features = this.features!;
    const indices = Array.from({ length: features.images.count }, (_, i) => i);
    const sort = this.explore.state.value.featureSort;
    if (sort === 'index') return indices;
    const sign = sort === 'frequent' ? -1 : 1;
    return indices.sort((a, b) => sign * (features.frequency[a]! - features.frequency[b]!) || a - b);
  }

  private drawGrid(): void {
    const features = this.features;
    if (!features) return;
    const dead = features.frequency.filter((frequency) => frequency === 0).length;
    const unit = features.kind === 'codebook' ? 'code' : 'feature';
    // A k-sparse unit fires in a share of samples; a code fills a share of all code positions.
    const usage = features.kind === 'codebook' ? 'share of code positions' : 'share of samples';
    this.summary.textContent = `${plural(features.images.count, unit)} · ${dead} dead · usage = ${usage}`;
    show(
      this.grid,
      ...this.order().map((feature) => {
        const frequency = features.frequency[feature]!;
        const isDead = frequency === 0;
        return el(
          'button',
          {
            class: `feature-tile${isDead ? ' dead' : ''}`,
            title: `${unit} #${feature}: ${isDead ? 'dead, never used' : `usage ${formatPercent(frequency)}`} — click for its top samples`,
            attrs: { role: 'listitem', 'data-feature': String(feature) },
            on: { click: () => this.topLoader.push(feature) },
          },
          [imageCanvas(features.images, feature), el('span', { class: 'tile-caption' }, [`#${feature}`, el('span', { class: 'usage' }, [isDead ? 'dead' : formatPercent(frequency)])])],
        );
      }),
    );
  }

  private async showTop(feature: number): Promise<void> {
    const { session, client, samples } = this.explore;
    show(this.detail, notice(`Finding the samples that use #${feature} most…`, 'busy'));
    const top = await client.request('topActivating', { sessionId: session.sessionId, feature, count: Math.min(TOP_COUNT, Math.max(1, session.count)) }).result;
    const indices = Array.from(top.indices);
    const pairs = await samples.get(indices);
    const unit = this.features?.kind === 'codebook' ? 'code' : 'feature';
    show(
      this.detail,
      el('h3', {}, [`Top samples for ${unit} #${feature}`]),
      indices.length === 0
        ? notice(`No sample uses ${unit} #${feature}.`)
        : el(
            'div',
            { class: 'sample-row' },
            indices.map((index, i) => el('figure', {}, [imageCanvas(pairs[i]!.input, 0), el('figcaption', {}, [`#${index}`, el('br'), formatValue(top.activations[i]!)])])),
          ),
    );
  }

  /** A fixed spread of samples, reconstructed at the chosen k. */
  private buildKPanel(): void {
    const { session, state } = this.explore;
    const initial = Math.min(state.value.k ?? session.k ?? session.latentDim, session.latentDim);
    const control = slider({
      label: 'k',
      min: 1,
      max: session.latentDim,
      step: 1,
      value: initial,
      format: (k) => `${k} of ${session.latentDim}${k === session.k ? ' (trained)' : ''}`,
      onInput: (k) => {
        state.update({ k });
        this.kLoader.push(k);
      },
    });
    show(this.kPanel, el('h3', {}, ['Reconstructions at k active units']), control.element, this.kRow);
    this.kLoader.push(initial);
  }

  private kSampleIndices(): Int32Array {
    const { count } = this.explore.session;
    const n = Math.min(K_SAMPLES, count);
    return Int32Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
  }

  private async showK(k: number): Promise<void> {
    const indices = this.kSampleIndices();
    const { inputs, reconstructions } = await this.explore.client.request('samples', { sessionId: this.explore.session.sessionId, indices, k }).result;
    show(
      this.kRow,
      ...Array.from(indices, (index, i) => el('figure', {}, [imageCanvas(inputs, i), reconstructions && imageCanvas(reconstructions, i, 'thumb k-reconstruction'), el('figcaption', {}, [`#${index}`])])),
    );
  }
}
