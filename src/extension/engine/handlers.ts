/** The engine's request handlers, shared by the engine process and in-process callers (CLI, tests). */
import type { Handlers } from './dispatcher';
import { engineInfo } from './engineInfo';

export function createHandlers(): Omit<Handlers, 'cancel'> {
  return {
    info: () => engineInfo(),
  };
}
