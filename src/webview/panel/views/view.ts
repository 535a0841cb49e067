/** A tab's content: built lazily when first shown, and torn down with its subscriptions. */
import { el } from '../../common/ui/dom';

export abstract class View {
  readonly element: HTMLElement;
  private readonly cleanups: (() => void)[] = [];

  constructor(className: string) {
    this.element = el('section', { class: `view ${className}` });
  }

  /** Called each time the view's tab becomes visible, after it is laid out. */
  abstract shown(): void;

  dispose(): void {
    for (const cleanup of this.cleanups) cleanup();
  }

  /** Unsubscribe functions (state, signals, theme) to run on dispose. */
  protected onDispose(...cleanups: (() => void)[]): void {
    this.cleanups.push(...cleanups);
  }
}
