/**
 * The runs' facts and final loss terms in one table, a column per run; in each loss row the better
 * value is marked, so the winner of every term reads at a glance.
 */
import { formatCount, formatValue } from '../../../common/format';
import { el } from '../../../common/ui/dom';
import type { Terms } from '../../../../shared/protocol';
import { compareTerms, higherIsBetter, termNames } from '../lossTerms';
import type { Run } from './runs';

export interface MetricRow {
  term: string;
  /** The term's value at each run's last epoch; undefined where that run does not have the term. */
  values: (number | undefined)[];
  /** The column holding the better value; undefined when fewer than two runs have it, or they tie. */
  better: number | undefined;
}

/** One row per loss term in any run's history (training and validation), loss first. */
export function metricRows(histories: Terms[][]): MetricRow[] {
  const finals = histories.map((history) => history.at(-1) ?? {});
  const terms = [...new Set(finals.flatMap(termNames))].sort(compareTerms);
  return terms.map((term) => {
    const values = finals.map((final) => final[term]);
    return { term, values, better: betterColumn(values, higherIsBetter(term)) };
  });
}

function betterColumn(values: (number | undefined)[], higher: boolean): number | undefined {
  const present = values.flatMap((value, column) => (value !== undefined && Number.isFinite(value) ? [{ value, column }] : []));
  if (present.length < 2) return undefined;
  const sorted = present.sort((a, b) => (higher ? b.value - a.value : a.value - b.value));
  return sorted[0]!.value === sorted[1]!.value ? undefined : sorted[0]!.column;
}

export function metricsTable(runs: Run[]): HTMLElement {
  const facts: [string, (run: Run) => string][] = [
    ['kind', (run) => run.session.kind],
    ['latent size', (run) => String(run.session.latentDim)],
    // A limited session says what it left out: the maps show only the encoded samples.
    ['samples', ({ session }) => (session.count < session.totalCount ? `${formatCount(session.count)} of ${formatCount(session.totalCount)}` : formatCount(session.count))],
    ['epochs trained', (run) => formatCount(run.session.history.at(-1)?.epoch ?? 0)],
  ];
  const rows = metricRows(runs.map((run) => run.session.history));
  return el('table', { class: 'metrics' }, [
    el('thead', {}, [el('tr', {}, [el('th', { attrs: { scope: 'col' } }, ['run']), ...runs.map((run) => el('th', { attrs: { scope: 'col', title: run.checkpoint } }, [run.title]))])]),
    el('tbody', {}, facts.map(([name, value]) => el('tr', {}, [el('th', { attrs: { scope: 'row' } }, [name]), ...runs.map((run) => el('td', {}, [value(run)]))]))),
    el(
      'tbody',
      { class: 'loss-terms' },
      rows.map((row) =>
        el('tr', { attrs: { 'data-term': row.term } }, [
          el('th', { attrs: { scope: 'row', title: higherIsBetter(row.term) ? 'final epoch; higher is better' : 'final epoch; lower is better' } }, [row.term]),
          ...row.values.map((value, column) =>
            column === row.better
              ? el('td', { class: 'better' }, [el('span', { class: 'better-mark', attrs: { role: 'img', 'aria-label': 'better' } }, ['✓']), formatValue(value!)])
              : el('td', {}, [value === undefined ? '—' : formatValue(value)]),
          ),
        ]),
      ),
    ),
  ]);
}
