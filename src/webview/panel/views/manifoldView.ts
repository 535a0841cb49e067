/**
 * The decoded manifold of a 2-D latent space: a grid of decoder outputs over the region the map
 * shows (following its zoom and pan), or for VAEs over the prior at Gaussian quantiles, as in
 * Kingma & Welling's figures.
 */
import { failureText, formatValue } from '../../common/format';
import { LatestOnly } from '../latestOnly';
import { gaussianGrid } from '../../common/math/normalQuantile';
import { gridCanvas } from '../../common/render/images';
import { type Choice, notice, select } from '../../common/ui/controls';
import { el, show } from '../../common/ui/dom';
import type { GridMode } from '../uiState';
import { decode, type Explore, type MapRegion } from './explore';
import { Refresher } from './refresher';
import { View } from './view';

const sizes = [5, 10, 15, 20, 25, 30];

interface Grid {
  /** Column centres, left to right. */
  xs: number[];
  /** Row centres, top to bottom (so larger values are up, as on the map). */
  ys: number[];
  dims: [number, number];
  description: string;
}

export class ManifoldView extends View {
  private readonly message = el('div', { class: 'view-message' });
  private readonly picture = el('figure', { class: 'manifold' });
  private readonly loader = new LatestOnly<Grid>((grid) => this.draw(grid), (error) => show(this.message, notice(failureText('Decoding the grid failed', error), 'error')));
  private readonly refresher = new Refresher(this.element, () => this.refresh());

  constructor(private readonly explore: Explore) {
    super('manifold-view');
    const { session, state } = explore;
    if (session.latentDim !== 2) {
      this.element.append(notice(`The manifold grid decodes a plane of a 2-D latent space; this ${session.kind} has ${session.latentDim} latent dims. Traversal moves along each of them instead.`));
      return;
    }
    const modes: Choice<GridMode>[] = [{ value: 'extent', label: 'map extent' }, ...(session.capabilities.variational ? [{ value: 'quantiles' as const, label: 'Gaussian quantiles' }] : [])];
    const controls = [
      select('Grid', sizes.map((n) => ({ value: String(n), label: `${n} × ${n}` })), String(state.value.gridSize), (value) => state.update({ gridSize: Number(value) })).element,
      select('Range', modes, this.mode(), (gridMode) => state.update({ gridMode })).element,
    ];
    this.onDispose(
      state.subscribe((_, changed) => {
        if ('gridSize' in changed || 'gridMode' in changed) this.refresher.invalidate();
      }),
      explore.mapRegion.subscribe(() => {
        if (this.mode() === 'extent') this.refresher.invalidate();
      }),
    );
    this.element.append(el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Manifold grid' } }, controls), this.message, this.picture);
  }

  shown(): void {
    if (this.explore.session.latentDim === 2) this.refresher.shown();
  }


  private mode(): GridMode {
    return this.explore.session.capabilities.variational ? this.explore.state.value.gridMode : 'extent';
  }

  private refresh(): void {
    const grid = this.grid();
    if (grid.dims[0] === grid.dims[1]) {
      show(this.message, notice('The map shows the same dim on both axes; pick two different dims there to see the grid.'));
      show(this.picture);
      return;
    }
    show(this.message);
    this.loader.push(grid);
  }

  private grid(): Grid {
    const n = this.explore.state.value.gridSize;
    if (this.mode() === 'quantiles') {
      const values = gaussianGrid(n);
      return { xs: values, ys: [...values].reverse(), dims: [0, 1], description: `${n} × ${n} at Gaussian quantiles of the prior` };
    }
    const region = this.explore.mapRegion.value ?? this.dataRegion();
    const centres = ([low, high]: [number, number]) => Array.from({ length: n }, (_, i) => low + ((i + 0.5) * (high - low)) / n);
    const [dx, dy] = region.dims;
    const range = ([low, high]: [number, number]) => `[${formatValue(low)}, ${formatValue(high)}]`;
    return { xs: centres(region.x), ys: centres(region.y).reverse(), dims: region.dims, description: `${n} × ${n} over z${dx} ∈ ${range(region.x)}, z${dy} ∈ ${range(region.y)}` };
  }

  /** Before the map has drawn, the grid covers the data's bounding box. */
  private dataRegion(): MapRegion {
    const { latents, count } = this.explore.session;
    const bounds = [0, 1].map((dim) => {
      let low = Infinity;
      let high = -Infinity;
      for (let i = 0; i < count; i++) {
        low = Math.min(low, latents[2 * i + dim]!);
        high = Math.max(high, latents[2 * i + dim]!);
      }
      return count > 0 ? ([low, high] as [number, number]) : ([-1, 1] as [number, number]);
    });
    return { x: bounds[0]!, y: bounds[1]!, dims: [0, 1] };
  }

  private async draw(grid: Grid): Promise<void> {
    const n = grid.xs.length;
    const latents = new Float32Array(n * n * 2);
    grid.ys.forEach((y, row) =>
      grid.xs.forEach((x, column) => {
        const offset = (row * n + column) * 2;
        latents[offset + grid.dims[0]] = x;
        latents[offset + grid.dims[1]] = y;
      }),
    );
    const images = await decode(this.explore, latents);
    show(this.picture, gridCanvas(images, { columns: n, className: 'manifold-grid' }), el('figcaption', {}, [grid.description]));
  }
}
