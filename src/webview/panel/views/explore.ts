/**
 * What every explorer view shares: the engine, the open session, the saved choices, and the few
 * live facts one view publishes for another (the map's axis extent for the manifold grid, its
 * box or lasso selection for the directions).
 */
import type { Images, Session } from '../../../shared/protocol';
import type { RpcClient } from '../../../shared/rpc';
import { singleImage } from '../../common/render/images';
import { Signal } from '../signal';
import type { StateStore } from '../uiState';

/** The map's visible region in latent coordinates, for raw-dimension maps. */
export interface MapRegion {
  x: [number, number];
  y: [number, number];
  /** The latent dims on the x and y axes. */
  dims: [number, number];
}

export interface Explore {
  readonly client: RpcClient;
  readonly session: Session;
  readonly state: StateStore;
  readonly samples: SampleCache;
  readonly mapRegion: Signal<MapRegion | undefined>;
  /** The status line's text for the map. */
  readonly status: Signal<string>;
  /** The sample indices the map's box or lasso holds (empty when none). */
  readonly selection: Signal<readonly number[]>;
}

export function createExplore(client: RpcClient, session: Session, state: StateStore): Explore {
  return { client, session, state, samples: new SampleCache(client, session.sessionId), mapRegion: new Signal<MapRegion | undefined>(undefined), status: new Signal(''), selection: new Signal<readonly number[]>([]) };
}

export function latentRow(session: Session, index: number): Float32Array {
  return session.latents.slice(index * session.latentDim, (index + 1) * session.latentDim);
}

export function decode(explore: Explore, latents: Float32Array): Promise<Images> {
  return explore.client.request('decode', { sessionId: explore.session.sessionId, latents }).result;
}

export interface SamplePair {
  input: Images;
  /** Absent when the session cannot decode. */
  reconstruction?: Images;
}

/** Enough for long hover sessions; a few MB of small images at most. */
const CACHE_LIMIT = 4096;

/** Inputs and reconstructions by sample index, fetched once: hover revisits the same points a lot. */
export class SampleCache {
  private readonly cache = new Map<number, SamplePair>();

  constructor(private readonly client: RpcClient, private readonly sessionId: string) {}

  peek(index: number): SamplePair | undefined {
    return this.cache.get(index);
  }

  async get(indices: number[]): Promise<SamplePair[]> {
    const missing = [...new Set(indices.filter((index) => !this.cache.has(index)))];
    if (missing.length > 0) {
      const { inputs, reconstructions } = await this.client.request('samples', { sessionId: this.sessionId, indices: Int32Array.from(missing) }).result;
      missing.forEach((index, i) => this.cache.set(index, { input: singleImage(inputs, i), ...(reconstructions ? { reconstruction: singleImage(reconstructions, i) } : {}) }));
    }
    const pairs = indices.map((index) => this.cache.get(index)!);
    // Map iteration is insertion order, so the first keys are the oldest.
    for (const index of [...this.cache.keys()].slice(0, Math.max(0, this.cache.size - CACHE_LIMIT))) this.cache.delete(index);
    return pairs;
  }
}
