/**
 * What a reload restores: the panel's target and every choice the user made in it. Saved with the
 * webview's setState on each change and validated when read back, since it may come from an older
 * version of the extension.
 */
import { projectionMethods } from '../../shared/protocol';
import { arr, bool, type Infer, num, obj, oneOf, optional, str } from '../../shared/schema';
import { type HostMessage, panelTargetSchema } from '../../shared/webviewProtocol';
import { colorModes } from '../common/map/mapColoring';
import { vscodeApi } from './host/vscodeApi';
import { Signal } from './signal';

export const viewNames = ['map', 'timeline', 'interpolation', 'traversal', 'directions', 'manifold', 'features', 'worst', 'prior', 'health', 'training'] as const;
export type ViewName = (typeof viewNames)[number];
export type GridMode = 'extent' | 'quantiles';
export type FeatureSort = 'index' | 'frequent' | 'rare';

const index = num({ integer: true, min: 0 });

const uiStateSchema = obj({
  /** Read by the host's panel serializer to reopen the same target. */
  target: optional(panelTargetSchema),
  view: oneOf(viewNames),
  projection: oneOf(projectionMethods),
  /** Latent dims on the map's x and y axes when the projection is raw. */
  rawDims: arr(index, { maxLength: 2 }),
  colorBy: oneOf(colorModes),
  /** The metadata column the map is colored by when `colorBy` is `column`; a file without it falls back to the next coloring. */
  colorColumn: optional(str({ maxLength: 256 })),
  colorDim: index,
  /** Picked sample indices, oldest first: interpolation runs from the first to the second, traversal uses the last. */
  picks: arr(index, { maxLength: 2 }),
  search: str({ maxLength: 200 }),
  interpolation: oneOf(['lerp', 'slerp'] as const),
  steps: num({ integer: true, min: 2, max: 50 }),
  t: num({ min: 0, max: 1 }),
  /** Traversal slider offsets in standard deviations, per latent dim. */
  offsets: arr(num({ min: -3, max: 3 }), { maxLength: 65_536 }),
  /** Directions: the search queries sets A and B are made of ('' for none, or a set taken from the map's selection, which is not kept). */
  directionA: str({ maxLength: 200 }),
  directionB: str({ maxLength: 200 }),
  /** Directions: the saved direction in use instead of A − B. */
  direction: optional(str({ maxLength: 128 })),
  /** Directions: the live slider, in multiples of the direction. */
  directionT: num({ min: -3, max: 3 }),
  /** Traversal: the saved direction it also moves along, and how far (multiples of it). */
  traversalDirection: optional(str({ maxLength: 128 })),
  traversalAlong: num({ min: -3, max: 3 }),
  gridSize: num({ integer: true, min: 2, max: 40 }),
  gridMode: oneOf(['extent', 'quantiles'] as const),
  featureSort: oneOf(['index', 'frequent', 'rare'] as const),
  k: optional(num({ integer: true, min: 1 })),
  logScale: bool(),
});
export type UiState = Infer<typeof uiStateSchema>;

const defaults: UiState = {
  view: 'map',
  projection: 'pca',
  rawDims: [0, 1],
  colorBy: 'label',
  colorDim: 0,
  picks: [],
  search: '',
  interpolation: 'lerp',
  steps: 10,
  t: 0.5,
  offsets: [],
  directionA: '',
  directionB: '',
  directionT: 1,
  traversalAlong: 0,
  gridSize: 15,
  gridMode: 'extent',
  featureSort: 'index',
  // Loss terms differ by orders of magnitude (a summed reconstruction next to a KL or an MSE).
  logScale: true,
};

/** Choices that only make sense for one checkpoint; the others (view, modes, sizes) carry over. */
const perTarget = ['picks', 'offsets', 'rawDims', 'colorDim', 'k', 'search', 'directionA', 'directionB', 'direction', 'traversalDirection', 'traversalAlong'] as const satisfies readonly (keyof UiState)[];

export type Preferences = Extract<HostMessage, { type: 'init' }>['preferences'];

type StateListener = (state: UiState, changed: Partial<UiState>) => void;

export class StateStore {
  private readonly signal: Signal<{ state: UiState; changed: Partial<UiState> }>;

  constructor(saved: unknown) {
    this.signal = new Signal({ state: readSaved(saved), changed: {} });
  }

  get value(): UiState {
    return this.signal.value.state;
  }

  update(changed: Partial<UiState>): void {
    const state = { ...this.value, ...changed };
    vscodeApi.setState(state);
    this.signal.set({ state, changed });
  }

  /**
   * Switching to another target keeps the user's general choices and forgets the per-checkpoint
   * ones; its map starts with the projection the user's settings prefer. The same target again (a
   * reload) keeps everything.
   */
  retarget(target: UiState['target'], preferences: Preferences): void {
    if (JSON.stringify(target) === JSON.stringify(this.value.target)) return;
    const reset: Partial<UiState> = { target, projection: preferences?.defaultProjection ?? defaults.projection };
    for (const key of perTarget) Object.assign(reset, { [key]: defaults[key] });
    this.update(reset);
  }

  subscribe(listener: StateListener): () => void {
    return this.signal.subscribe(({ state, changed }) => listener(state, changed));
  }
}

function readSaved(saved: unknown): UiState {
  if (saved === undefined || saved === null) return defaults;
  try {
    return { ...defaults, ...uiStateSchema.parse(saved, 'state') };
  } catch (error) {
    console.warn('Latent Lab: saved view state ignored', error);
    return defaults;
  }
}
