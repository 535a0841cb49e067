/**
 * Every message that reaches the page passes through here: it is validated against the shared
 * schemas and handed on typed, or dropped with a report — a malformed message never reaches a view.
 */
import { messageOf } from '../../../shared/protocol';
import { isReply } from '../../../shared/rpc';
import { type HostMessage, hostMessageSchema } from '../../../shared/webviewProtocol';
import { logToHost } from './vscodeApi';

export interface InboxHandlers {
  /** Responses and events, validated by the RPC client they go to. */
  engine(message: unknown): void;
  host(message: HostMessage): void;
}

export function listenForMessages(handlers: InboxHandlers): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const raw = event.data;
    let deliver: () => void;
    try {
      if (isReply(raw)) {
        deliver = () => handlers.engine(raw);
      } else {
        const message = hostMessageSchema.parse(raw, 'message');
        deliver = () => handlers.host(message);
      }
    } catch (error) {
      reportProblem(`ignored a malformed message: ${messageOf(error)}`);
      return;
    }
    try {
      deliver();
    } catch (error) {
      reportProblem(`failed to handle a message: ${messageOf(error)}`);
    }
  });
}

/** Problems go to the devtools console and to the host's output channel. */
export function reportProblem(message: string): void {
  console.error(`Latent Lab: ${message}`);
  logToHost('error', message);
}
