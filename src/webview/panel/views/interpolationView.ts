/**
 * Interpolation between two picked samples: a strip of decoded points along the path between their
 * latents (straight or spherical), and a slider that decodes any single point of it live.
 */
import { failureText } from '../../common/format';
import { LatestOnly } from '../latestOnly';
import { interpolate, type InterpolationMode, interpolationPath } from '../../common/math/interpolate';
import { imageCanvas } from '../../common/render/images';
import { type Choice, notice, select, slider, textField } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import { decode, type Explore, latentRow } from './explore';
import { labelText } from '../../common/map/labels';
import { parseIndex } from './pickedIndex';
import { Refresher } from './refresher';
import { View } from './view';

const modes: Choice<InterpolationMode>[] = [
  { value: 'lerp', label: 'linear (lerp)' },
  { value: 'slerp', label: 'spherical (slerp)' },
];

export class InterpolationView extends View {
  private readonly message = el('div', { class: 'view-message' });
  private readonly strip = el('div', { class: 'strip', attrs: { 'aria-label': 'Interpolation strip' } });
  private readonly liveFrame = el('div', { class: 'live-frame' });
  private readonly liveSlider;
  private readonly stripLoader = new LatestOnly<null>(() => this.drawStrip(), (error) => show(this.message, notice(failureText('Decoding the path failed', error), 'error')));
  private readonly liveLoader = new LatestOnly<number>((t) => this.drawLive(t), (error) => show(this.liveFrame, notice(failureText('Decoding failed', error), 'error')));
  private readonly refresher = new Refresher(this.element, () => this.refresh());

  constructor(private readonly explore: Explore) {
    super('interpolation-view');
    const { state } = explore;
    const [a, b] = state.value.picks;
    const fields = {
      a: textField('A', a === undefined ? '' : String(a), (text) => this.typed(0, text), { placeholder: 'index' }),
      b: textField('B', b === undefined ? '' : String(b), (text) => this.typed(1, text), { placeholder: 'index' }),
      steps: textField('Steps', String(state.value.steps), (text) => this.typedSteps(text)),
      mode: select('Path', modes, state.value.interpolation, (interpolation) => state.update({ interpolation })),
    };
    this.liveSlider = slider({ label: 't', min: 0, max: 1, step: 0.01, value: state.value.t, format: (t) => t.toFixed(2), onInput: (t) => this.slid(t) });
    this.onDispose(
      state.subscribe((next, changed) => {
        if ('picks' in changed) {
          fields.a.set(next.picks[0] === undefined ? '' : String(next.picks[0]));
          fields.b.set(next.picks[1] === undefined ? '' : String(next.picks[1]));
        }
        if ('steps' in changed) fields.steps.set(String(next.steps));
        if ('picks' in changed || 'steps' in changed || 'interpolation' in changed) this.refresher.invalidate();
      }),
    );
    this.element.append(
      el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Interpolation' } }, [fields.a.element, fields.b.element, fields.steps.element, fields.mode.element]),
      this.message,
      this.strip,
      el('div', { class: 'live' }, [this.liveSlider.element, this.liveFrame]),
    );
  }

  shown(): void {
    this.refresher.shown();
  }


  private refresh(): void {
    if (this.explore.state.value.picks.length < 2) {
      show(this.message, notice('Click two points on the map, or type two sample indices, to interpolate between them.'));
      show(this.strip);
      show(this.liveFrame);
      return;
    }
    show(this.message);
    this.stripLoader.push(null);
    this.liveLoader.push(this.liveSlider.input.valueAsNumber);
  }

  private typed(position: 0 | 1, text: string): void {
    const parsed = parseIndex(this.explore.session, text);
    if ('problem' in parsed) {
      show(this.message, notice(parsed.problem, 'error'));
      return;
    }
    const picks = [...this.explore.state.value.picks];
    picks[Math.min(position, picks.length)] = parsed.index;
    this.explore.state.update({ picks });
  }

  private typedSteps(text: string): void {
    const steps = Number(text);
    if (Number.isInteger(steps) && steps >= 2 && steps <= 50) this.explore.state.update({ steps });
    else show(this.message, notice(`Steps must be a whole number from 2 to 50, not "${text}"`, 'error'));
  }

  private slid(t: number): void {
    this.explore.state.update({ t });
    if (this.explore.state.value.picks.length === 2) this.liveLoader.push(t);
  }

  private endpoints(): [Float32Array, Float32Array] {
    const [a, b] = this.explore.state.value.picks as [number, number];
    return [latentRow(this.explore.session, a), latentRow(this.explore.session, b)];
  }

  private async drawStrip(): Promise<void> {
    const { state, session } = this.explore;
    const [a, b] = state.value.picks as [number, number];
    const steps = state.value.steps;
    const [images, [inputA, inputB]] = await Promise.all([decode(this.explore, interpolationPath(state.value.interpolation, ...this.endpoints(), steps)), this.explore.samples.get([a, b])]);
    const end = (name: string, index: number, canvas: HTMLCanvasElement) =>
      el('figure', { class: 'endpoint' }, [canvas, el('figcaption', {}, [`${name} #${index}${labelText(session, index) === undefined ? '' : ` (${labelText(session, index)})`}`])]);
    show(
      this.strip,
      end('A', a, imageCanvas(inputA!.input, 0)),
      ...Array.from({ length: steps }, (_, step) => el('figure', { class: 'step' }, [imageCanvas(images, step), el('figcaption', {}, [(step / (steps - 1)).toFixed(2)])])),
      end('B', b, imageCanvas(inputB!.input, 0)),
    );
  }

  private async drawLive(t: number): Promise<void> {
    const images = await decode(this.explore, interpolate(this.explore.state.value.interpolation, ...this.endpoints(), t));
    show(this.liveFrame, el('figure', {}, [imageCanvas(images, 0, 'thumb xl'), el('figcaption', {}, [`t = ${t.toFixed(2)}`])]));
  }
}
