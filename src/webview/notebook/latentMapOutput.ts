/**
 * One notebook output: the latent map of a payload (every point in WebGL, colored by label, a
 * legend whose entries ring that label's points, a hover card with the point's index, label and
 * thumbnail, a line saying how many points are shown), or one line saying why it cannot be drawn.
 */
import { failureText, plural } from '../common/format';
import mapStyles from '../common/map.css';
import { imageCanvas } from '../common/render/images';
import { el, show } from '../common/ui/dom';
import { labelText } from '../common/map/labels';
import { labelLegend } from '../common/map/legend';
import { ScatterMap } from '../common/map/scatterMap';
import { methodNames, type Projection } from '../common/map/projection';
import { search, type SearchResult } from '../common/map/search';
import { type LatentMapData, parseLatentsPayload, payloadProblem } from '../../shared/notebookPayload';
import { needsPca, notebookProjection } from './notebookProjection';
import rendererStyles from './renderer.css';

const REMEDY = 'build the output with latent_map() from python/latent_lab_display.py (README: "Jupyter notebooks")';

export class LatentMapOutput {
  private readonly root = el('div', { class: 'latent-lab-output' });
  private map: ScatterMap | undefined;
  private disposed = false;

  constructor(element: HTMLElement) {
    // Nested under the output's class, the shared map styles cannot restyle other outputs of the notebook.
    element.replaceChildren(this.root);
    this.root.before(el('style', {}, [`.latent-lab-output {\n${mapStyles}\n}\n${rendererStyles}`]));
  }

  async render(readPayload: () => unknown): Promise<void> {
    let data: LatentMapData;
    try {
      data = parseLatentsPayload(readPayload());
    } catch (error) {
      this.showProblem(`Latent Lab cannot draw this latent map: ${payloadProblem(error)}; ${REMEDY}.`);
      return;
    }
    try {
      await this.draw(data);
    } catch (error) {
      this.showProblem(failureText('Latent Lab could not draw the latent map', error));
    }
  }

  dispose(): void {
    this.disposed = true;
    this.map?.dispose();
    this.root.parentElement?.replaceChildren();
  }

  private async draw(data: LatentMapData): Promise<void> {
    const card = el('div', { class: 'inspector', attrs: { 'aria-live': 'polite' }, hidden: true });
    const status = el('div', { class: 'latent-map-status', attrs: { role: 'status' } });
    if (needsPca(data)) {
      // The PCA holds the page for seconds on large payloads: the output says what it is doing first.
      status.textContent = `Computing the PCA of ${plural(data.count, 'point')} in ${data.latentDim} dims…`;
      show(this.root, status);
      await nextPaint();
      if (this.disposed) return;
    }
    const projection = notebookProjection(data);
    // No wheel zoom: in a notebook the wheel scrolls past the output, it must not get stuck zooming the map.
    const map = new ScatterMap({ hover: (index) => showPoint(card, data, index) }, { wheelZoom: false, tools: true });
    map.element.classList.add('latent-map-plot');
    this.map = map;
    let highlighted: string | undefined;
    let found: SearchResult | undefined;
    // A legend click rings that label's points; a second click on it clears the rings.
    const legend = labelLegend(data, (name) => {
      highlighted = highlighted === name ? undefined : name;
      found = highlighted === undefined ? undefined : search(data, highlighted);
      map.mark({ matches: found?.indices ?? [] });
      status.textContent = statusText(data, projection, found);
    });
    show(this.root, data.title && el('div', { class: 'latent-map-title' }, [data.title]), el('div', { class: 'map-area' }, [map.element, card, legend]), status);
    await map.show(projection, { kind: 'label', categories: data.labels ?? new Int32Array(data.count) });
    status.textContent = statusText(data, projection, found);
  }

  private showProblem(text: string): void {
    show(this.root, el('div', { class: 'latent-map-error', attrs: { role: 'alert' } }, [text.replace(/\s+/g, ' ')]));
  }
}

/** Resolves once the browser has painted what is on the page now. */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
}

/** The hover card: the point's index and label, and its thumbnail when the payload has them. */
function showPoint(card: HTMLElement, data: LatentMapData, index: number): void {
  const label = labelText(data, index);
  card.hidden = false;
  show(
    card,
    el('div', { class: 'inspector-title' }, [[`#${index}`, label === undefined ? undefined : `label ${label}`].filter(Boolean).join(' · ')]),
    data.thumbnails && el('div', { class: 'inspector-images' }, [imageCanvas(data.thumbnails, index, 'thumb large')]),
  );
}

/** How many points the map shows (always all of them), how they were placed, and what is ringed. */
function statusText(data: LatentMapData, projection: Projection, found: SearchResult | undefined): string {
  return [plural(data.count, 'point'), projection.note ?? methodNames[projection.method], found?.description].filter(Boolean).join(' · ');
}
