/**
 * Views redo their engine work only while on screen: a change to a hidden tab marks it stale, and
 * it catches up once when shown — picking points on the map does not decode five views at once.
 */
export class Refresher {
  private stale = true;

  constructor(private readonly element: HTMLElement, private readonly refresh: () => void) {}

  invalidate(): void {
    this.stale = true;
    if (this.element.isConnected && !this.element.closest('[hidden]')) this.run();
  }

  shown(): void {
    if (this.stale) this.run();
  }

  private run(): void {
    this.stale = false;
    this.refresh();
  }
}
