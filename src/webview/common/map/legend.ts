/** The legends beside a map: color, name and count per category; with `onPick`, a click searches for that category. */
import type { MetadataColumn, Session } from '../../../shared/protocol';
import { formatCount, plural } from '../format';
import { categoryColor, cssRgb, NULL_RGB } from '../render/palette';
import { el } from '../ui/dom';
import type { RankedCategories } from './mapColoring';
import { columnQuery } from './search';

interface LegendEntry {
  name: string;
  count: number;
  /** The swatch's CSS color. */
  color: string;
  /** What a click searches for, and the button's tooltip; entries without one only show. */
  pick?: { query: string; title: string };
}

export function labelLegend(session: Pick<Session, 'labels' | 'labelNames'>, onPick?: (name: string) => void): HTMLElement | undefined {
  if (!session.labels) return undefined;
  const counts = new Map<number, number>();
  for (const label of session.labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const entries = [...counts.entries()].sort(([a], [b]) => a - b);
  return legendList(
    'Labels',
    entries.map(([label, count]) => {
      const name = session.labelNames?.[label] ?? String(label);
      return { name, count, color: categoryColor(label), pick: { query: name, title: `Highlight label ${name}` } };
    }),
    onPick,
  );
}

/**
 * A metadata column's legend: the categories that have their own colors, the rest as one entry that
 * says how many they are, and the nulls; a column of numbers (the colour bar shows its scale) lists
 * only its nulls, if it has any.
 */
export function columnLegend(column: MetadataColumn, ranked: RankedCategories | undefined, onPick: (query: string) => void): HTMLElement | undefined {
  const entries: LegendEntry[] =
    ranked?.shown.map(({ name, count }, rank) => {
      const query = columnQuery(column.name, name);
      return { name, count, color: categoryColor(rank), pick: { query, title: `Highlight ${query}` } };
    }) ?? [];
  if (ranked && ranked.others.count > 0) entries.push({ name: `${plural(ranked.others.categories, 'more value')}`, count: ranked.others.count, color: categoryColor(ranked.shown.length) });
  const nulls = ranked ? ranked.nulls : (column.values?.filter(Number.isNaN).length ?? 0);
  if (nulls > 0) entries.push({ name: '(null)', count: nulls, color: cssRgb(NULL_RGB) });
  return entries.length > 0 ? legendList(`Values of ${column.name}`, entries, onPick) : undefined;
}

function legendList(label: string, entries: LegendEntry[], onPick: ((query: string) => void) | undefined): HTMLElement {
  return el(
    'ul',
    { class: 'legend', attrs: { 'aria-label': label } },
    entries.map(({ name, count, color, pick }) => {
      const content = [
        el('span', { class: 'swatch', attrs: { style: `background:${color}` } }),
        el('span', { class: 'legend-name' }, [name]),
        el('span', { class: 'legend-count' }, [formatCount(count)]),
      ];
      return el('li', {}, [
        onPick && pick
          ? el('button', { class: 'legend-entry', title: pick.title, on: { click: () => onPick(pick.query) } }, content)
          : el('span', { class: 'legend-entry' }, content),
      ]);
    }),
  );
}
