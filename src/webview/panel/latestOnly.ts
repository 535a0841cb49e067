/**
 * Live controls (sliders, hover, zoom) fire far faster than the engine answers. This runs the work
 * for one value at a time; values that arrive meanwhile replace each other, so when a run ends only
 * the newest one runs next and a drag never leaves a queue of stale requests behind it.
 */
export class LatestOnly<T> {
  private pending: { value: T } | undefined;
  private running = false;

  constructor(private readonly work: (value: T) => Promise<void>, private readonly onError: (error: unknown) => void) {}

  push(value: T): void {
    this.pending = { value };
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.pending) {
      const { value } = this.pending;
      this.pending = undefined;
      try {
        await this.work(value);
      } catch (error) {
        this.onError(error);
      }
    }
    this.running = false;
  }
}
