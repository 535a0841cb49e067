/** The label legend beside a map: color, name and count per label; with `onPick`, a click picks that label. */
import type { Session } from '../../../shared/protocol';
import { formatCount } from '../format';
import { categoryColor } from '../render/palette';
import { el } from '../ui/dom';

export function labelLegend(session: Pick<Session, 'labels' | 'labelNames'>, onPick?: (name: string) => void): HTMLElement | undefined {
  if (!session.labels) return undefined;
  const counts = new Map<number, number>();
  for (const label of session.labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const entries = [...counts.entries()].sort(([a], [b]) => a - b);
  return el(
    'ul',
    { class: 'legend', attrs: { 'aria-label': 'Labels' } },
    entries.map(([label, count]) => {
      const name = session.labelNames?.[label] ?? String(label);
      const content = [
        el('span', { class: 'swatch', attrs: { style: `background:${categoryColor(label)}` } }),
        el('span', { class: 'legend-name' }, [name]),
        el('span', { class: 'legend-count' }, [formatCount(count)]),
      ];
      return el('li', {}, [
        onPick
          ? el('button', { class: 'legend-entry', title: `Highlight label ${name}`, on: { click: () => onPick(name) } }, content)
          : el('span', { class: 'legend-entry' }, content),
      ]);
    }),
  );
}
