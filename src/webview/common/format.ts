/** Numbers and durations as the panel shows them. */

const counts = new Intl.NumberFormat('en-US');

export function formatCount(count: number): string {
  return counts.format(count);
}

/** Four significant digits, switching to exponent notation where that would be all zeros. */
export function formatValue(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e5 ? String(Number(value.toPrecision(4))) : value.toExponential(2);
}

/** A share in [0, 1] as a percentage with as many decimals as small shares need. */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return `${percent.toFixed(percent >= 10 || percent === 0 ? 0 : percent >= 1 ? 1 : 2)}%`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** One line for a failed action: what failed and the engine's reason. */
export function failureText(what: string, error: unknown): string {
  return `${what}: ${error instanceof Error ? error.message : String(error)}`;
}
