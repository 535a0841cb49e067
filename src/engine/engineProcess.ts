/**
 * Entry point of the engine child process (dist/engine.js). The host forks it with
 * `serialization: 'advanced'` so typed arrays cross the IPC channel without JSON encoding.
 */
import { Dispatcher } from './dispatcher';
import { engineInfo } from './engineInfo';
import { createHandlers } from './handlers';

if (!process.send) {
  process.stderr.write('error: dist/engine.js is the engine process and must be started by the extension (use dist/cli.js from a shell)\n');
  process.exit(2);
}

const send = (message: Parameters<NonNullable<typeof process.send>>[0]) => {
  // The host may already be gone (reload, crash): nothing to report to, so exit quietly.
  if (process.connected) process.send!(message);
};
const dispatcher = new Dispatcher(createHandlers(), send, (line) => dispatcher.emit('log', { level: 'warn', message: line }));

process.on('message', (raw) => {
  void dispatcher.handle(raw);
});
process.on('disconnect', () => process.exit(0));

// Announce the backend once, so the host can show it without asking.
void engineInfo().then(
  (info) => dispatcher.emit('backend', info),
  (error: unknown) => dispatcher.emit('log', { level: 'error', message: `backend failed to load: ${String(error)}` }),
);
