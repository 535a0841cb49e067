/**
 * Every training run in an engine process of its own (the same dist/engine.js), so a training step
 * never holds up the explorer's requests and a run that crashes or exhausts memory loses only itself
 * (its last checkpoint was written atomically). Two runs train at once in two processes. A run whose
 * process does not answer a cancel within `cancelGraceMs` is killed; its last checkpoint stays.
 * Free of `vscode` so it is testable in plain Node.
 */
import { EngineError, type ParamsOf, type ResultOf } from '../shared/protocol';
import { EngineClient, type EngineClientOptions, type RequestOptions } from './engineClient';

export type TrainingClientOptions = Omit<EngineClientOptions, 'onExit'>;

export class TrainingProcesses {
  private readonly clients = new Set<EngineClient>();

  constructor(private readonly options: TrainingClientOptions, private readonly cancelGraceMs = 2000) {}

  /** How many runs are training now. */
  get size(): number {
    return this.clients.size;
  }

  /** The processes' ids (tests kill one to prove a crash loses only its run). */
  get pids(): number[] {
    return [...this.clients].flatMap((client) => (client.pid === undefined ? [] : [client.pid]));
  }

  async train(params: ParamsOf<'train'>, options: RequestOptions = {}): Promise<ResultOf<'train'>> {
    let exit: string | undefined;
    const client = new EngineClient({ ...this.options, onExit: (description) => (exit = description) });
    this.clients.add(client);
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      killTimer = setTimeout(() => client.dispose(), this.cancelGraceMs);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await client.request('train', params, options);
    } catch (error) {
      // Killed after an unanswered cancel: the user asked to stop, and the last checkpoint is kept.
      if (!(error instanceof EngineError) || error.code !== 'engine-died') throw error;
      // Killed after an unanswered cancel: the user asked to stop, and the last checkpoint is kept.
      if (options.signal?.aborted) throw new EngineError('cancelled', `the training process did not stop within ${this.cancelGraceMs / 1000} s of the cancel and was ended; the last epoch's checkpoint is kept`);
      throw new EngineError('engine-died', `the training process stopped (${exit ?? 'it exited'}); the explorer is unaffected and the last epoch's checkpoint is kept, ready to resume`);
    } finally {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      this.clients.delete(client);
      client.dispose();
    }
  }

  dispose(): void {
    for (const client of this.clients) client.dispose();
    this.clients.clear();
  }
}
