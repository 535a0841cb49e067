/**
 * The saved attribute directions of one explored session, shared by the Directions and Traversal
 * tabs. A checkpoint keeps them in its folder (the engine's directions.json); a session with no
 * checkpoint folder (a model made elsewhere) keeps them in the page for as long as it is open, and
 * `unsaved` carries the engine's reason so the view can say so.
 */
import type { SavedDirection } from '../../../shared/protocol';
import { Signal } from '../signal';
import type { Explore } from './explore';

export interface DirectionList {
  directions: readonly SavedDirection[];
  /** Set when the directions last only while the page is open: why the engine cannot save them. */
  unsaved?: string;
}

type Client = Pick<Explore['client'], 'request'>;

export class DirectionStore {
  /** Undefined until the first load answers. */
  readonly list = new Signal<DirectionList | undefined>(undefined);
  private loading: Promise<DirectionList> | undefined;

  constructor(private readonly client: Client, private readonly sessionId: string) {}

  /** The saved directions, asked of the engine once; a failed load is asked again next time. */
  load(): Promise<DirectionList> {
    this.loading ??= this.fetch().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  /** Reads the checkpoint's file again (another panel may have saved into it). */
  reload(): Promise<DirectionList> {
    if (this.list.value?.unsaved !== undefined) return Promise.resolve(this.list.value);
    this.loading = undefined;
    return this.load();
  }

  /** Saves (or replaces, by name) a direction; answers the whole list. */
  async save(name: string, vector: Float32Array, note: string | undefined): Promise<DirectionList> {
    const current = await this.load();
    if (current.unsaved !== undefined) {
      const saved: SavedDirection = { name, vector: Array.from(vector), ...(note === undefined ? {} : { note }) };
      return this.publish({ directions: [...current.directions.filter((direction) => direction.name !== name), saved], unsaved: current.unsaved });
    }
    const { directions } = await this.client.request('saveDirection', { sessionId: this.sessionId, name, vector, ...(note === undefined ? {} : { note }) }).result;
    return this.publish({ directions });
  }

  async remove(name: string): Promise<DirectionList> {
    const current = await this.load();
    if (current.unsaved !== undefined) return this.publish({ directions: current.directions.filter((direction) => direction.name !== name), unsaved: current.unsaved });
    const { directions } = await this.client.request('deleteDirection', { sessionId: this.sessionId, name }).result;
    return this.publish({ directions });
  }

  find(name: string | undefined): SavedDirection | undefined {
    return name === undefined ? undefined : this.list.value?.directions.find((direction) => direction.name === name);
  }

  private async fetch(): Promise<DirectionList> {
    const { directions, unsaved } = await this.client.request('directions', { sessionId: this.sessionId }).result;
    return this.publish(unsaved === undefined ? { directions } : { directions, unsaved: unsaved });
  }

  private publish(list: DirectionList): DirectionList {
    this.loading = Promise.resolve(list);
    this.list.set(list);
    return list;
  }
}

const stores = new WeakMap<Explore, DirectionStore>();

/** The one store of an explored session, whichever tab asks first. */
export function directionStore(explore: Explore): DirectionStore {
  let store = stores.get(explore);
  if (!store) {
    store = new DirectionStore(explore.client, explore.session.sessionId);
    stores.set(explore, store);
  }
  return store;
}
