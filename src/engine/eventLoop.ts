import { channel } from 'node:diagnostics_channel';

/**
 * Where `nextTurn` announces the stage it resumes into, so that a probe can tell what held the
 * loop when a turn came late (bench/whileTraining.ts) and tests can check that long work is split
 * into stages with a turn between each. Publishing costs nothing while nobody subscribes.
 */
export const loopStages = channel('latent-lab:loop-stage');

/**
 * One turn of the event loop. tfjs' `data()` resolves as a microtask, so a loop of awaited steps
 * would never let Node read a message (a cancel, a decode) until it ends; awaiting this between
 * steps does, for a few microseconds each. `next` names what the caller runs after the turn.
 */
export function nextTurn(next?: string): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      if (next !== undefined) loopStages.publish(next);
      resolve();
    }),
  );
}
