/**
 * Explorer sessions: a checkpoint and a dataset encoded once (or bare latents read from a file),
 * kept in the engine so that hover, slider and grid requests only decode. Every tensor lives inside
 * a tidy; sessions free their model and release their data file on close. An engine that exits
 * leaves its files to the operating system, which closes every descriptor of a process that ends.
 */
import { randomUUID } from 'node:crypto';
import { EngineError, type OpenSessionParams, type Session } from '../../shared/protocol';
import type { Backend } from '../backend';
import type { BuiltModel } from '../models/modelKind';
import type { ForeignCodec } from '../foreign/openForeign';
import type { SampleRows } from '../data/sampleRows';
import { openCheckpointSession } from './checkpointSession';
import { openForeignSession } from './foreignSession';
import { openLatents } from './latentsSession';
import type { TimelineSource } from './timelineView';

export interface OpenSession {
  id: string;
  kind: Session['kind'];
  /** Absent when there is nothing to encode or decode with; `noDecoderReason` then says why. */
  model?: BuiltModel<unknown>;
  /** A model made elsewhere, in place of `model` (kind `foreign`). */
  foreign?: ForeignCodec;
  noDecoderReason?: string;
  /** Per-sample input shape; [] when the session has no inputs. */
  inputShape: number[];
  /** The inputs, read on demand in the model's normalisation; absent when the session has none. */
  rows?: SampleRows;
  count: number;
  latentDim: number;
  latents: Float32Array;
  /** Checkpoint sessions: the folder, for what is read from it and saved into it later (timeline, directions). */
  checkpoint?: string;
  timeline?: TimelineSource;
}

/** What each kind of session opener gives: the engine's record and the session the webview gets, both before an id. */
export interface OpenedSession {
  open: Omit<OpenSession, 'id'>;
  session: Omit<Session, 'sessionId'>;
}

export class Sessions {
  private readonly open = new Map<string, OpenSession>();

  constructor(private readonly backend: Backend) {}

  async create(params: OpenSessionParams, signal?: AbortSignal): Promise<Session> {
    const { model, latents, checkpoint } = params;
    let opened: OpenedSession;
    if (model !== undefined) opened = await openForeignSession(this.backend, { ...params, model }, signal);
    else if (latents !== undefined) opened = await openLatents({ ...params, latents }, signal);
    else if (checkpoint !== undefined) opened = await openCheckpointSession(this.backend, { ...params, checkpoint }, signal);
    else throw new EngineError('bad-request', 'openSession needs a checkpoint folder, a model made elsewhere (with data), or latents (a .npy, Parquet or Arrow file) to explore without a model');
    const id = randomUUID();
    this.open.set(id, { id, ...opened.open });
    return { sessionId: id, ...opened.session };
  }

  get(id: string): OpenSession {
    const session = this.open.get(id);
    if (!session) throw new EngineError('bad-request', `no open session ${id}; it was closed or the engine restarted — reopen the checkpoint`);
    return session;
  }

  close(id: string): boolean {
    const session = this.open.get(id);
    session?.model?.dispose();
    session?.foreign?.dispose();
    void session?.rows?.close();
    return this.open.delete(id);
  }
}
