/**
 * One turn of the event loop. tfjs' `data()` resolves as a microtask, so a loop of awaited steps
 * would never let Node read a message (a cancel, a decode) until it ends; awaiting this between
 * steps does, for a few microseconds each.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
