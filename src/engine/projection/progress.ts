import { nextTurn } from '../eventLoop';

/** What every long projection step accepts: a seed, a cancel signal and a progress sink. */
export interface ProjectionOptions {
  seed?: number;
  signal?: AbortSignal;
  /** `fraction` is of the whole call, in [0, 1]; `stage` names the step now running. */
  onProgress?: (fraction: number, stage: string) => void;
}

/**
 * Lets the event loop run so a cancel message can be received, then throws the signal's reason
 * (an 'AbortError' DOMException unless the caller chose another) if it was aborted.
 */
export async function pause(signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  await nextTurn();
  signal?.throwIfAborted();
}

/** Options for a sub-step whose own progress fills [start, end] of the caller's. */
export function subStep(options: ProjectionOptions, start: number, end: number): ProjectionOptions {
  const { onProgress } = options;
  return { ...options, onProgress: onProgress && ((fraction, stage) => onProgress(start + (end - start) * fraction, stage)) };
}

/**
 * Options for consecutive sub-steps that fill the caller's progress in proportion to `weights`,
 * their expected times, so that the fraction grows about evenly in time and an ETA drawn from it holds.
 */
export function stagesOf<const W extends readonly number[]>(options: ProjectionOptions, weights: W): { [K in keyof W]: ProjectionOptions } {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let done = 0;
  return weights.map((weight) => {
    const stage = subStep(options, done / total, (done + weight) / total);
    done += weight;
    return stage;
  }) as { [K in keyof W]: ProjectionOptions };
}

/** Resolves as `work` does, or rejects with the signal's reason as soon as it is aborted. */
export function unlessAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

const ROWS_PER_PAUSE = 4096;

/** Runs `visit` over rows 0..count − 1 in chunks, reporting progress and pausing between them. */
export async function eachRow(count: number, stage: string, options: ProjectionOptions, visit: (row: number) => void): Promise<void> {
  for (let start = 0; start < count; start += ROWS_PER_PAUSE) {
    const end = Math.min(count, start + ROWS_PER_PAUSE);
    for (let row = start; row < end; row++) visit(row);
    options.onProgress?.(end / count, stage);
    await pause(options.signal);
  }
}
