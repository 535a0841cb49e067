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
  await new Promise<void>((resolve) => setImmediate(resolve));
  signal?.throwIfAborted();
}

/** Options for a sub-step whose own progress fills [start, end] of the caller's. */
export function subStep(options: ProjectionOptions, start: number, end: number): ProjectionOptions {
  const { onProgress } = options;
  return { ...options, onProgress: onProgress && ((fraction, stage) => onProgress(start + (end - start) * fraction, stage)) };
}
