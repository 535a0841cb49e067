/**
 * A parser for the Python literal that .npy headers hold, e.g.
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. It only builds plain values from
 * strings, integers, booleans, None, tuples, lists and dicts, so nothing in a header is ever run.
 */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

const MAX_DEPTH = 16;

export class PyLiteralError extends Error {}

export function parsePyLiteral(text: string): PyValue {
  let position = 0;

  const fail = (what: string): never => {
    throw new PyLiteralError(`${what} at character ${position}`);
  };
  const skipSpace = () => {
    while (position < text.length && /\s/.test(text[position]!)) position++;
  };
  const take = (expected: string): boolean => {
    skipSpace();
    if (text.startsWith(expected, position)) {
      position += expected.length;
      return true;
    }
    return false;
  };

  const parseString = (): string => {
    const quote = text[position++]!;
    let value = '';
    while (position < text.length && text[position] !== quote) {
      // Escapes never occur in the headers numpy writes; refusing them keeps the parser exact.
      if (text[position] === '\\') fail('escape sequence in string');
      value += text[position++];
    }
    if (!take(quote)) fail('unterminated string');
    return value;
  };

  const parseSequence = (close: string, depth: number): PyValue[] => {
    const items: PyValue[] = [];
    while (!take(close)) {
      items.push(parseValue(depth + 1));
      if (take(close)) break;
      if (!take(',')) fail(`expected , or ${close}`);
    }
    return items;
  };

  const parseDict = (depth: number): { [key: string]: PyValue } => {
    const dict: { [key: string]: PyValue } = Object.create(null) as { [key: string]: PyValue };
    while (!take('}')) {
      const key = parseValue(depth + 1);
      if (typeof key !== 'string') fail('dict key that is not a string');
      if (!take(':')) fail('expected :');
      dict[key as string] = parseValue(depth + 1);
      if (take('}')) break;
      if (!take(',')) fail('expected , or }');
    }
    return dict;
  };

  const parseValue = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipSpace();
    const char = text[position];
    if (char === "'" || char === '"') return parseString();
    if (take('{')) return parseDict(depth);
    if (take('(')) return parseSequence(')', depth);
    if (take('[')) return parseSequence(']', depth);
    for (const [word, value] of [['True', true], ['False', false], ['None', null]] as const) {
      if (text.startsWith(word, position)) {
        position += word.length;
        return value;
      }
    }
    // Python 2 wrote long integers with an `L` suffix, e.g. `(3L, 4L)`.
    const integer = /^[+-]?\d+L?/.exec(text.slice(position, position + 32));
    if (!integer) return fail('unexpected token');
    position += integer[0].length;
    return Number(integer[0].replace('L', ''));
  };

  const value = parseValue(0);
  skipSpace();
  if (position !== text.length) fail('trailing characters');
  return value;
}
