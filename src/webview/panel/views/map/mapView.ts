/**
 * The latent map: every sample as a point, projected (raw dims, PCA, UMAP, t-SNE), colored by
 * label, reconstruction error, one latent dim or a metadata column; hover inspects, click picks
 * points for the other views, box/lasso selects, search highlights, and the coordinates export as CSV.
 */
import type { MetadataColumn, ProjectionMethod } from '../../../../shared/protocol';
import { coordinatesCsv } from '../../csv';
import { failureText, formatCount, formatDuration, plural } from '../../../common/format';
import { isCancelled } from '../../../../shared/rpc';
import { vscodeApi } from '../../host/vscodeApi';
import { LatestOnly } from '../../latestOnly';
import { measureSince, timings } from '../../timings';
import { button, type Choice, notice, select, textField } from '../../../common/ui/controls';
import { el, show } from '../../../common/ui/dom';
import { type Explore } from '../explore';
import { labelText, metadataText } from '../../../common/map/labels';
import { View } from '../view';
import { Inspector } from './inspector';
import { columnLegend, labelLegend } from '../../../common/map/legend';
import { type Coloring, coloring, columnColoring, type ColorMode, colorModes } from '../../../common/map/mapColoring';
import { ScatterMap, type VisibleRegion } from '../../../common/map/scatterMap';
import { availableMethods, methodFor, methodNames, type Projection, rawProjection } from '../../../common/map/projection';
import { type EngineProjection, engineProjection, type RunningProjection, tsneChoice } from './engineProjection';
import { SubsampleRows } from './subsampleRows';
import { SEARCH_HELP, search, type SearchResult } from '../../../common/map/search';

/** What the map is colored by, after falling back from a choice this session cannot show. */
type ColorChoice = { mode: Exclude<ColorMode, 'column'> } | { mode: 'column'; column: MetadataColumn };

/** The Color by option of a metadata column: prefixed, so a column named "label" stays apart from the labels. */
const COLUMN_CHOICE = 'column:';

export class MapView extends View {
  private readonly toolbar = el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Map' } });
  private readonly progressLabel = el('span', { class: 'progress-label' });
  private readonly progressBar = el('vscode-progress-bar', { max: 100, attrs: { 'aria-label': 'Projection progress' } });
  private readonly progress = el('div', { class: 'progress-row', hidden: true }, [this.progressLabel, this.progressBar, button('Cancel', () => this.running?.cancel(), { secondary: true })]);
  private readonly message = el('div', { class: 'view-message' });
  /** Why the search cannot be read, and what to type instead. */
  private readonly searchMessage = el('div', { class: 'search-message' });
  private readonly inspector: Inspector;
  private readonly exportSelection = button('Export selection', () => this.export(this.explore.selection.value), { secondary: true });
  private readonly dimFields: HTMLElement[] = [];
  private readonly colorDimField: HTMLElement;
  /** Label colors and names; shown while the map is colored by label. */
  private readonly labelLegend: HTMLElement | undefined;
  /** Holds the legend of the current coloring, if it has one. */
  private readonly legendSlot = el('div', { class: 'map-legend' });
  private readonly map: ScatterMap;
  private projection: Projection | undefined;
  /** Where the map shows a subsample: which sample each drawn row is. */
  private subsample: SubsampleRows | undefined;
  private readonly projections = new Map<ProjectionMethod, EngineProjection>();
  private running: RunningProjection | undefined;
  /** When the running projection started, for its ETA. */
  private runningSince = 0;
  /** The t-SNE offer while it is shown: any other choice takes it away. */
  private offered: HTMLElement | undefined;
  /** When the engine's projected points arrived, until the map has drawn them. */
  private receivedAt: number | undefined;
  private found: SearchResult | undefined;
  private colors: { key: string; coloring: Coloring; legend?: HTMLElement } | undefined;
  /** What the scatter was last given: a change of either uploads the points again, marks do not. */
  private drawnScene: { projection: Projection; coloring: Coloring } | undefined;
  private readonly redraw = new LatestOnly<null>(() => this.draw(), (error) => show(this.message, notice(failureText('Drawing the map failed', error), 'error')));
  private started = false;

  constructor(private readonly explore: Explore) {
    super('map-view');
    const { session, state } = explore;
    this.inspector = new Inspector(explore);
    this.map = new ScatterMap(
      {
        hover: (row) => this.inspector.inspect(this.sampleOf(row)),
        pick: (row) => state.update({ picks: [...state.value.picks, this.sampleOf(row)].slice(-2) }),
        select: (rows) => this.select(rows.map((row) => this.sampleOf(row))),
        view: (region) => this.publishRegion(region),
      },
      { wheelZoom: true, tools: true },
    );
    const methods = availableMethods(session.latentDim);
    const dimChoices: Choice<string>[] = Array.from({ length: session.latentDim }, (_, i) => ({ value: String(i), label: `z${i}` }));
    const colorChoices: Choice<string>[] = [
      ...(session.labels ? [{ value: 'label', label: 'label' }] : []),
      ...(session.reconstructionError ? [{ value: 'error', label: 'reconstruction error' }] : []),
      { value: 'dim', label: 'latent dim' },
      ...(session.metadata ?? []).map(({ name }) => ({ value: COLUMN_CHOICE + name, label: `column: ${name}` })),
    ];
    const searchHints = [session.labels && 'label', '#index', session.metadata?.length && 'column:value, column>number'].filter(Boolean).join(', ');
    const controls = {
      method: select('Projection', methods.map((value) => ({ value, label: methodNames[value] })), this.method(), (projection) => state.update({ projection })),
      x: select('x', dimChoices, String(this.rawDims()[0]), (value) => state.update({ rawDims: [Number(value), this.rawDims()[1]] })),
      y: select('y', dimChoices, String(this.rawDims()[1]), (value) => state.update({ rawDims: [this.rawDims()[0], Number(value)] })),
      color: select('Color by', colorChoices, choiceValue(this.colorChoice()), (value) =>
        state.update(value.startsWith(COLUMN_CHOICE) ? { colorBy: 'column', colorColumn: value.slice(COLUMN_CHOICE.length) } : { colorBy: colorModes.find((mode) => mode === value) ?? 'dim' }),
      ),
      colorDim: select('Dim', dimChoices, String(state.value.colorDim), (value) => state.update({ colorDim: Number(value) })),
      search: textField('Search', state.value.search, (value) => state.update({ search: value }), { placeholder: searchHints, size: 'wide' }),
    };
    if (session.metadata?.length) controls.search.element.title = SEARCH_HELP;
    this.dimFields.push(controls.x.element, controls.y.element);
    this.colorDimField = controls.colorDim.element;
    this.toolbar.append(
      ...(methods.length > 1 ? [controls.method.element] : []),
      controls.x.element,
      controls.y.element,
      controls.color.element,
      controls.colorDim.element,
      controls.search.element,
      el('span', { class: 'spacer' }),
      button('Export CSV', () => this.export(), { secondary: true, title: 'Save index, x, y, label and metadata columns of every point' }),
      this.exportSelection,
    );
    this.onDispose(
      state.subscribe((next, changed) => {
        if ('projection' in changed) controls.method.set(this.method());
        if ('search' in changed) controls.search.set(next.search);
        if ('projection' in changed || 'rawDims' in changed) void this.project();
        else if ('colorBy' in changed || 'colorColumn' in changed || 'colorDim' in changed || 'picks' in changed || 'search' in changed) this.changed();
      }),
    );
    this.labelLegend = labelLegend(session, (query) => this.toggleSearch(query));
    this.element.append(this.toolbar, this.searchMessage, this.progress, this.message, el('div', { class: 'map-area' }, [this.map.element, this.inspector.element, this.legendSlot]));
  }

  shown(): void {
    if (!this.started) {
      this.started = true;
      void this.project();
    } else {
      this.map.resize();
    }
  }

  override dispose(): void {
    this.stopProjection();
    super.dispose();
    this.map.dispose();
  }

  private method(): ProjectionMethod {
    return methodFor(this.explore.session.latentDim, this.explore.state.value.projection);
  }

  private rawDims(): [number, number] {
    const last = this.explore.session.latentDim - 1;
    const [x = 0, y = 1] = this.explore.state.value.rawDims;
    return [Math.min(x, last), Math.min(y, last)];
  }

  /**
   * The chosen coloring, or the next one the session has (a saved column another file lacks, labels
   * a file lacks): label, then error, then latent dim.
   */
  private colorChoice(): ColorChoice {
    const { session } = this.explore;
    const { colorBy, colorColumn } = this.explore.state.value;
    const column = colorBy === 'column' ? session.metadata?.find(({ name }) => name === colorColumn) : undefined;
    if (column) return { mode: 'column', column };
    if ((colorBy === 'label' || colorBy === 'column') && session.labels) return { mode: 'label' };
    return { mode: colorBy !== 'dim' && session.reconstructionError ? 'error' : 'dim' };
  }

  /** A legend click searches for its category; a second click on it clears the search. */
  private toggleSearch(query: string): void {
    const { state } = this.explore;
    state.update({ search: state.value.search === query ? '' : query });
  }

  private async project(): Promise<void> {
    const method = this.method();
    this.stopProjection();
    if (this.offered?.isConnected) show(this.message);
    for (const fieldElement of this.dimFields) fieldElement.hidden = method !== 'raw';
    if (method === 'raw') {
      this.showProjection(rawProjection(this.explore.session, this.rawDims()));
      return;
    }
    const cached = this.projections.get(method);
    if (cached) {
      this.showProjection(cached);
      return;
    }
    const choice = method === 'tsne' ? tsneChoice(this.explore.session) : undefined;
    if (choice) {
      this.offer(choice);
      return;
    }
    await this.run(method);
  }

  /** t-SNE is out of reach for every point: the user chooses UMAP of all, or t-SNE of a stated subsample — never a silent one. */
  private offer({ reason, subsample }: { reason: string; subsample: number }): void {
    const { session, state } = this.explore;
    const all = formatCount(session.count);
    const shown = this.projection ? ` The map still shows ${methodNames[this.projection.method]}.` : '';
    this.offered = el('div', { class: 'projection-offer' }, [
      notice(reason + shown, 'info'),
      button(`UMAP of all ${all}`, () => state.update({ projection: 'umap' })),
      button(`t-SNE of a random ${formatCount(subsample)}`, () => void this.run('tsne', subsample), { secondary: true }),
    ]);
    show(this.message, this.offered);
  }

  private async run(method: Exclude<ProjectionMethod, 'raw'>, subsample?: number): Promise<void> {
    // Progress may still arrive after a cancel or a newer choice; only the current run shows it.
    const running: RunningProjection = engineProjection(this.explore.client, this.explore.session, method, (fraction, stage) => {
      if (this.running === running) this.showProgress(method, fraction, stage);
    }, subsample);
    this.running = running;
    this.runningSince = performance.now();
    this.showProgress(method, 0, 'starting');
    if (!this.projection) show(this.message, notice(`Projecting ${plural(this.explore.session.count, 'point')} with ${methodNames[method]}…`, 'busy'));
    try {
      const projection = await running.result;
      if (this.running !== running) return;
      this.receivedAt = performance.now();
      this.projections.set(method, projection);
      show(this.message);
      this.showProjection(projection);
    } catch (error) {
      if (this.running !== running) return;
      const shown = this.projection ? ` — still showing ${methodNames[this.projection.method]}` : '';
      show(this.message, notice(isCancelled(error) ? `${methodNames[method]} cancelled${shown}` : failureText(`${methodNames[method]} failed`, error) + shown, isCancelled(error) ? 'info' : 'error'));
      // The selector goes back to what the map shows, so state and picture agree.
      if (this.projection) this.explore.state.update({ projection: this.projection.method });
    } finally {
      if (this.running === running) {
        this.running = undefined;
        this.progress.hidden = true;
      }
    }
  }

  private showProjection(projection: EngineProjection): void {
    this.projection = projection;
    this.subsample = projection.subsample && new SubsampleRows(projection.subsample, this.explore.session.count);
    this.changed();
  }

  /** The sample a drawn row shows. */
  private sampleOf(row: number): number {
    return this.subsample ? this.subsample.sample(row) : row;
  }

  private stopProjection(): void {
    this.running?.cancel();
    this.running = undefined;
    this.progress.hidden = true;
  }

  private showProgress(method: ProjectionMethod, fraction: number, stage: string): void {
    this.progress.hidden = false;
    // The engine weighs its stages by their expected times, so the fraction grows about evenly and the rest extrapolates.
    const elapsed = (performance.now() - this.runningSince) / 1000;
    const eta = fraction > 0.02 && elapsed > 1 ? ` · ${formatDuration((elapsed * (1 - fraction)) / fraction)} left` : '';
    this.progressLabel.textContent = `${methodNames[method]}: ${stage} · ${Math.round(fraction * 100)}%${eta}`;
    this.progressBar.value = Math.round(fraction * 100);
  }

  /** Something the picture depends on changed: recompute the search, then redraw (coalesced). */
  private changed(): void {
    const { state, session } = this.explore;
    this.colorDimField.hidden = this.colorChoice().mode !== 'dim';
    show(this.legendSlot, this.currentColors().legend);
    this.found = search(session, state.value.search);
    show(this.searchMessage, this.found?.malformed && notice(this.found.description, 'error'));
    if (this.found?.indices.length === 1) this.inspector.inspect(this.found.indices[0]!);
    if (this.projection) this.redraw.push(null);
  }

  /** The coloring and its legend, made again only when the choice changed. */
  private currentColors(): { coloring: Coloring; legend?: HTMLElement } {
    const choice = this.colorChoice();
    const dim = this.explore.state.value.colorDim;
    const key = choice.mode === 'dim' ? `dim:${dim}` : choiceValue(choice);
    if (this.colors?.key === key) return this.colors;
    if (choice.mode === 'column') {
      const { coloring, ranked } = columnColoring(choice.column);
      this.colors = { key, coloring, legend: columnLegend(choice.column, ranked, (query) => this.toggleSearch(query)) };
    } else {
      this.colors = { key, coloring: coloring(this.explore.session, choice.mode, dim), legend: choice.mode === 'label' ? this.labelLegend : undefined };
    }
    return this.colors;
  }

  private async draw(): Promise<void> {
    const projection = this.projection;
    if (!projection) return;
    const { coloring } = this.currentColors();
    // Picks and search only move marks; the points go to the GPU again only for new coordinates or colors.
    const { picks } = this.explore.state.value;
    const matches = this.found?.indices ?? [];
    const subsample = this.subsample;
    this.map.mark(subsample ? { picks: subsample.rows(picks), matches: subsample.rows(matches) } : { picks, matches });
    if (this.drawnScene?.projection !== projection || this.drawnScene.coloring !== coloring) {
      this.drawnScene = { projection, coloring };
      await this.map.show(projection, subsample ? subsample.coloring(coloring) : coloring);
    }
    if (this.receivedAt !== undefined) measureSince(timings.pointsToMap, this.receivedAt);
    this.receivedAt = undefined;
    this.updateStatus();
  }

  private select(indices: number[]): void {
    this.explore.selection.set(indices);
    this.updateStatus();
  }

  /** Raw maps tell the manifold grid which part of latent space is in view (when that changed). */
  private publishRegion({ x, y }: VisibleRegion): void {
    const dims = this.projection?.dims;
    if (!dims) return;
    const region = { x, y, dims };
    if (JSON.stringify(region) !== JSON.stringify(this.explore.mapRegion.value)) this.explore.mapRegion.set(region);
  }

  private updateStatus(): void {
    const projection = this.projection;
    if (!projection) return;
    const { session } = this.explore;
    const choice = this.colorChoice();
    const coloredBy = choice.mode === 'column' ? `column ${choice.column.name}` : choice.mode === 'dim' ? `z${this.explore.state.value.colorDim}` : choice.mode === 'error' ? 'reconstruction error' : 'label';
    const shown = projection.x.length === session.count ? `${formatCount(session.count)} points` : `showing ${formatCount(projection.x.length)} of ${formatCount(session.count)} points`;
    const parts = [shown, methodNames[projection.method], `colored by ${coloredBy}`];
    const selected = this.explore.selection.value.length;
    if (selected > 0) parts.push(`${formatCount(selected)} selected`);
    if (this.found && !this.found.malformed) parts.push(this.found.description);
    if (projection.note) parts.push(projection.note);
    this.explore.status.set(parts.join(' · '));
    this.exportSelection.disabled = selected === 0;
  }

  /** The map's points, or the selected ones, as CSV: sample index, map coordinates, label and metadata. */
  private export(selected?: readonly number[]): void {
    const projection = this.projection;
    if (!projection) return;
    const { session } = this.explore;
    const subsample = this.subsample;
    const samples = selected ?? subsample?.samples ?? Array.from({ length: projection.x.length }, (_, i) => i);
    const rows = subsample ? subsample.rows(samples) : samples;
    const x = selected || subsample ? Float32Array.from(rows, (row) => projection.x[row]!) : projection.x;
    const y = selected || subsample ? Float32Array.from(rows, (row) => projection.y[row]!) : projection.y;
    const columns = (session.metadata ?? []).map((column) => ({ name: column.name, textOf: (index: number) => metadataText(column, index) ?? '' }));
    const content = coordinatesCsv({ indices: samples, x, y, labelOf: session.labels ? (index) => labelText(session, index) ?? '' : undefined, columns });
    const name = `${selected ? 'selection' : 'latent-map'}-${projection.method}.csv`;
    vscodeApi.postMessage({ type: 'saveFile', suggestedName: name, content });
  }
}

function choiceValue(choice: ColorChoice): string {
  return choice.mode === 'column' ? COLUMN_CHOICE + choice.column.name : choice.mode;
}
