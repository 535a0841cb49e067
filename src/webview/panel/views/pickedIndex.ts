/** Reading a sample index the user typed, with a one-line reason when it is not one. */
import type { Session } from '../../../shared/protocol';
import { formatCount } from '../../common/format';

export function parseIndex(session: Session, text: string): { index: number } | { problem: string } {
  const trimmed = text.trim().replace(/^#/, '');
  const index = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (Number.isInteger(index) && index < session.count) return { index };
  return { problem: `"${text.trim()}" is not a sample index (0–${formatCount(session.count - 1)})` };
}
