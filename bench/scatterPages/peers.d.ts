/**
 * The part of the bench-only contenders' APIs that their page entries use. They are installed at
 * bench time outside the repository (see `peerPackages` in bench/scatterComparison.ts), so
 * `tsc -b` never sees their own declarations; these follow deck.gl 9.4.0's and embedding-atlas
 * 0.26.0's .d.ts files.
 */

declare module '@deck.gl/core' {
  export interface OrthographicViewState {
    target: [number, number, number];
    /** log2 of screen pixels per data unit. */
    zoom: number;
  }

  export class OrthographicView {
    constructor(props?: { flipY?: boolean });
  }

  export interface DeckProps {
    canvas?: HTMLCanvasElement;
    width?: number;
    height?: number;
    useDevicePixels?: boolean | number;
    views?: OrthographicView;
    viewState?: OrthographicViewState;
    controller?: boolean;
    layers?: unknown[];
    onLoad?: () => void;
    onError?: (error: Error) => void;
    onAfterRender?: () => void;
  }

  export class Deck {
    constructor(props: DeckProps);
    setProps(props: Partial<DeckProps>): void;
  }
}

declare module '@deck.gl/layers' {
  interface BinaryAttribute {
    value: Float32Array | Uint8Array;
    size: number;
  }

  export class ScatterplotLayer {
    constructor(props: {
      id: string;
      data: { length: number; attributes: { getPosition: BinaryAttribute; getFillColor: BinaryAttribute } };
      radiusUnits?: 'pixels' | 'common' | 'meters';
      getRadius?: number;
      stroked?: boolean;
    });
  }
}

declare module 'embedding-atlas' {
  export interface ViewportState {
    x: number;
    y: number;
    /** Scales data units to [-1, 1] across the view's longer side. */
    scale: number;
  }

  export interface EmbeddingViewProps {
    data: { x: Float32Array<ArrayBuffer>; y: Float32Array<ArrayBuffer>; category?: Uint8Array<ArrayBuffer> | null };
    categoryColors?: string[] | null;
    width?: number | null;
    height?: number | null;
    pixelRatio?: number | null;
    config?: { mode?: 'points' | 'density' | null; pointSize?: number | null; autoLabelEnabled?: boolean | null; downsampleMaxPoints?: number | null } | null;
    viewportState?: ViewportState | null;
  }

  export class EmbeddingView {
    constructor(target: HTMLElement, props: EmbeddingViewProps);
    update(props: Partial<EmbeddingViewProps>): void;
    destroy(): void;
  }
}

/** The map's stylesheet, which the latent map's page bundles as text (as the notebook renderer does) and adds itself. */
declare module '*.css' {
  const text: string;
  export default text;
}
