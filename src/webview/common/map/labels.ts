/** A point's label as people read it: its name when the labels have names, else the class number. */
import type { Session } from '../../../shared/protocol';

export function labelText(session: Pick<Session, 'labels' | 'labelNames'>, index: number): string | undefined {
  const label = session.labels?.[index];
  if (label === undefined) return undefined;
  return session.labelNames?.[label] ?? String(label);
}
