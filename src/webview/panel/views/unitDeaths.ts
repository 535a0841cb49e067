/**
 * When a unit died, read from its health over the recorded epochs: the first epoch from which it
 * stays dead through the last one recorded. A unit that recovers later is not dead, and one dead
 * from the first epoch on died at that first epoch.
 */

/** `values` is [epochs, units] row-major, `epochs` the epoch numbers of its rows; undefined for a unit alive at the last epoch. */
export function deathEpochs(values: Float32Array, epochs: ArrayLike<number>, units: number, isDead: (value: number) => boolean): (number | undefined)[] {
  return Array.from({ length: units }, (_, unit) => {
    let died: number | undefined;
    for (let row = epochs.length - 1; row >= 0 && isDead(values[row * units + unit]!); row--) died = epochs[row];
    return died;
  });
}
