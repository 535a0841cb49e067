/**
 * What the model makes up rather than reconstructs: latents drawn from its prior and decoded, a grid
 * at a time. A Gaussian prior is drawn at a temperature, z ~ N(0, T²I) (below 1 the typical, above 1
 * the strange); a codebook prior takes a uniformly random code at each position. The seed is shown,
 * and typed back in it draws the same grid again.
 */
import { failureText, formatCount } from '../../common/format';
import { gridCanvas } from '../../common/render/images';
import { button, type Field, notice, slider, textField } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import { LatestOnly } from '../latestOnly';
import type { Explore } from './explore';
import { View } from './view';

const COLUMNS = 8;
const COUNT = COLUMNS * COLUMNS;
/** tfjs takes a seed of 0 for no seed at all (a fresh draw each time), so seeds start at 1. */
const MIN_SEED = 1;
const MAX_SEED = 2 ** 31 - 1;

export class PriorSamplesView extends View {
  private readonly message = el('div', { class: 'view-message' });
  private readonly busy = el('vscode-progress-ring', { class: 'prior-busy', hidden: true, attrs: { 'aria-label': 'Drawing samples' } });
  private readonly figure = el('figure', { class: 'prior' });
  private readonly loader = new LatestOnly<null>(() => this.draw(), (error) => show(this.message, notice(failureText('Drawing prior samples failed', error), 'error')));
  private seedField: Field<string> | undefined;
  private seed = MIN_SEED;
  private temperature = 1;
  private started = false;

  constructor(private readonly explore: Explore) {
    super('prior-view');
    const prior = explore.session.capabilities.prior;
    if (!prior) {
      this.element.append(notice(`Prior samples decode latents drawn from the model's prior (a VAE's Gaussian, a VQ-VAE's codes); a ${explore.session.kind} model learned no prior to draw from — Interpolation and the manifold grid decode latents of its own samples instead.`));
      return;
    }
    this.seedField = textField('Seed', String(this.seed), (text) => this.typed(text), { placeholder: 'integer' });
    const spread =
      prior === 'gaussian'
        ? slider({
            label: 'Temperature',
            min: 0,
            max: 2,
            step: 0.05,
            value: this.temperature,
            format: (temperature) => `T = ${temperature.toFixed(2)}`,
            onInput: (temperature) => {
              this.temperature = temperature;
              this.loader.push(null);
            },
          }).element
        : el('span', { class: 'hint' }, ['Each position takes a uniformly random code from the codebook.']);
    this.element.append(
      el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Prior samples' } }, [this.seedField.element, button('Reseed', () => this.reseed()), spread, this.busy]),
      this.message,
      this.figure,
    );
  }

  shown(): void {
    if (this.started || !this.seedField) return;
    this.started = true;
    this.loader.push(null);
  }

  private typed(text: string): void {
    const seed = Number(text.trim());
    if (!Number.isInteger(seed) || seed < MIN_SEED || seed > MAX_SEED) {
      show(this.message, notice(`"${text.trim()}" is not a seed: use a whole number from ${MIN_SEED} to ${formatCount(MAX_SEED)}.`, 'error'));
      return;
    }
    this.seed = seed;
    this.loader.push(null);
  }

  private reseed(): void {
    const previous = this.seed;
    while (this.seed === previous) this.seed = MIN_SEED + Math.floor(Math.random() * (MAX_SEED - MIN_SEED + 1));
    this.seedField?.set(String(this.seed));
    this.loader.push(null);
  }

  private async draw(): Promise<void> {
    const { session, client } = this.explore;
    const gaussian = session.capabilities.prior === 'gaussian';
    const { seed, temperature } = this;
    this.busy.hidden = false;
    try {
      const { images } = await client.request('priorSamples', { sessionId: session.sessionId, count: COUNT, seed, ...(gaussian ? { temperature } : {}) }).result;
      show(this.message);
      const drawn = gaussian ? `z ~ N(0, ${temperature.toFixed(2)}²·I)` : 'a uniformly random code per position';
      const grid = gridCanvas(images, { columns: COLUMNS, className: 'prior-grid' });
      grid.setAttribute('role', 'img');
      grid.setAttribute('aria-label', `${COUNT} samples decoded from the prior, seed ${seed}`);
      show(this.figure, grid, el('figcaption', {}, [`${COUNT} samples, ${drawn}, seed ${seed}`]));
    } finally {
      this.busy.hidden = true;
    }
  }
}
