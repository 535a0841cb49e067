/**
 * The few globals that a browser page and Node both provide, declared for src/shared alone: shared
 * code runs on both sides, so it may use neither the DOM's nor Node's full set of types.
 */
declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;

interface AbortSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

declare class AbortController {
  readonly signal: AbortSignal;
  abort(): void;
}

declare class TextDecoder {
  decode(bytes: Uint8Array): string;
}

declare function atob(data: string): string;
