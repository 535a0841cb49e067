/**
 * The samples a checkpoint reconstructs worst, largest error first, a page at a time (a 70k-sample
 * session never builds 70k rows): each with its input, its reconstruction and where the two differ,
 * and for models with discrete units the atoms or codes it used. A row picks its sample on the map;
 * the chart above compares the classes' mean errors, and a bar filters the table to its class.
 */
import type { Session } from '../../../shared/protocol';
import { failureText, formatCount, formatValue, plural } from '../../common/format';
import { labelText } from '../../common/map/labels';
import { type Data, drawChart, Plotly, type PlotlyHTMLElement } from '../../common/plot/plotly';
import { onThemeChange, themedLayout } from '../../common/plot/theme';
import { imageCanvas } from '../../common/render/images';
import { categoryColor } from '../../common/render/palette';
import { button, type Choice, type Field, notice, select } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import { LatestOnly } from '../latestOnly';
import type { Explore, SamplePair } from './explore';
import { absoluteDifference } from './imageDifference';
import { openTab } from './tabSwitch';
import { View } from './view';

const PAGE = 100;
/** A VQ-VAE lists a code per position; past this many the cell shortens and its tooltip keeps all. */
const UNITS_SHOWN = 16;
const ALL = 'all';

export class WorstSamplesView extends View {
  private readonly message = el('div', { class: 'view-message' });
  private readonly summary = el('span', { class: 'hint' });
  private readonly chartHost = el('div', { class: 'worst-chart' });
  private readonly body = el('tbody', {});
  private readonly more = el('div', { class: 'worst-more' });
  private readonly loader = new LatestOnly<number>((count) => this.showRows(count), (error) => show(this.message, notice(failureText('Loading the samples failed', error), 'error')));
  /** Units each sample used, by sample index: a page shown again asks the engine only for new rows. */
  private readonly unitsCache = new Map<number, Int32Array>();
  private readonly errors: Float32Array | undefined;
  /** Sample indices by error, largest first; `rows` is the part the class filter keeps. */
  private order = new Int32Array(0);
  private rows = new Int32Array(0);
  private filter: Field<string> | undefined;
  private plot: PlotlyHTMLElement | undefined;
  private started = false;

  constructor(private readonly explore: Explore) {
    super('worst-view');
    const { session } = explore;
    this.errors = session.reconstructionError;
    if (!this.errors) {
      this.element.append(notice(`Worst samples ranks samples by reconstruction error, which this session does not have — ${session.noDecoderReason ?? 'it does not reconstruct its samples'}.`));
      return;
    }
    const classes = classesOf(session);
    if (classes.length > 0) {
      const choices: Choice<string>[] = [{ value: ALL, label: 'all classes' }, ...classes.map((label) => ({ value: String(label), label: className(session, label) }))];
      this.filter = select('Class', choices, ALL, (value) => this.filterTo(value));
    }
    const units = session.capabilities.features === 'codebook' ? 'Codes (per position)' : 'Atoms (strongest first)';
    const head = el('thead', {}, [
      el('tr', {}, [
        ...['Rank', 'Sample', 'Label', 'Error', 'Input', 'Reconstruction', '|Difference|'].map((title) => el('th', { attrs: { scope: 'col' } }, [title])),
        session.capabilities.features && el('th', { attrs: { scope: 'col' } }, [units]),
      ]),
    ]);
    this.element.append(
      el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Worst samples' } }, [this.filter?.element, this.summary]),
      ...(classes.length > 0 ? [el('h3', { class: 'worst-heading' }, ['Mean reconstruction error per class']), this.chartHost] : []),
      this.message,
      el('table', { class: 'worst-table', attrs: { 'aria-label': 'Samples by reconstruction error, largest first' } }, [head, this.body]),
      this.more,
    );
    this.onDispose(
      onThemeChange(() => void this.drawClassChart()),
      () => this.plot && Plotly.purge(this.plot),
    );
  }

  shown(): void {
    if (!this.errors) return;
    if (this.plot) Plotly.Plots.resize(this.plot);
    if (this.started) return;
    this.started = true;
    const errors = this.errors;
    this.order = Int32Array.from(errors.keys()).sort((a, b) => errors[b]! - errors[a]! || a - b);
    this.rows = this.order;
    this.drawClassChart().catch((error: unknown) => show(this.message, notice(failureText('Drawing the class chart failed', error), 'error')));
    this.loader.push(PAGE);
  }

  private filterTo(value: string): void {
    const labels = this.explore.session.labels;
    this.rows = value === ALL || !labels ? this.order : this.order.filter((index) => labels[index] === Number(value));
    this.filter?.set(value);
    this.loader.push(PAGE);
  }

  private async showRows(count: number): Promise<void> {
    const before = this.body.children.length;
    const fromMore = this.more.contains(document.activeElement);
    const indices = Array.from(this.rows.subarray(0, count));
    show(this.message, notice(`Loading ${formatCount(indices.length)} samples…`, 'busy'));
    const [pairs] = await Promise.all([this.explore.samples.get(indices), this.loadUnits(indices)]);
    show(this.message);
    show(this.body, ...indices.map((index, rank) => this.row(index, rank, pairs[rank]!)));
    this.summary.textContent = `${formatCount(indices.length)} of ${plural(this.rows.length, 'sample')} · error = mean squared error per sample · click a row (or Enter) to pick it on the map`;
    const left = this.rows.length - indices.length;
    show(this.more, left > 0 && button(`Show ${formatCount(Math.min(PAGE, left))} more`, () => this.loader.push(count + PAGE), { secondary: true }));
    // After "more", keyboard users carry on at the first new row rather than at the top.
    if (fromMore && indices.length > before) (this.body.children[before] as HTMLElement).focus();
  }

  private async loadUnits(indices: number[]): Promise<void> {
    const { session, client } = this.explore;
    const missing = indices.filter((index) => !this.unitsCache.has(index));
    if (!session.capabilities.features || missing.length === 0) return;
    const { units, offsets } = await client.request('unitsUsed', { sessionId: session.sessionId, indices: Int32Array.from(missing) }).result;
    missing.forEach((index, row) => this.unitsCache.set(index, units.slice(offsets[row]!, offsets[row + 1]!)));
  }

  private row(index: number, rank: number, pair: SamplePair): HTMLTableRowElement {
    const { session } = this.explore;
    const label = labelText(session, index);
    const error = formatValue(this.errors![index]!);
    const units = this.unitsCache.get(index);
    const pick = () => this.pick(index);
    return el(
      'tr',
      {
        class: 'worst-row',
        tabIndex: 0,
        title: `Pick #${index} on the map`,
        attrs: { 'data-index': String(index), 'aria-label': `Rank ${rank + 1}: sample #${index}${label === undefined ? '' : `, ${label}`}, error ${error}. Enter picks it on the map.` },
        on: {
          click: pick,
          keydown: (event) => {
            if ((event as KeyboardEvent).key === 'Enter') pick();
          },
        },
      },
      [
        el('td', { class: 'number' }, [String(rank + 1)]),
        el('td', { class: 'number' }, [`#${index}`]),
        el('td', {}, [label ?? '—']),
        el('td', { class: 'number' }, [error]),
        el('td', {}, [imageCanvas(pair.input, 0)]),
        el('td', {}, [pair.reconstruction && imageCanvas(pair.reconstruction, 0)]),
        el('td', {}, [pair.reconstruction && imageCanvas(absoluteDifference(pair.input, pair.reconstruction), 0, 'thumb difference')]),
        session.capabilities.features && unitsCell(units),
      ],
    );
  }

  private pick(index: number): void {
    const { state } = this.explore;
    state.update({ picks: [...state.value.picks, index].slice(-2) });
    openTab(this.element, 'map');
  }

  /** Mean error per class as bars in the map's class colors; a bar's click filters the table to it. */
  private async drawClassChart(): Promise<void> {
    const { session } = this.explore;
    const classes = classesOf(session);
    if (classes.length === 0 || !this.errors || !this.started) return;
    const sums = new Float64Array(classes.at(-1)! + 1);
    const counts = new Float64Array(sums.length);
    this.errors.forEach((error, index) => {
      const label = session.labels![index]!;
      sums[label]! += error;
      counts[label]!++;
    });
    const data = [
      {
        type: 'bar',
        x: classes.map((label) => className(session, label)),
        y: classes.map((label) => sums[label]! / counts[label]!),
        marker: { color: classes.map(categoryColor) },
        hovertemplate: '%{x}: mean error %{y:.4g}<extra></extra>',
      },
    ] as Data[];
    const theme = themedLayout();
    const layout = {
      ...theme,
      xaxis: { ...theme.xaxis, type: 'category' as const, title: { text: 'class' } },
      yaxis: { ...theme.yaxis, title: { text: 'mean error' } },
      margin: { l: 56, r: 8, t: 4, b: 40 },
      showlegend: false,
    };
    this.plot = await drawChart(this.plot, this.chartHost, data, layout, (event) => {
      const bar = event.points[0]?.pointIndex;
      if (bar !== undefined) this.filterTo(String(classes[bar]));
    });
  }
}

function classesOf(session: Session): number[] {
  return session.labels ? [...new Set(session.labels)].sort((a, b) => a - b) : [];
}

function className(session: Session, label: number): string {
  return session.labelNames?.[label] ?? String(label);
}

function unitsCell(units: Int32Array = new Int32Array(0)): HTMLElement {
  const all = Array.from(units).join(' ');
  const shown = Array.from(units.subarray(0, UNITS_SHOWN)).join(' ');
  const left = units.length - UNITS_SHOWN;
  return el('td', { class: 'units', title: all }, [left > 0 ? `${shown} … +${left}` : shown]);
}
