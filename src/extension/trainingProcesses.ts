/**
 * Every training run in an engine process of its own (the same dist/engine.js), so a training step
 * never holds up the explorer's requests and a run that crashes or exhausts memory loses only itself
 * (its last checkpoint was written atomically). Two runs train at once in two processes. A run whose
 * process does not answer a cancel within `cancelGraceMs` is killed; its last checkpoint stays.
 * Free of `vscode` so it is testable in plain Node.
 */
import { EngineError, type ParamsOf, type ResultOf } from '../shared/protocol';
import type { CallOptions } from '../shared/rpc';
import { EngineProcess, type EngineProcessOptions } from './engineProcess';

export type TrainingProcessOptions = Omit<EngineProcessOptions, 'onExit'>;

export class TrainingProcesses {
  private readonly processes = new Set<EngineProcess>();

  constructor(private readonly options: TrainingProcessOptions, private readonly cancelGraceMs = 2000) {}

  /** How many runs are training now. */
  get size(): number {
    return this.processes.size;
  }

  /** The processes' ids (tests kill one to prove a crash loses only its run). */
  get pids(): number[] {
    return [...this.processes].flatMap((engine) => (engine.pid === undefined ? [] : [engine.pid]));
  }

  async train(params: ParamsOf<'train'>, options: CallOptions = {}): Promise<ResultOf<'train'>> {
    let exit: string | undefined;
    const engine = new EngineProcess({ ...this.options, onExit: (description) => (exit = description) });
    this.processes.add(engine);
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      killTimer = setTimeout(() => engine.dispose(), this.cancelGraceMs);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await engine.request('train', params, options);
    } catch (error) {
      if (!(error instanceof EngineError) || error.code !== 'engine-died') throw error;
      // Killed after an unanswered cancel: the user asked to stop, and the last checkpoint is kept.
      if (options.signal?.aborted) throw new EngineError('cancelled', `the training process did not stop within ${this.cancelGraceMs / 1000} s of the cancel and was ended; the last epoch's checkpoint is kept`);
      throw new EngineError('engine-died', `the training process stopped (${exit ?? 'it exited'}); the explorer is unaffected and the last epoch's checkpoint is kept, ready to resume`);
    } finally {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      this.processes.delete(engine);
      engine.dispose();
    }
  }

  dispose(): void {
    for (const engine of this.processes) engine.dispose();
    this.processes.clear();
  }
}
