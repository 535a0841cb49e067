/**
 * Attribute directions (latent arithmetic): the mean latent of a set A minus that of a set B — two
 * classes, two metadata values, or what was lassoed on the map — moves the picked point toward what
 * A has and B lacks. A slider decodes the moved point live; a strip decodes it at fixed multiples of
 * the direction. Directions can be named and saved with the checkpoint, reused on any other point,
 * and handed to the Traversal tab.
 */
import { failureText, formatValue, plural } from '../../common/format';
import { labelText } from '../../common/map/labels';
import { SEARCH_HELP } from '../../common/map/search';
import { imageCanvas } from '../../common/render/images';
import { button, type Field, notice, slider, textField } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import { LatestOnly } from '../latestOnly';
import { measureSince, timings } from '../timings';
import type { UiState } from '../uiState';
import { type DirectionList, directionStore } from './directionStore';
import { decode, type Explore, latentRow } from './explore';
import { directionNote, meanDifference, movedRows, norm, type PointSet, querySet, STRIP_STEPS, stepText } from './latentDirection';
import { parseIndex } from './pickedIndex';
import { Refresher } from './refresher';
import { openTab, whenInTab } from './tabSwitch';
import { View } from './view';

type Side = 'a' | 'b';
const queryKey = { a: 'directionA', b: 'directionB' } as const satisfies Record<Side, keyof UiState>;
const RANGE = 3;
const MAX_NAME = 128;

/** The direction in use: from the two sets, or a saved one. */
interface Direction {
  vector: Float32Array;
  note: string;
  /** The saved direction's name, when it is one. */
  saved?: string;
}

interface SetRow {
  field: Field<string>;
  take: HTMLElementTagNameMap['vscode-button'];
  status: HTMLElement;
}

/** A latent to decode; `movedAt` when a slider move asked for it (the latency users feel). */
interface Move {
  t: number;
  movedAt?: number;
}

export class DirectionsView extends View {
  private readonly store;
  private readonly summary = el('div', { class: 'direction-summary', attrs: { role: 'status' } });
  private readonly message = el('div', { class: 'view-message' });
  private readonly reference = el('div', { class: 'reference' });
  private readonly liveFrame = el('div', { class: 'live-frame' });
  /** The point, the slider and its decode: hidden until there is a point and a direction to move it along. */
  private readonly liveSection = el('div', { class: 'direction-live', hidden: true });
  private readonly strip = el('div', { class: 'strip direction-strip', attrs: { 'aria-label': 'Decodes along the direction' } });
  private readonly saveMessage = el('div', { class: 'view-message' });
  private readonly savedList = el('ul', { class: 'direction-list', attrs: { 'aria-label': 'Saved directions' } });
  private readonly liveSlider;
  private readonly nameField: Field<string>;
  private readonly rows: Record<Side, SetRow>;
  /** Sets taken from the map's selection (kept in memory only: a selection can hold millions of points). */
  private readonly fromSelection: Partial<Record<Side, PointSet>> = {};
  private direction: Direction | undefined;
  private readonly stripLoader = new LatestOnly<null>(() => this.drawStrip(), (error) => show(this.message, notice(failureText('Decoding along the direction failed', error), 'error')));
  private readonly liveLoader = new LatestOnly<Move>((move) => this.drawLive(move), (error) => show(this.liveFrame, notice(failureText('Decoding failed', error), 'error')));
  private readonly refresher = new Refresher(this.element, () => this.refresh());

  constructor(private readonly explore: Explore) {
    super('directions-view');
    const { state, session } = explore;
    this.store = directionStore(explore);
    const pointField = textField('Point', this.base() === undefined ? '' : String(this.base()), (text) => this.typedPoint(text), { placeholder: 'index' });
    this.rows = { a: this.setRow('a'), b: this.setRow('b') };
    this.nameField = textField('Name', '', () => undefined, { placeholder: 'e.g. thick stroke', size: 'wide' });
    this.liveSlider = slider({ label: 't', min: -RANGE, max: RANGE, step: 0.05, value: state.value.directionT, format: stepText, onInput: (t) => this.slid(t) });
    this.liveSlider.input.classList.add('direction-slider');
    this.onDispose(
      state.subscribe((_, changed) => {
        if ('picks' in changed) pointField.set(this.base() === undefined ? '' : String(this.base()));
        if ('picks' in changed || 'directionA' in changed || 'directionB' in changed || 'direction' in changed) this.refresher.invalidate();
        if ('direction' in changed) this.drawSaved(this.store.list.value);
      }),
      explore.selection.subscribe(() => this.showSelectionCounts()),
      this.store.list.subscribe((list) => {
        this.drawSaved(list);
        // A saved direction in use may only now be known (or be gone).
        if (explore.state.value.direction !== undefined) this.refresher.invalidate();
      }),
    );
    this.showSelectionCounts();
    this.liveSection.append(this.reference, el('div', { class: 'live' }, [this.liveSlider.element, this.liveFrame]));
    const means = session.capabilities.variational ? ' (posterior means)' : '';
    this.element.append(
      el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Directions' } }, [
        pointField.element,
        el('span', { class: 'hint' }, [`d = mean(A) − mean(B) of the latents${means}; the point moves to z + t·d`]),
      ]),
      el('div', { class: 'direction-sets', attrs: { role: 'group', 'aria-label': 'Sets A and B' } }, (['a', 'b'] as const).flatMap((side) => this.setRowElements(side))),
      this.summary,
      this.message,
      this.strip,
      this.liveSection,
      el('h2', { class: 'section-title' }, ['Saved directions']),
      el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Save the direction' } }, [this.nameField.element, button('Save', () => void this.save())]),
      this.saveMessage,
      this.savedList,
    );
  }

  shown(): void {
    this.refresher.shown();
    this.store.load().catch((error: unknown) => this.loadFailed(error));
  }

  /** The point moved: the last one picked, as in Traversal, so "Traverse" keeps it. */
  private base(): number | undefined {
    return this.explore.state.value.picks.at(-1);
  }

  private setRow(side: Side): SetRow {
    const name = side.toUpperCase();
    const field = textField(`Set ${name}`, this.explore.state.value[queryKey[side]], (text) => this.typedSet(side, text), { placeholder: side === 'a' ? 'e.g. 7 or column:value' : 'e.g. 1', size: 'wide' });
    field.element.title = SEARCH_HELP;
    const take = button(`${name} = selection`, () => this.takeSelection(side), { secondary: true, title: 'Use the points selected on the map (box or lasso) as this set' });
    take.dataset.side = side;
    return { field, take, status: el('span', { class: 'set-status', attrs: { 'data-side': side } }) };
  }

  private setRowElements(side: Side): HTMLElement[] {
    const row = this.rows[side];
    return [row.field.element, row.take, row.status];
  }

  private showSelectionCounts(): void {
    const count = this.explore.selection.value.length;
    for (const side of ['a', 'b'] as const) {
      const { take } = this.rows[side];
      take.textContent = `${side.toUpperCase()} = selection (${count.toLocaleString('en-US')})`;
      take.disabled = count === 0;
      take.title = count === 0 ? 'Select points on the map first (box or lasso), then take them as this set' : `Use the ${plural(count, 'point')} selected on the map as set ${side.toUpperCase()}`;
    }
  }

  private typedPoint(text: string): void {
    const parsed = parseIndex(this.explore.session, text);
    if ('problem' in parsed) show(this.message, notice(parsed.problem, 'error'));
    else this.explore.state.update({ picks: [...this.explore.state.value.picks, parsed.index].slice(-2) });
  }

  private typedSet(side: Side, text: string): void {
    delete this.fromSelection[side];
    // Editing a set means building a new direction, not using a saved one.
    this.explore.state.update({ [queryKey[side]]: text, direction: undefined });
  }

  private takeSelection(side: Side): void {
    const indices = [...this.explore.selection.value];
    if (indices.length === 0) return;
    this.fromSelection[side] = { indices, name: `selection ${side.toUpperCase()}` };
    this.rows[side].field.set('');
    // The state's change redraws (the query key is always among the changes, even when it was empty).
    this.explore.state.update({ [queryKey[side]]: '', direction: undefined });
  }

  /** A set and how many points it holds, or why it has none; undefined while nothing is chosen. */
  private resolveSet(side: Side): PointSet | { problem: string } | undefined {
    const taken = this.fromSelection[side];
    if (taken) return taken;
    const query = this.explore.state.value[queryKey[side]];
    return query.trim() ? querySet(this.explore.session, query) : undefined;
  }

  /** Works out the direction in use and says what it is, or what is missing. */
  private resolveDirection(): Direction | { problem: string; error?: boolean } {
    const { state, session } = this.explore;
    const sets = { a: this.resolveSet('a'), b: this.resolveSet('b') };
    for (const side of ['a', 'b'] as const) {
      const set = sets[side];
      const { status } = this.rows[side];
      status.classList.toggle('error', set !== undefined && 'problem' in set);
      status.textContent = set === undefined ? 'type a query, or take the map selection' : 'problem' in set ? set.problem : `${set.name}: ${plural(set.indices.length, 'point')}`;
    }
    const savedName = state.value.direction;
    if (savedName !== undefined) {
      const list = this.store.list.value;
      const saved = this.store.find(savedName);
      if (saved) return { vector: Float32Array.from(saved.vector), note: saved.note ?? '', saved: saved.name };
      if (!list) return { problem: `Loading the saved direction "${savedName}"…` };
      return { problem: `The saved direction "${savedName}" is gone (deleted, perhaps in another panel) — use one from the list below, or sets A and B`, error: true };
    }
    const { a, b } = sets;
    if (a && 'problem' in a) return { problem: `Set A: ${a.problem}`, error: true };
    if (b && 'problem' in b) return { problem: `Set B: ${b.problem}`, error: true };
    if (!a || !b) return { problem: 'Choose set A and set B — a label (7), a metadata query (column:value) or the map selection — to move points from B toward A.' };
    const vector = meanDifference(session.latents, session.latentDim, a.indices, b.indices);
    if (norm(vector) === 0) return { problem: 'A and B have the same mean latent, so the direction is zero — choose sets that differ', error: true };
    return { vector, note: directionNote(a, b) };
  }

  private refresh(): void {
    const resolved = this.resolveDirection();
    this.direction = 'problem' in resolved ? undefined : resolved;
    if ('problem' in resolved) show(this.summary, notice(resolved.problem, resolved.error ? 'error' : 'info'));
    else {
      const what = resolved.saved === undefined ? 'Direction' : `Saved direction "${resolved.saved}"`;
      show(
        this.summary,
        el('span', {}, [`${what}: ${resolved.note || 'no note'} · ‖d‖ = ${formatValue(norm(resolved.vector))}`]),
        resolved.saved === undefined ? undefined : button('Use sets A − B instead', () => this.explore.state.update({ direction: undefined }), { secondary: true }),
      );
    }
    const base = this.base();
    if (base === undefined) {
      show(this.message, notice('Click a point on the map, or type a sample index, to move it along the direction.'));
    } else show(this.message);
    this.liveSection.hidden = base === undefined || !this.direction;
    if (base === undefined || !this.direction) {
      show(this.reference);
      show(this.liveFrame);
      show(this.strip);
      return;
    }
    this.drawReference(base).catch((error: unknown) => show(this.message, notice(failureText('Loading the sample failed', error), 'error')));
    this.stripLoader.push(null);
    this.liveLoader.push({ t: this.liveSlider.input.valueAsNumber });
  }

  private slid(t: number): void {
    this.explore.state.update({ directionT: t });
    if (this.direction && this.base() !== undefined) this.liveLoader.push({ t, movedAt: performance.now() });
  }

  /** The point's own input and reconstruction, to compare the moved decodes against. */
  private async drawReference(base: number): Promise<void> {
    const [pair] = await this.explore.samples.get([base]);
    const label = labelText(this.explore.session, base);
    show(
      this.reference,
      el('figure', {}, [imageCanvas(pair!.input, 0, 'thumb large'), el('figcaption', {}, [`#${base}${label === undefined ? '' : ` (${label})`}`])]),
      pair!.reconstruction && el('figure', {}, [imageCanvas(pair!.reconstruction, 0, 'thumb large'), el('figcaption', {}, ['reconstruction'])]),
    );
  }

  private async drawStrip(): Promise<void> {
    const base = this.base();
    const direction = this.direction;
    if (base === undefined || !direction) return;
    const images = await decode(this.explore, movedRows(latentRow(this.explore.session, base), direction.vector, STRIP_STEPS));
    // A newer refresh may have changed the point or the direction meanwhile; it has its own strip queued.
    if (base !== this.base() || direction !== this.direction) return;
    show(
      this.strip,
      ...STRIP_STEPS.map((t, step) =>
        el('figure', { class: t === 0 ? 'step origin' : 'step', attrs: { 'data-t': String(t) } }, [imageCanvas(images, step), el('figcaption', {}, [t === 0 ? 'the point' : stepText(t)])]),
      ),
    );
  }

  private async drawLive({ t, movedAt }: Move): Promise<void> {
    const base = this.base();
    const direction = this.direction;
    if (base === undefined || !direction) return;
    const images = await decode(this.explore, movedRows(latentRow(this.explore.session, base), direction.vector, [t]));
    show(this.liveFrame, el('figure', {}, [imageCanvas(images, 0, 'thumb xl direction-image'), el('figcaption', {}, [`z + t·d at t = ${t.toFixed(2)}`])]));
    if (movedAt !== undefined) measureSince(timings.sliderToImage, movedAt);
  }

  private nameTyped(): string {
    // Read at the moment of saving: the field commits on Enter or leaving it, a click on Save may come first.
    return (this.nameField.element.querySelector('vscode-textfield')?.value ?? '').trim();
  }

  private async save(): Promise<void> {
    const name = this.nameTyped();
    const direction = this.direction;
    if (!direction) {
      show(this.saveMessage, notice('Nothing to save yet: choose sets A and B that both match points (above), then save.', 'error'));
      return;
    }
    if (!name) {
      show(this.saveMessage, notice('Name the direction before saving it (e.g. thick stroke).', 'error'));
      return;
    }
    if (name.length > MAX_NAME) {
      show(this.saveMessage, notice(`A direction's name has at most ${MAX_NAME} characters; this one has ${name.length} — shorten it.`, 'error'));
      return;
    }
    show(this.saveMessage, notice(`Saving "${name}"…`, 'busy'));
    try {
      const list = await this.store.save(name, direction.vector, direction.note || undefined);
      this.nameField.set('');
      show(this.saveMessage, notice(list.unsaved === undefined ? `Saved "${name}" with the checkpoint.` : `Kept "${name}" in this page.`));
    } catch (error) {
      show(this.saveMessage, notice(failureText(`Could not save the direction "${name}"`, error), 'error'));
    }
  }

  private async remove(name: string): Promise<void> {
    try {
      await this.store.remove(name);
      const { direction, traversalDirection } = this.explore.state.value;
      if (direction === name || traversalDirection === name) this.explore.state.update({ ...(direction === name ? { direction: undefined } : {}), ...(traversalDirection === name ? { traversalDirection: undefined } : {}) });
      show(this.saveMessage, notice(`Deleted "${name}".`));
    } catch (error) {
      show(this.saveMessage, notice(failureText(`Could not delete the direction "${name}"`, error), 'error'));
    }
  }

  /** Hands a saved direction to the Traversal tab, where it gets a slider of its own beside the dims. */
  private traverse(name: string): void {
    this.explore.state.update({ traversalDirection: name, traversalAlong: 0 });
    openTab(this.element, 'traversal');
    whenInTab(this.element, 'traversal', 'input[data-direction]', (input) => input.focus());
  }

  private loadFailed(error: unknown): void {
    show(this.saveMessage, notice(failureText('Could not read the saved directions', error), 'error'), button('Retry', () => this.store.reload().catch((again: unknown) => this.loadFailed(again)), { secondary: true }));
  }

  private drawSaved(list: DirectionList | undefined): void {
    if (!list) {
      show(this.savedList);
      return;
    }
    const inUse = this.explore.state.value.direction;
    const rows = list.directions.map((direction) =>
      el('li', { class: `saved-direction${direction.name === inUse ? ' in-use' : ''}`, attrs: { 'data-name': direction.name, ...(direction.name === inUse ? { 'aria-current': 'true' } : {}) } }, [
        el('span', { class: 'direction-name' }, [direction.name]),
        el('span', { class: 'hint direction-note' }, [direction.note ?? '']),
        el('span', { class: 'direction-actions' }, [
          useButton(direction.name === inUse, () => this.explore.state.update({ direction: direction.name }), direction.name),
          button('Traverse', () => this.traverse(direction.name), { secondary: true, title: `Open Traversal with a slider along "${direction.name}"` }),
          button('Delete', () => void this.remove(direction.name), { secondary: true, title: `Delete "${direction.name}"${list.unsaved === undefined ? ' from the checkpoint' : ''}` }),
        ]),
      ]),
    );
    const empty = list.directions.length === 0 ? el('li', { class: 'hint' }, ['None yet: name the direction above and save it.']) : undefined;
    show(this.savedList, ...(list.unsaved === undefined ? [] : [el('li', { class: 'page-only' }, [notice(`Kept in this page only: ${list.unsaved}`)])]), empty, ...rows);
  }
}

/** "Use" on a saved direction's row; the one in use says so and cannot be chosen again. */
function useButton(inUse: boolean, use: () => void, name: string): HTMLElement {
  const control = button(inUse ? 'In use' : 'Use', use, { secondary: true, title: inUse ? `The picked point moves along "${name}"` : `Move the picked point along "${name}"` });
  control.disabled = inUse;
  return control;
}
