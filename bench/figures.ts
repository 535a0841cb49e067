/**
 * What each performance benchmark reports: named figures with the reference they are measured
 * against on the same machine in the same run, so `bench/run.ts` can print one table and one JSON.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

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

export function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

/** The python of the reference venv (Keras, umap-learn), provisioned on first use. */
export function referencePython(): string {
  try {
    return execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'provision-python.sh'), 'reference'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch {
    throw new Error('the reference runs need the Python venv from `bash scripts/provision-python.sh reference`, which failed (see above)');
  }
}
