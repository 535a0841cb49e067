/** The webview's handle on VS Code: messages to the extension host and the state a reload restores. */
import type { RequestMessage } from '../../../shared/rpc';
import type { WebviewMessage } from '../../../shared/webviewProtocol';

type OutgoingMessage = WebviewMessage | RequestMessage;

interface VsCodeApi {
  postMessage(message: OutgoingMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** VS Code allows one acquisition per page, so everything shares this one. */
export const vscodeApi: VsCodeApi = acquireVsCodeApi();

export function logToHost(level: 'info' | 'warn' | 'error', message: string): void {
  vscodeApi.postMessage({ type: 'log', level, message: message.slice(0, 10_000) });
}
