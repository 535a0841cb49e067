/**
 * The part of VS Code's notebook renderer API (the `vscode-notebook-renderer` types) this renderer
 * uses. VS Code imports the entry module and calls its exported `activate`.
 */

/** One output item of a cell, in the MIME type the renderer is registered for. */
export interface OutputItem {
  /** Unique per output item; `disposeOutputItem` names it again. */
  readonly id: string;
  readonly mime: string;
  /** The data parsed as JSON; throws when it is not JSON. */
  json(): unknown;
}

export interface RendererApi {
  /** Called when an item is first shown and again when it changes, with the element to draw into. */
  renderOutputItem(outputItem: OutputItem, element: HTMLElement): void | Promise<void>;
  /** Called when a rendered item goes away; without an id, every item of this renderer does. */
  disposeOutputItem?(id?: string): void;
}

/** `activate` also receives a context (state, messaging, workspace trust) that this renderer has no use for. */
export type ActivationFunction = () => RendererApi;
