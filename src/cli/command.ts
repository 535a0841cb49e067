import type { Backend } from '../engine/backend';
import type { ParsedArgs } from './args';

export interface CliContext {
  args: ParsedArgs;
  backend: Backend;
  signal: AbortSignal;
  /** Progress and notes for people: stderr, so stdout stays machine-readable. */
  note(line: string): void;
}

export interface CommandOutcome<R> {
  result: R;
  human: string;
  /** Non-zero for outcomes that are not errors but not success either (cancelled: 130). */
  exitCode?: number;
}

export interface CliCommand {
  summary: string;
  usage: string;
  values: readonly string[];
  booleans?: readonly string[];
  run(context: CliContext): Promise<CommandOutcome<unknown>>;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return Number(value.toPrecision(5)).toString();
}

export function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}
