/**
 * The card over the map that shows the hovered (or searched) sample: its input beside its
 * reconstruction, the input alone without a decoder, only its index and label without inputs; and
 * its first metadata values.
 */
import { type MetadataColumn, messageOf } from '../../../../shared/protocol';
import { formatValue, plural } from '../../../common/format';
import { LatestOnly } from '../../latestOnly';
import { imageCanvas } from '../../../common/render/images';
import { el, show } from '../../../common/ui/dom';
import { type Explore, type SamplePair } from '../explore';
import { labelText, metadataText } from '../../../common/map/labels';

/** Enough to recognise a sample by; the CSV export has every column. */
const SHOWN_COLUMNS = 12;

export class Inspector {
  readonly element = el('div', { class: 'inspector', attrs: { 'aria-live': 'polite' }, hidden: true });
  private current: number | undefined;
  /** Hover moves faster than samples arrive: only the newest point is fetched, and only it is drawn. */
  private readonly loader = new LatestOnly<number>(
    async (index) => {
      const [pair] = await this.explore.samples.get([index]);
      if (this.current === index) this.render(index, pair);
    },
    (error) => this.render(this.current, undefined, messageOf(error)),
  );

  constructor(private readonly explore: Explore) {}

  inspect(index: number): void {
    this.current = index;
    const cached = this.explore.samples.peek(index);
    this.render(index, cached);
    if (!cached && this.hasInputs()) this.loader.push(index);
  }

  private hasInputs(): boolean {
    return this.explore.session.inputShape.length > 0;
  }

  private render(index: number | undefined, pair: SamplePair | undefined, failure?: string): void {
    if (index === undefined) return;
    const { session } = this.explore;
    const label = labelText(session, index);
    const facts = [`#${index}`, label === undefined ? undefined : `label ${label}`, session.reconstructionError && `error ${formatValue(session.reconstructionError[index]!)}`];
    this.element.hidden = false;
    show(
      this.element,
      el('div', { class: 'inspector-title' }, [facts.filter(Boolean).join(' · ')]),
      session.metadata && metadataList(session.metadata, index),
      failure
        ? el('div', { class: 'inspector-failure' }, [failure])
        : this.hasInputs() &&
            el('div', { class: 'inspector-images' }, [
              figure('input', pair && imageCanvas(pair.input, 0, 'thumb large')),
              session.capabilities.decodes && figure('reconstruction', pair?.reconstruction && imageCanvas(pair.reconstruction, 0, 'thumb large')),
            ]),
    );
  }
}

function metadataList(columns: MetadataColumn[], index: number): HTMLElement {
  const hidden = columns.length - SHOWN_COLUMNS;
  return el('dl', { class: 'inspector-metadata' }, [
    ...columns.slice(0, SHOWN_COLUMNS).flatMap((column) => [el('dt', {}, [column.name]), el('dd', {}, [metadataText(column, index) ?? '—'])]),
    hidden > 0 && el('dd', { class: 'inspector-more' }, [`${plural(hidden, 'more column')} in the CSV export`]),
  ]);
}

function figure(caption: string, canvas: HTMLCanvasElement | undefined): HTMLElement {
  return el('figure', {}, [canvas ?? el('div', { class: 'thumb large placeholder' }), el('figcaption', {}, [caption])]);
}
