/**
 * The map's search box: a label name highlights that class, a number (or #number) one sample, and
 * a metadata column query the points whose value matches: `country:France` (or `=`) for text, exact
 * but for case, `country:Fr*` for a prefix, `"…"` round a value to take it literally; `score>0.5`,
 * `>=`, `<`, `<=`, `=` for numbers. Nulls never match.
 */
import type { MetadataColumn, Session } from '../../../shared/protocol';
import { formatValue, plural } from '../format';

export interface SearchResult {
  indices: number[];
  description: string;
  /** The query could not be read: `description` says what is wrong and what to type. */
  malformed?: true;
}

/** What the search field's tooltip says it understands. */
export const SEARCH_HELP = 'A label name, #index, or a metadata column: column:value (exact, any case; value* for a prefix), column>number (also >=, <, <=, =)';

type Searchable = Pick<Session, 'count' | 'labels' | 'labelNames' | 'metadata'>;

export function search(session: Searchable, query: string): SearchResult | undefined {
  const text = query.trim();
  if (!text) return undefined;
  const byLabel = labelMatch(session, text);
  // A bare number is a label first where labels are digits ("7"); "#7" always means sample 7.
  if (byLabel && !text.startsWith('#')) return byLabel;
  const index = /^#?\d+$/.test(text) ? Number(text.replace('#', '')) : NaN;
  if (Number.isInteger(index) && index < session.count) return { indices: [index], description: `sample #${index}` };
  const byColumn = columnMatch(session.metadata ?? [], text);
  if (byColumn) return byColumn;
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

/** Two-character operators first, so `<=` is not read as `<` and a value starting with `=`. */
const OPERATORS = ['<=', '>=', ':', '=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

/** The search that finds the points whose `column` holds exactly `value` (what a legend click types). */
export function columnQuery(column: string, value: string): string {
  const literal = value === '' || value !== value.trim() || value.endsWith('*') || value.startsWith('"');
  return `${column}:${literal ? `"${value}"` : value}`;
}

/** A metadata query's result, a message for one that cannot be read, or undefined for text that is no column query. */
function columnMatch(columns: MetadataColumn[], text: string): SearchResult | undefined {
  const lower = text.toLowerCase();
  // The longest name the query starts with, so `score` never takes `score_2:…`; the same case first.
  const candidates = columns
    .filter(({ name }) => lower.startsWith(name.toLowerCase()))
    .sort((a, b) => b.name.length - a.name.length || Number(text.startsWith(b.name)) - Number(text.startsWith(a.name)));
  for (const column of candidates) {
    const rest = text.slice(column.name.length).trimStart();
    const operator = OPERATORS.find((each) => rest.startsWith(each));
    if (operator) return matchColumn(column, operator, rest.slice(operator.length).trim());
  }
  const asked = /^([^:=<>"]+?)\s*(?:<=|>=|[:=<>])/.exec(text)?.[1];
  if (asked === undefined) return undefined;
  if (columns.length === 0) return malformed(`no column "${asked}": this map has no metadata columns — search a label name or #index`);
  const names = columns.slice(0, 8).map(({ name }) => name).join(', ') + (columns.length > 8 ? ', …' : '');
  return malformed(`no column "${asked}" — the columns are ${names}; e.g. ${example(columns[0]!)}`);
}

function matchColumn(column: MetadataColumn, operator: Operator, value: string): SearchResult {
  if (value === '') return malformed(`${column.name}${operator} needs a value — e.g. ${example(column)}`);
  if (column.codes) {
    if (operator !== ':' && operator !== '=') return malformed(`${column.name} holds text, which has no order for "${operator}" — e.g. ${example(column)} (value* for a prefix)`);
    return matchCategories(column.name, column.codes, column.categories ?? [], value);
  }
  const number = Number(value);
  if (!Number.isFinite(number)) return malformed(`"${value}" is not a number, and ${column.name} holds numbers — e.g. ${example(column)}`);
  return matchNumbers(column.name, column.values ?? new Float32Array(0), operator, number);
}

function matchCategories(name: string, codes: Int32Array, categories: string[], value: string): SearchResult {
  const quoted = /^"(.*)"$/s.exec(value);
  const prefix = !quoted && value.endsWith('*');
  const typed = quoted ? quoted[1]! : prefix ? value.slice(0, -1) : value;
  const wanted = typed.toLowerCase();
  // Decided once per category, then one pass over the codes: no text is touched per row.
  const hit = Uint8Array.from(categories, (category) => Number(prefix ? category.toLowerCase().startsWith(wanted) : category.toLowerCase() === wanted));
  const indices: number[] = [];
  for (let i = 0; i < codes.length; i++) if (hit[codes[i]!] === 1) indices.push(i);
  const shown = prefix ? `starts with "${typed}"` : `= "${typed}"`;
  return { indices, description: `${name} ${shown}: ${plural(indices.length, 'point')}` };
}

function matchNumbers(name: string, values: Float32Array, operator: Operator, number: number): SearchResult {
  // The column holds float32: equality is with the float32 nearest to what was typed.
  const target = Math.fround(number);
  const tests: Record<Operator, (value: number) => boolean> = {
    ':': (value) => value === target,
    '=': (value) => value === target,
    '<': (value) => value < number,
    '<=': (value) => value <= number,
    '>': (value) => value > number,
    '>=': (value) => value >= number,
  };
  const test = tests[operator];
  const indices: number[] = [];
  for (let i = 0; i < values.length; i++) if (test(values[i]!)) indices.push(i);
  return { indices, description: `${name} ${operator === ':' ? '=' : operator} ${number}: ${plural(indices.length, 'point')}` };
}

function malformed(description: string): SearchResult {
  return { indices: [], description, malformed: true };
}

/** A query that works on this column, built from its own values. */
function example(column: MetadataColumn): string {
  if (column.codes) return columnQuery(column.name, column.categories?.[0] ?? 'value');
  const first = column.values?.find(Number.isFinite);
  return `${column.name}>${first === undefined ? 0 : formatValue(first)}`;
}
