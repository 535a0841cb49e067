/**
 * Latent traversal around the last picked sample: one slider per latent dim spanning ±3σ of that
 * dim over the dataset; the decoded image follows the sliders live. For VAEs the dims come sorted by
 * their KL to the prior, and the active ones (KL > 0.01 nats) are marked — the rest decode to
 * nearly the same image whatever their value. A saved attribute direction (the Directions tab) adds
 * one more slider, along that direction, on top of the dims.
 */
import { failureText, formatValue } from '../../common/format';
import { LatestOnly } from '../latestOnly';
import { measureSince, timings } from '../timings';
import { imageCanvas } from '../../common/render/images';
import type { SavedDirection } from '../../../shared/protocol';
import { button, type Field, notice, select, slider, textField } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import { decode, type Explore, latentRow } from './explore';
import { labelText } from '../../common/map/labels';
import { type DirectionList, directionStore } from './directionStore';
import { stepText } from './latentDirection';
import { parseIndex } from './pickedIndex';
import { Refresher } from './refresher';
import { View } from './view';

const ACTIVE_KL = 0.01;

/** A latent to decode; `movedAt` when a slider move asked for it (the latency users feel). */
interface Move {
  latent: Float32Array;
  movedAt?: number;
}
const RANGE = 3;

export class TraversalView extends View {
  private readonly message = el('div', { class: 'view-message' });
  private readonly frames = el('div', { class: 'traversal-frames' });
  private readonly sliders = el('div', { class: 'traversal-sliders' });
  private readonly current = el('figure', {});
  private readonly loader = new LatestOnly<Move>((move) => this.drawCurrent(move), (error) => show(this.current, notice(failureText('Decoding failed', error), 'error')));
  private readonly refresher = new Refresher(this.element, () => this.refresh());
  private inputs: HTMLInputElement[] = [];
  private readonly directions;
  /** Holds the Direction select, rebuilt when the saved directions change. */
  private readonly directionField = el('span', { class: 'traversal-direction' });
  private directionSelect: Field<string> | undefined;
  private alongInput: HTMLInputElement | undefined;

  constructor(private readonly explore: Explore) {
    super('traversal-view');
    const { state } = explore;
    this.directions = directionStore(explore);
    const pointField = textField('Point', this.base() === undefined ? '' : String(this.base()), (text) => this.typed(text), { placeholder: 'index' });
    this.onDispose(
      state.subscribe((_, changed) => {
        if ('traversalDirection' in changed) {
          this.directionSelect?.set(this.direction()?.name ?? '');
          this.refresher.invalidate();
        }
        if (!('picks' in changed)) return;
        pointField.set(this.base() === undefined ? '' : String(this.base()));
        this.refresher.invalidate();
      }),
      this.directions.list.subscribe((list) => {
        this.drawDirectionField(list);
        // The chosen direction may only now be known, or be gone.
        if (state.value.traversalDirection !== undefined) this.refresher.invalidate();
      }),
    );
    this.drawDirectionField(this.directions.list.value);
    const ordering = explore.session.capabilities.variational && explore.session.klPerDim ? el('span', { class: 'hint' }, ['dims sorted by KL; ', el('span', { class: 'tag active' }, ['active']), ` = KL > ${ACTIVE_KL} nats`]) : undefined;
    this.element.append(
      el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Traversal' } }, [pointField.element, this.directionField, button('Reset sliders', () => this.reset(), { secondary: true }), ordering ?? '']),
      this.message,
      el('div', { class: 'traversal' }, [this.frames, this.sliders]),
    );
  }

  shown(): void {
    this.refresher.shown();
    this.directions.load().catch((error: unknown) => show(this.directionField, notice(failureText('Could not read the saved directions', error), 'error')));
  }


  private base(): number | undefined {
    return this.explore.state.value.picks.at(-1);
  }

  private typed(text: string): void {
    const parsed = parseIndex(this.explore.session, text);
    if ('problem' in parsed) show(this.message, notice(parsed.problem, 'error'));
    else this.explore.state.update({ picks: [...this.explore.state.value.picks, parsed.index].slice(-2) });
  }

  /** Dims in display order: by KL for VAEs (most informative first), else as they are. */
  private dimOrder(): number[] {
    const { session } = this.explore;
    const dims = Array.from({ length: session.latentDim }, (_, i) => i);
    const kl = session.klPerDim;
    return session.capabilities.variational && kl ? dims.sort((a, b) => (kl[b] ?? 0) - (kl[a] ?? 0)) : dims;
  }

  /** The saved direction chosen to traverse along, once the list has it. */
  private direction(): SavedDirection | undefined {
    return this.directions.find(this.explore.state.value.traversalDirection);
  }

  private drawDirectionField(list: DirectionList | undefined): void {
    const directions = list?.directions ?? [];
    this.directionSelect = undefined;
    if (directions.length === 0) {
      show(this.directionField);
      return;
    }
    const chosen = this.direction()?.name ?? '';
    const choices = [{ value: '', label: 'none' }, ...directions.map((direction) => ({ value: direction.name, label: direction.name }))];
    this.directionSelect = select('Direction', choices, chosen, (name) => this.explore.state.update({ traversalDirection: name || undefined, traversalAlong: 0 }));
    show(this.directionField, this.directionSelect.element);
  }

  private offsets(): number[] {
    const saved = this.explore.state.value.offsets;
    return Array.from({ length: this.explore.session.latentDim }, (_, i) => saved[i] ?? 0);
  }

  private refresh(): void {
    const base = this.base();
    if (base === undefined) {
      show(this.message, notice('Click a point on the map, or type a sample index, to traverse the latent space around it.'));
      show(this.frames);
      show(this.sliders);
      return;
    }
    show(this.message);
    this.buildSliders(base);
    this.drawReference(base).catch((error: unknown) => show(this.message, notice(failureText('Loading the sample failed', error), 'error')));
    this.loader.push({ latent: this.latent(base) });
  }

  private buildSliders(base: number): void {
    const { session } = this.explore;
    const offsets = this.offsets();
    const z = latentRow(session, base);
    const kl = session.capabilities.variational ? session.klPerDim : undefined;
    this.inputs = [];
    const direction = this.direction();
    this.alongInput = undefined;
    const along = direction && this.alongRow(direction);
    const rows = this.dimOrder().map((dim) => {
      const std = session.latentStd[dim] ?? 1;
      const control = slider({
        label: `z${dim}`,
        min: -RANGE,
        max: RANGE,
        step: 0.05,
        value: offsets[dim]!,
        format: (offset) => `${offset >= 0 ? '+' : ''}${offset.toFixed(2)}σ → ${formatValue(z[dim]! + offset * std)}`,
        onInput: () => this.slid(),
      });
      control.input.dataset.dim = String(dim);
      this.inputs.push(control.input);
      const dimKl = kl?.[dim];
      const tag = dimKl === undefined ? undefined : el('span', { class: `tag${dimKl > ACTIVE_KL ? ' active' : ''}`, title: 'KL to the prior, nats' }, [`KL ${formatValue(dimKl)}`]);
      return el('div', { class: 'traversal-row' }, [control.element, tag]);
    });
    show(this.sliders, along, ...rows);
  }

  /** The slider along a saved direction: multiples of it, added to the point with the dims' offsets. */
  private alongRow(direction: SavedDirection): HTMLElement {
    const control = slider({
      label: 'along',
      min: -RANGE,
      max: RANGE,
      step: 0.05,
      value: this.explore.state.value.traversalAlong,
      format: (t) => `${stepText(t)} · ${direction.name}`,
      onInput: () => this.slid(),
    });
    control.input.dataset.direction = direction.name;
    control.element.title = direction.note ? `${direction.name}: ${direction.note}` : direction.name;
    this.alongInput = control.input;
    return el('div', { class: 'traversal-row direction-row' }, [control.element, el('span', { class: 'tag', title: 'A saved direction (Directions tab)' }, ['direction'])]);
  }

  private latent(base: number): Float32Array {
    const { session } = this.explore;
    const offsets = this.offsets();
    const direction = this.direction();
    const along = direction ? this.explore.state.value.traversalAlong : 0;
    return latentRow(session, base).map((value, dim) => value + offsets[dim]! * (session.latentStd[dim] ?? 1) + along * (direction?.vector[dim] ?? 0));
  }

  private slid(): void {
    const offsets = this.offsets();
    for (const input of this.inputs) offsets[Number(input.dataset.dim)] = input.valueAsNumber;
    this.explore.state.update({ offsets, ...(this.alongInput ? { traversalAlong: this.alongInput.valueAsNumber } : {}) });
    const base = this.base();
    if (base !== undefined) this.loader.push({ latent: this.latent(base), movedAt: performance.now() });
  }

  private reset(): void {
    this.explore.state.update({ offsets: [], traversalAlong: 0 });
    this.refresher.invalidate();
  }

  /** The sample itself and its reconstruction, to compare the traversed image against. */
  private async drawReference(base: number): Promise<void> {
    const [pair] = await this.explore.samples.get([base]);
    const label = labelText(this.explore.session, base);
    show(
      this.frames,
      this.current,
      el('div', { class: 'reference' }, [
        el('figure', {}, [imageCanvas(pair!.input, 0, 'thumb large'), el('figcaption', {}, [`#${base}${label === undefined ? '' : ` (${label})`}`])]),
        pair!.reconstruction && el('figure', {}, [imageCanvas(pair!.reconstruction, 0, 'thumb large'), el('figcaption', {}, ['reconstruction'])]),
      ]),
    );
  }

  private async drawCurrent({ latent, movedAt }: Move): Promise<void> {
    const images = await decode(this.explore, latent);
    show(this.current, imageCanvas(images, 0, 'thumb xl traversal-image'), el('figcaption', {}, ['decoded at the sliders']));
    if (movedAt !== undefined) measureSince(timings.sliderToImage, movedAt);
  }
}
