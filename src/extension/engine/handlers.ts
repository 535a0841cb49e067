/** The engine's request handlers, shared by the engine process and in-process callers (CLI, tests). */
import { loadBackend } from './backend';
import type { Handlers } from './dispatcher';
import { engineInfo } from './engineInfo';
import { runTraining } from './training/runTraining';

export function createHandlers(): Omit<Handlers, 'cancel'> {
  return {
    info: () => engineInfo(),
    train: async (params, context) => runTraining(await loadBackend(), params, { signal: context.signal, onProgress: (progress) => context.emit('progress', progress) }),
  };
}
