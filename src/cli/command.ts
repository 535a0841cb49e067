import type { Backend } from '../engine/backend';
import type { ParsedArgs } from './args';

export interface StandaloneContext {
  args: ParsedArgs;
  signal: AbortSignal;
  /** Progress and notes for people: stderr, so stdout stays machine-readable. */
  note(line: string): void;
}

export interface CliContext extends StandaloneContext {
  backend: Backend;
}

export interface CommandOutcome<R> {
  result: R;
  human: string;
  /** Non-zero for outcomes that are not errors but not success either (cancelled: 130). */
  exitCode?: number;
}

interface CommandShape {
  summary: string;
  usage: string;
  values: readonly string[];
  booleans?: readonly string[];
}

export interface CliCommand extends CommandShape {
  run(context: CliContext): Promise<CommandOutcome<unknown>>;
}

/** A command that loads no tfjs: setup-native fetches what the native backend needs, so it cannot wait on loading one. */
export interface StandaloneCommand extends CommandShape {
  standalone: true;
  run(context: StandaloneContext): Promise<CommandOutcome<unknown>>;
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
