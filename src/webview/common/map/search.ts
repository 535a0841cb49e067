/** The map's search box: a label name highlights that class, a number (or #number) one sample. */
import type { Session } from '../../../shared/protocol';
import { plural } from '../format';

export interface SearchResult {
  indices: number[];
  description: string;
}

export function search(session: Pick<Session, 'count' | 'labels' | 'labelNames'>, query: string): SearchResult | undefined {
  const text = query.trim();
  if (!text) return undefined;
  const byLabel = labelMatch(session, text);
  // A bare number is a label first where labels are digits ("7"); "#7" always means sample 7.
  if (byLabel && !text.startsWith('#')) return byLabel;
  const index = /^#?\d+$/.test(text) ? Number(text.replace('#', '')) : NaN;
  if (Number.isInteger(index) && index < session.count) return { indices: [index], description: `sample #${index}` };
  return { indices: [], description: `no label or sample "${text}"` };
}

function labelMatch(session: Pick<Session, 'labels' | 'labelNames'>, text: string): SearchResult | undefined {
  if (!session.labels) return undefined;
  const wanted = text.toLowerCase();
  const names = session.labelNames;
  const label = names ? names.findIndex((name) => name.toLowerCase() === wanted) : /^\d+$/.test(text) ? Number(text) : -1;
  if (label < 0) return undefined;
  const indices: number[] = [];
  session.labels.forEach((value, index) => {
    if (value === label) indices.push(index);
  });
  if (!names && indices.length === 0) return undefined;
  return { indices, description: `label "${names?.[label] ?? label}": ${plural(indices.length, 'point')}` };
}
