/**
 * Entry point of the engine child process (dist/engine.js). The host forks it with
 * `serialization: 'advanced'` so typed arrays cross the IPC channel without JSON encoding.
 */
import { engineInfo } from './engineInfo';
import { createHandlers } from './handlers';
import { RpcServer } from '../shared/rpc';

if (!process.send) {
  process.stderr.write('error: dist/engine.js is the engine process and must be started by the extension (use dist/cli.js from a shell)\n');
  process.exit(2);
}

const send = (message: Parameters<NonNullable<typeof process.send>>[0]) => {
  // The host may already be gone (reload, crash): nothing to report to, so exit quietly.
  if (process.connected) process.send!(message);
};
const server = new RpcServer(createHandlers(), send, { log: (line) => server.emit('log', { level: 'warn', message: line }) });

process.on('message', (raw) => {
  void server.handle(raw);
});
process.on('disconnect', () => process.exit(0));

// Announce the backend once, so the host can show it without asking.
void engineInfo().then(
  (info) => server.emit('backend', info),
  (error: unknown) => server.emit('log', { level: 'error', message: `backend failed to load: ${String(error)}` }),
);
