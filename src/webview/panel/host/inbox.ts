/**
 * Every message that reaches the page passes through here: it is validated against the shared
 * schemas and handed on typed, or dropped with a report — a malformed message never reaches a view.
 */
import { type EngineMessage, messageOf, parseEngineMessage } from '../../../shared/protocol';
import { type HostMessage, hostMessageSchema } from '../../../shared/webviewProtocol';
import { logToHost } from './vscodeApi';

export interface InboxHandlers {
  engine(message: EngineMessage): void;
  host(message: HostMessage): void;
}

const ENGINE_TYPES = new Set(['response', 'event']);

export function listenForMessages(handlers: InboxHandlers): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const raw = event.data;
    let deliver: () => void;
    try {
      if (isEngineEnvelope(raw)) {
        const message = parseEngineMessage(raw);
        deliver = () => handlers.engine(message);
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

function isEngineEnvelope(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && ENGINE_TYPES.has(String((raw as { type?: unknown }).type));
}
