/**
 * What each performance benchmark reports: named figures with the reference they are measured
 * against on the same machine in the same run, so `bench/run.ts` can print one table and one JSON.
 */
export interface Figure {
  /** The JSON field, e.g. `trainRatioVsKeras`. */
  field: string;
  /** The value that goes into the JSON object. */
  value: number;
  /** Human table: what was measured for us and for the reference, with units. */
  ours: string;
  reference: string;
  /** The target as written in the issue, e.g. `≥ 1.0`. */
  target: string;
  met: boolean;
}

export interface BenchOptions {
  /** A smaller, faster run (fewer samples/epochs) for smoke checks; figures are then indicative only. */
  quick: boolean;
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : String(value);
}
