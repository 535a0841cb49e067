/**
 * The latent space over training: the probe samples a run recorded after every epoch, on a map with
 * an epoch scrubber and a play button. Each epoch's layout is the engine's (its own PCA, aligned
 * onto the epoch before), so points move only where the space reorganised; between epochs they glide.
 * All epochs share one frame (the extent of every layout), so the camera stays put while they play.
 * While the tab is visible it asks for new epochs every few seconds: a run still training adds them.
 */
import type { ResultOf } from '../../../shared/protocol';
import { failureText, plural } from '../../common/format';
import { type Coloring, coloring } from '../../common/map/mapColoring';
import type { Projection } from '../../common/map/projection';
import { ScatterMap } from '../../common/map/scatterMap';
import { button, notice, slider } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import type { Explore } from './explore';
import { LatestOnly } from '../latestOnly';
import { Inspector } from './map/inspector';
import { View } from './view';

type Timeline = ResultOf<'timeline'>;

/** How often a visible timeline asks for epochs a live run has added. */
const POLL_MS = 2000;
/** Playing: each epoch is held this long, the first part of it spent gliding from the one before. */
const EPOCH_MS = 900;
const GLIDE_MS = 450;

export class LatentTimelineView extends View {
  // Before the scrubber, whose caption reads them as it is made.
  private epochs: number[] = [];
  private readonly message = el('div', { class: 'view-message' });
  private readonly caption = el('span', { class: 'hint' });
  private readonly playButton = button('Play', () => this.togglePlay(), { title: 'Play the epochs in order (Space)' });
  private readonly scrubber = slider({ label: 'Epoch', min: 0, max: 0, step: 1, value: 0, format: (index) => this.epochText(index), onInput: (index) => this.showEpoch(index) });
  private readonly inspector: Inspector;
  private readonly map: ScatterMap;
  /** Per epoch, [probes, 2]. */
  private layouts: Float32Array[] = [];
  private probes: Int32Array = new Int32Array(0);
  private extent: Projection['extent'];
  private colors: Coloring | undefined;
  private shownIndex = 0;
  /** Playing asks for a frame every animation frame; the map draws the newest once the last is drawn. */
  private readonly frames = new LatestOnly<{ index: number; from: number | undefined; t: number }>(
    (frame) => this.drawFrame(frame),
    (error) => show(this.message, notice(failureText('Drawing the timeline failed', error), 'error')),
  );
  private playing: number | undefined;
  private poll: ReturnType<typeof setTimeout> | undefined;
  private loading = false;
  private started = false;

  constructor(private readonly explore: Explore) {
    super('timeline-view');
    this.inspector = new Inspector(explore);
    this.map = new ScatterMap(
      {
        hover: (index) => {
          const sample = this.probeSample(index);
          if (sample !== undefined) this.inspector.inspect(sample);
        },
        pick: (index) => {
          const sample = this.probeSample(index);
          if (sample !== undefined) explore.state.update({ picks: [...explore.state.value.picks, sample].slice(-2) });
        },
      },
      { wheelZoom: true, tools: false },
    );
    this.onDispose(
      explore.state.subscribe((_, changed) => {
        if ('colorBy' in changed || 'colorDim' in changed) {
          this.colors = undefined;
          this.draw(this.shownIndex);
        }
        if ('picks' in changed) this.markPicks();
      }),
    );
    this.element.append(
      el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Latent timeline' } }, [this.playButton, this.scrubber.element, this.caption]),
      this.message,
      el('div', { class: 'map-area' }, [this.map.element, this.inspector.element]),
    );
    this.element.addEventListener('keydown', (event) => {
      if (event.key === ' ' && event.target === this.map.element) {
        event.preventDefault();
        this.togglePlay();
      }
    });
  }

  shown(): void {
    if (!this.started) {
      this.started = true;
      show(this.message, notice('Reading the latent timeline…', 'busy'));
      void this.fetchNew();
    } else {
      this.map.resize();
      this.schedulePoll();
    }
  }

  override dispose(): void {
    if (this.playing !== undefined) cancelAnimationFrame(this.playing);
    clearTimeout(this.poll);
    super.dispose();
    this.map.dispose();
  }

  /** The session's sample a probe is, when the map explores the data the run trained on. */
  private probeSample(index: number): number | undefined {
    const sample = this.probes[index];
    return sample !== undefined && sample >= 0 ? sample : undefined;
  }

  private async fetchNew(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    const after = this.epochs.at(-1) ?? 0;
    try {
      const timeline = await this.explore.client.request('timeline', { sessionId: this.explore.session.sessionId, after }).result;
      this.add(timeline);
    } catch (error) {
      show(this.message, notice(failureText('Reading the latent timeline failed', error), 'error'));
    } finally {
      this.loading = false;
      this.schedulePoll();
    }
  }

  /** Polls only while the tab is on screen; showing it again resumes. */
  private schedulePoll(): void {
    clearTimeout(this.poll);
    if (!this.element.isConnected || !this.element.checkVisibility()) return;
    this.poll = setTimeout(() => void this.fetchNew(), POLL_MS);
  }

  private add(timeline: Timeline): void {
    if (timeline.reason) {
      show(this.message, notice(timeline.reason));
      this.playButton.hidden = true;
      this.scrubber.element.hidden = true;
      return;
    }
    if (timeline.epochs.length === 0) return;
    const probes = timeline.probes.length;
    this.probes = timeline.probes;
    const followLatest = this.layouts.length === 0 || this.shownIndex === this.layouts.length - 1;
    timeline.epochs.forEach((epoch, i) => {
      this.epochs.push(epoch);
      this.layouts.push(timeline.coordinates.slice(i * probes * 2, (i + 1) * probes * 2));
    });
    this.extent = unionExtent(this.layouts);
    const last = this.layouts.length - 1;
    this.scrubber.input.max = String(last);
    show(this.message, timeline.note && notice(timeline.note));
    this.caption.textContent = `${plural(probes, 'probe sample')} · ${plural(this.epochs.length, 'epoch')} recorded`;
    if (followLatest && this.playing === undefined) this.showEpoch(last);
  }

  private epochText(index: number): string {
    const epoch = this.epochs[index];
    return epoch === undefined ? '—' : `epoch ${epoch} of ${this.epochs.at(-1)}`;
  }

  private showEpoch(index: number): void {
    this.shownIndex = index;
    this.scrubber.input.value = String(index);
    const output = this.scrubber.element.querySelector('output');
    if (output) output.textContent = this.epochText(index);
    this.draw(index);
  }

  private draw(index: number, from?: number, t = 1): void {
    this.frames.push({ index, from, t });
  }

  /** One frame of points: epoch `index`, or `t` of the way there from epoch `from`. */
  private async drawFrame({ index, from, t }: { index: number; from: number | undefined; t: number }): Promise<void> {
    const layout = this.layouts[index];
    if (!layout || !this.extent) return;
    const start = from === undefined ? undefined : this.layouts[from];
    const points = start && t < 1 ? glide(start, layout, t) : layout;
    const x = new Float32Array(points.length / 2);
    const y = new Float32Array(points.length / 2);
    for (let i = 0; i < x.length; i++) [x[i], y[i]] = [points[2 * i]!, points[2 * i + 1]!];
    await this.map.show({ method: 'pca', x, y, extent: this.extent, note: this.epochText(index) }, this.probeColors());
    this.markPicks();
  }

  /** The map's coloring, per probe; probes outside the session's samples are grey. */
  private probeColors(): Coloring {
    if (this.colors) return this.colors;
    const { session, state } = this.explore;
    const { colorBy, colorDim } = state.value;
    const full = coloring(session, colorBy === 'column' ? 'label' : colorBy, colorDim);
    const probes = Array.from(this.probes);
    this.colors =
      full.kind === 'label'
        ? { kind: 'label', categories: Int32Array.from(probes, (sample) => (sample >= 0 ? full.categories[sample]! : -1)) }
        : { kind: 'continuous', title: full.title, values: Float32Array.from(probes, (sample) => (sample >= 0 ? full.values[sample]! : Number.NaN)) };
    return this.colors;
  }

  private markPicks(): void {
    const picked = new Set(this.explore.state.value.picks);
    this.map.mark({ picks: Array.from(this.probes.keys()).filter((probe) => picked.has(this.probes[probe]!)) });
  }

  private togglePlay(): void {
    if (this.playing !== undefined) {
      this.stopPlaying();
      return;
    }
    if (this.layouts.length < 2) return;
    this.playButton.textContent = 'Pause';
    // From the start when at the end, as a video player does.
    let from = this.shownIndex >= this.layouts.length - 1 ? 0 : this.shownIndex;
    this.showEpoch(from);
    let began = performance.now();
    const step = (now: number) => {
      const to = from + 1;
      if (to >= this.layouts.length) {
        this.stopPlaying();
        return;
      }
      const t = Math.min(1, (now - began) / GLIDE_MS);
      this.draw(to, from, easeInOut(t));
      if (now - began >= EPOCH_MS) {
        this.showEpoch(to);
        [from, began] = [to, now];
      }
      this.playing = requestAnimationFrame(step);
    };
    this.playing = requestAnimationFrame(step);
  }

  private stopPlaying(): void {
    if (this.playing !== undefined) cancelAnimationFrame(this.playing);
    this.playing = undefined;
    this.playButton.textContent = 'Play';
    this.showEpoch(this.shownIndex);
  }
}

function glide(from: Float32Array, to: Float32Array, t: number): Float32Array {
  return to.map((value, i) => from[i]! + (value - from[i]!) * t);
}

function easeInOut(t: number): number {
  return t < 0.5 ? 2 * t * t : 1 - 2 * (1 - t) * (1 - t);
}

/** One frame for every epoch: the extent of all their layouts. */
function unionExtent(layouts: Float32Array[]): NonNullable<Projection['extent']> {
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const layout of layouts) {
    for (let i = 0; i < layout.length; i += 2) {
      const [x, y] = [layout[i]!, layout[i + 1]!];
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  }
  return { x: [xMin, xMax], y: [yMin, yMax] };
}
