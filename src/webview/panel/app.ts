/**
 * The panel: follows the host's target — exploring a checkpoint (open a session, then the explorer
 * tabs), following a training run, or comparing two runs — and keeps the header and status line.
 */
import type { HostMessage, PanelTarget } from '../../shared/webviewProtocol';
import { runName } from '../../shared/paths';
import { failureText, formatCount } from '../common/format';
import { RpcClient } from '../../shared/rpc';
import { listenForMessages, reportProblem } from './host/inbox';
import { vscodeApi } from './host/vscodeApi';
import { button, notice } from '../common/ui/controls';
import { el, show } from '../common/ui/dom';
import { PANEL_SHOWN } from '../common/map/lostContext';
import { type Preferences, StateStore, type ViewName, viewNames } from './uiState';
import { CompareView } from './views/compare/compareView';
import { type CompareTarget, openRuns } from './views/compare/runs';
import { DirectionsView } from './views/directionsView';
import { createExplore } from './views/explore';
import { FeaturesView } from './views/featuresView';
import { InterpolationView } from './views/interpolationView';
import { ManifoldView } from './views/manifoldView';
import { PriorSamplesView } from './views/priorSamplesView';
import { LatentTimelineView } from './views/latentTimelineView';
import { MapView } from './views/map/mapView';
import { decodingView } from './views/noDecoderView';
import { TrainingView } from './views/trainingView';
import { TraversalView } from './views/traversalView';
import { UnitHealthView } from './views/unitHealthView';
import { WorstSamplesView } from './views/worstSamplesView';
import type { View } from './views/view';

const tabTitles: Record<ViewName, string> = {
  map: 'Latent map',
  timeline: 'Timeline',
  interpolation: 'Interpolation',
  traversal: 'Traversal',
  directions: 'Directions',
  manifold: 'Manifold grid',
  features: 'Features',
  worst: 'Worst samples',
  prior: 'Prior samples',
  health: 'Unit health',
  training: 'Training',
};

export class App {
  private readonly client = new RpcClient({
    send: (message) => vscodeApi.postMessage(message),
    // Events of no request the page made: the run the host follows for this panel.
    onEvent: (event) => {
      if (event.event === 'progress') this.training?.progress(event.data);
    },
    onProblem: reportProblem,
  });
  private readonly state = new StateStore(vscodeApi.getState());
  private readonly header = el('header', { class: 'header' });
  private readonly main = el('main', { class: 'content' });
  private readonly statusLine = el('footer', { class: 'status-line', attrs: { role: 'status' } });
  private views: View[] = [];
  private training: TrainingView | undefined;
  private teardown: (() => void)[] = [];
  /** The user's settings from the last init; they also apply when the page itself switches target. */
  private preferences: Preferences;
  /** Bumped on every new target so a slow openSession for an old one is dropped. */
  private generation = 0;

  constructor(root: HTMLElement) {
    root.append(this.header, this.main, this.statusLine);
    show(this.main, notice('Waiting for the extension…', 'busy'));
  }

  start(): void {
    listenForMessages({ engine: (message) => this.client.receive(message), host: (message) => this.onHostMessage(message) });
    vscodeApi.postMessage({ type: 'ready' });
  }

  private onHostMessage(message: HostMessage): void {
    if (message.type === 'init') {
      this.preferences = message.preferences;
      this.open(message.target);
    }
    else if (message.type === 'trainFinished') this.training?.finished(message.result);
    else if (message.type === 'trainFailed') this.training?.failed(message.message);
    else if (message.type === 'shown') document.dispatchEvent(new Event(PANEL_SHOWN));
    else this.header.after(notice(`${runName(message.checkpoint)} was deleted on disk (${message.checkpoint}). What this panel loaded stays until you close it; it cannot be reopened.`, 'error'));
  }

  private open(target: PanelTarget): void {
    this.close();
    this.state.retarget(target, this.preferences);
    const generation = ++this.generation;
    if (target.view === 'train') this.follow(target.params);
    else if (target.view === 'compare') void this.compare(target, generation);
    else void this.explore(target, generation);
  }

  private close(): void {
    for (const dispose of this.teardown) dispose();
    for (const view of this.views) view.dispose();
    this.teardown = [];
    this.views = [];
    this.training = undefined;
    show(this.statusLine);
  }

  private follow(params: Extract<PanelTarget, { view: 'train' }>['params']): void {
    const training = new TrainingView(this.state, {
      params,
      explore: (checkpoint) => this.open({ view: 'explore', checkpoint }),
    });
    this.training = training;
    this.views = [training];
    show(this.header, el('h1', {}, ['Latent Lab · training']));
    show(this.main, training.element);
    show(this.statusLine, `${params.model} · ${params.data} · ${params.epochs} epochs`);
  }

  /** A checkpoint and its data, or bare latents: either way one session and the explorer tabs. */
  private async explore(target: Extract<PanelTarget, { view: 'explore' | 'latents' | 'model' }>, generation: number): Promise<void> {
    const { view: _view, ...params } = target;
    const source = target.view === 'latents' ? target.latents : target.view === 'model' ? target.model.model : target.checkpoint;
    show(this.header, el('h1', {}, ['Latent Lab']), el('span', { class: 'subtitle' }, [source]));
    show(this.main, notice(target.view === 'latents' ? `Opening ${source}…` : `Opening ${source} and encoding its data…`, 'busy'));
    let session;
    try {
      session = await this.client.request('openSession', params).result;
    } catch (error) {
      if (generation !== this.generation) return;
      show(this.main, notice(failureText(`Could not open ${source}`, error), 'error'), button('Retry', () => this.open(target)));
      return;
    }
    if (generation !== this.generation) {
      this.closeSession(session.sessionId);
      return;
    }
    const explore = createExplore(this.client, session, this.state);
    const training = new TrainingView(this.state);
    training.showHistory(session.history, session.kind === 'latents' ? 'latents file' : session.kind === 'foreign' ? 'model' : 'checkpoint');
    const views: Record<ViewName, View> = {
      map: new MapView(explore),
      timeline: new LatentTimelineView(explore),
      interpolation: decodingView(session, 'Interpolation', () => new InterpolationView(explore)),
      traversal: decodingView(session, 'Traversal', () => new TraversalView(explore)),
      directions: decodingView(session, 'Moving points along a direction', () => new DirectionsView(explore)),
      manifold: decodingView(session, 'The manifold grid', () => new ManifoldView(explore)),
      features: decodingView(session, 'Features', () => new FeaturesView(explore)),
      worst: new WorstSamplesView(explore),
      prior: new PriorSamplesView(explore),
      health: new UnitHealthView(explore),
      training,
    };
    this.views = viewNames.map((name) => views[name]);
    // Until the map reports (it starts when first shown, which a restored tab may put off), the count.
    show(this.statusLine, `${formatCount(session.count)} points`);
    this.teardown.push(
      explore.status.subscribe((text) => show(this.statusLine, text)),
      () => this.closeSession(session.sessionId),
    );
    const shape = session.inputShape.join('×');
    const subtitle =
      session.kind === 'latents'
        ? `latents · ${session.latentDim}-d · ${formatCount(session.count)} points from ${runName(session.dataSource)}`
        : `${session.kind} · ${session.latentDim}-d latent · ${formatCount(session.count)} samples of ${shape} from ${session.dataSource}`;
    show(this.header, el('h1', {}, ['Latent Lab']), el('span', { class: 'subtitle' }, [subtitle]));
    show(this.main, ...this.subsampleNotice(session.count, session.totalCount, () => this.open({ ...target, limit: undefined })), this.tabs(views));
  }

  private async compare(target: CompareTarget, generation: number): Promise<void> {
    show(this.header, el('h1', {}, ['Latent Lab · compare']), el('span', { class: 'subtitle' }, [target.checkpoints.map(runName).join(' ↔ ')]));
    if (target.checkpoints.length !== 2) {
      show(this.main, notice(`Compare Runs needs two checkpoints; it was given ${target.checkpoints.length}.`, 'error'));
      return;
    }
    const lines = el('div', { class: 'run-lines' });
    show(this.main, lines);
    const { runs, failed } = await openRuns(this.client, target, lines);
    if (generation !== this.generation || failed) {
      for (const run of runs) this.closeSession(run.session.sessionId);
      if (generation === this.generation) this.main.append(button('Retry', () => this.open(target)));
      return;
    }
    const view = new CompareView(this.client, this.state, runs, this.preferences?.defaultProjection ?? 'pca');
    this.views = [view];
    this.teardown.push(
      view.status.subscribe((text) => show(this.statusLine, text)),
      ...runs.map((run) => () => this.closeSession(run.session.sessionId)),
    );
    const [first] = runs;
    show(this.main, ...(first ? this.subsampleNotice(first.session.count, first.session.totalCount, () => this.open({ ...target, limit: undefined })) : []), view.element);
    show(this.statusLine, view.status.value);
    // Once laid out, so the charts size themselves to the page.
    requestAnimationFrame(() => view.shown());
  }

  /** Never a silent subsample: the latentLab.maxPoints limit is stated, with a way to load every point. */
  private subsampleNotice(count: number, total: number, showAll: () => void): HTMLElement[] {
    if (count >= total) return [];
    return [
      el('div', { class: 'subsample-notice', attrs: { role: 'note' } }, [
        `Showing the first ${formatCount(count)} of ${formatCount(total)} samples (setting latentLab.maxPoints). `,
        button(`Show all ${formatCount(total)}`, showAll),
      ]),
    ];
  }

  /** The engine frees the session's model and data; nothing waits for the answer. */
  private closeSession(sessionId: string): void {
    this.client.request('closeSession', { sessionId }).result.catch(() => undefined);
  }

  private tabs(views: Record<ViewName, View>): HTMLElement {
    const selected = Math.max(0, viewNames.indexOf(this.state.value.view));
    const tabs = el('vscode-tabs', { selectedIndex: selected, on: { 'vsc-tabs-select': (event) => this.select((event as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex) } }, [
      ...viewNames.map((name) => el('vscode-tab-header', { attrs: { 'data-view': name } }, [tabTitles[name]])),
      ...viewNames.map((name) => el('vscode-tab-panel', { attrs: { 'data-view': name } }, [views[name].element])),
    ]);
    // The selected panel is visible once the tabs have rendered; its view builds then, at its real size.
    requestAnimationFrame(() => views[viewNames[selected]!].shown());
    return tabs;
  }

  private select(index: number): void {
    const name = viewNames[index];
    if (!name) return;
    this.state.update({ view: name });
    // After the panel is unhidden, so views measure (and Plotly sizes) the visible layout.
    requestAnimationFrame(() => this.views[index]?.shown());
  }
}
