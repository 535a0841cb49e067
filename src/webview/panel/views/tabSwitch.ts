/**
 * One view sending the user to another tab (a worst sample to the map, a dead unit to its
 * traversal). The tab header is clicked as a user would, so the panel's own tab handling saves the
 * choice and builds the view it shows.
 */
import type { ViewName } from '../uiState';

/** Long enough for a view built on first show to fetch what it draws. */
const APPEAR_TIMEOUT_MS = 15_000;

export function openTab(from: Element, view: ViewName): void {
  from.closest('vscode-tabs')?.querySelector<HTMLElement>(`vscode-tab-header[data-view="${view}"]`)?.click();
}

/**
 * Calls `found` with the first element matching `selector` in `view`'s tab once it exists (views
 * build lazily, some after an engine request); gives up silently after a while — the tab is open
 * either way. Looks from the next frame on: a tab just opened rebuilds what went stale then.
 */
export function whenInTab(from: Element, view: ViewName, selector: string, found: (element: HTMLElement) => void): void {
  const panel = from.closest('vscode-tabs')?.querySelector(`vscode-tab-panel[data-view="${view}"]`);
  if (panel) requestAnimationFrame(() => watch(panel, selector, found));
}

function watch(panel: Element, selector: string, found: (element: HTMLElement) => void): void {
  const existing = panel.querySelector<HTMLElement>(selector);
  if (existing) {
    found(existing);
    return;
  }
  const observer = new MutationObserver(() => {
    const element = panel.querySelector<HTMLElement>(selector);
    if (!element) return;
    stop();
    found(element);
  });
  const timer = setTimeout(() => stop(), APPEAR_TIMEOUT_MS);
  const stop = () => {
    observer.disconnect();
    clearTimeout(timer);
  };
  observer.observe(panel, { childList: true, subtree: true });
}
