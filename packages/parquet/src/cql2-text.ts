// CQL2 text → CQL2 JSON, for filters given as text. Kept in a file of its own so it
// can be merged with core's converter (the STAC API client needs the same thing).
// Covers the Basic CQL2 grammar plus the spatial, temporal and array functions the
// evaluator understands; anything else is an OptionError naming the position.
import { OptionError, type Geometry } from '@pyramids/core';

type Json = unknown;

const COMPARISONS = ['<>', '<=', '>=', '!=', '=', '<', '>'];
const FUNCTIONS = new Set([
  's_intersects', 's_within', 's_contains', 's_disjoint', 's_equals',
  't_intersects', 't_before', 't_after', 't_during', 't_equals', 'anyinteracts',
  'a_contains', 'a_containedby', 'a_overlaps', 'a_equals',
]);
const GEOMETRY_TYPES: Record<string, string> = {
  POINT: 'Point',
  LINESTRING: 'LineString',
  POLYGON: 'Polygon',
  MULTIPOINT: 'MultiPoint',
  MULTILINESTRING: 'MultiLineString',
  MULTIPOLYGON: 'MultiPolygon',
};

interface Token {
  kind: 'word' | 'string' | 'number' | 'symbol' | 'quoted';
  text: string;
  at: number;
}

/** Parses a CQL2 text filter into CQL2 JSON; throws OptionError pointing at the problem. */
export function parseCql2Text(text: string): Json {
  const tokens = tokenize(text);
  let position = 0;
  const fail = (message: string): never => {
    const at = tokens[position]?.at ?? text.length;
    throw new OptionError(`CQL2 text: ${message} at character ${at + 1} of "${text}"`);
  };
  const peek = () => tokens[position];
  const isWord = (word: string, offset = 0) => tokens[position + offset]?.kind === 'word' && tokens[position + offset]!.text.toUpperCase() === word;
  const isSymbol = (symbol: string) => peek()?.kind === 'symbol' && peek()!.text === symbol;
  const expectSymbol = (symbol: string) => {
    if (!isSymbol(symbol)) fail(`expected '${symbol}'`);
    position++;
  };
  const expectWord = (word: string) => {
    if (!isWord(word)) fail(`expected ${word}`);
    position++;
  };

  const orExpression = (): Json => {
    const args = [andExpression()];
    while (isWord('OR')) {
      position++;
      args.push(andExpression());
    }
    return args.length === 1 ? args[0] : { op: 'or', args };
  };
  const andExpression = (): Json => {
    const args = [notExpression()];
    while (isWord('AND')) {
      position++;
      args.push(notExpression());
    }
    return args.length === 1 ? args[0] : { op: 'and', args };
  };
  const notExpression = (): Json => {
    if (isWord('NOT')) {
      position++;
      return { op: 'not', args: [notExpression()] };
    }
    return predicate();
  };
  const predicate = (): Json => {
    if (isSymbol('(')) {
      position++;
      const inner = orExpression();
      expectSymbol(')');
      return inner;
    }
    const token = peek();
    if (token?.kind === 'word' && FUNCTIONS.has(token.text.toLowerCase()) && tokens[position + 1]?.text === '(') {
      position += 2;
      const first = scalar();
      expectSymbol(',');
      const second = scalar();
      expectSymbol(')');
      return { op: token.text.toLowerCase(), args: [first, second] };
    }
    if (isWord('TRUE') || isWord('FALSE')) {
      const value = isWord('TRUE');
      position++;
      if (!peek() || isSymbol(')') || isWord('AND') || isWord('OR')) return value;
      position--;
    }
    const left = scalar();
    const negated = isWord('NOT') && (isWord('LIKE', 1) || isWord('BETWEEN', 1) || isWord('IN', 1));
    if (negated) position++;
    const wrap = (expression: Json) => (negated ? { op: 'not', args: [expression] } : expression);
    const symbol = peek();
    if (symbol?.kind === 'symbol' && COMPARISONS.includes(symbol.text)) {
      position++;
      return { op: symbol.text === '!=' ? '<>' : symbol.text, args: [left, scalar()] };
    }
    if (isWord('LIKE')) {
      position++;
      return wrap({ op: 'like', args: [left, scalar()] });
    }
    if (isWord('BETWEEN')) {
      position++;
      const low = scalar();
      expectWord('AND');
      return wrap({ op: 'between', args: [left, low, scalar()] });
    }
    if (isWord('IN')) {
      position++;
      expectSymbol('(');
      const list = [scalar()];
      while (isSymbol(',')) {
        position++;
        list.push(scalar());
      }
      expectSymbol(')');
      return wrap({ op: 'in', args: [left, list] });
    }
    if (isWord('IS')) {
      position++;
      const not = isWord('NOT');
      if (not) position++;
      expectWord('NULL');
      const expression = { op: 'isNull', args: [left] };
      return not ? { op: 'not', args: [expression] } : expression;
    }
    if (typeof left === 'boolean') return left;
    return fail('expected a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL)');
  };
  const number = (): number => {
    const token = peek();
    let sign = 1;
    if (token?.kind === 'symbol' && (token.text === '-' || token.text === '+')) {
      sign = token.text === '-' ? -1 : 1;
      position++;
    }
    const value = peek();
    if (value?.kind !== 'number') return fail('expected a number');
    position++;
    return sign * Number(value.text);
  };
  const coordinates = (depth: number): unknown => {
    if (depth === 0) {
      if (isSymbol('(')) {
        // MULTIPOINT((1 2), (3 4)) wraps each point.
        position++;
        const point = coordinates(0);
        expectSymbol(')');
        return point;
      }
      const point = [number(), number()];
      while (peek()?.kind === 'number' || isSymbol('-')) point.push(number());
      return point;
    }
    expectSymbol('(');
    const list = [coordinates(depth - 1)];
    while (isSymbol(',')) {
      position++;
      list.push(coordinates(depth - 1));
    }
    expectSymbol(')');
    return list;
  };
  const scalar = (): Json => {
    const token = peek();
    if (!token) return fail('unexpected end of the filter');
    if (token.kind === 'string') {
      position++;
      return token.text;
    }
    if (token.kind === 'number' || (token.kind === 'symbol' && (token.text === '-' || token.text === '+'))) return number();
    if (token.kind === 'quoted') {
      position++;
      return { property: token.text };
    }
    if (token.kind === 'symbol' && token.text === '(') {
      position++;
      const list = [scalar()];
      while (isSymbol(',')) {
        position++;
        list.push(scalar());
      }
      expectSymbol(')');
      return list;
    }
    if (token.kind !== 'word') return fail(`unexpected '${token.text}'`);
    const upper = token.text.toUpperCase();
    const call = tokens[position + 1]?.text === '(';
    if (upper === 'TRUE' || upper === 'FALSE') {
      position++;
      return upper === 'TRUE';
    }
    if (call && (upper === 'TIMESTAMP' || upper === 'DATE')) {
      position += 2;
      const value = peek();
      if (value?.kind !== 'string') return fail(`expected a quoted ${upper.toLowerCase()}`);
      position++;
      expectSymbol(')');
      return upper === 'DATE' ? { date: value.text } : { timestamp: value.text };
    }
    if (call && upper === 'INTERVAL') {
      position += 2;
      const bound = () => {
        const value = scalar();
        if (typeof value === 'string') return value;
        const record = value as { timestamp?: string; date?: string };
        return record.timestamp ?? record.date ?? fail('expected an interval bound');
      };
      const start = bound();
      expectSymbol(',');
      const end = bound();
      expectSymbol(')');
      return { interval: [start, end] };
    }
    if (call && upper === 'BBOX') {
      position += 2;
      const values = [number()];
      while (isSymbol(',')) {
        position++;
        values.push(number());
      }
      expectSymbol(')');
      if (values.length !== 4 && values.length !== 6) return fail('BBOX takes 4 or 6 numbers');
      return { bbox: values };
    }
    if (call && (upper === 'CASEI' || upper === 'ACCENTI')) {
      position += 2;
      const inner = scalar();
      expectSymbol(')');
      return { op: upper.toLowerCase(), args: [inner] };
    }
    if (call && upper in GEOMETRY_TYPES) {
      position++;
      const depth = { POINT: 1, LINESTRING: 1, MULTIPOINT: 1, POLYGON: 2, MULTILINESTRING: 2, MULTIPOLYGON: 3 }[upper]!;
      let value = coordinates(depth) as unknown[];
      if (upper === 'POINT') value = value[0] as unknown[];
      return { type: GEOMETRY_TYPES[upper]!, coordinates: value } satisfies Geometry;
    }
    position++;
    return { property: token.text };
  };

  if (tokens.length === 0) throw new OptionError('CQL2 text: the filter is empty');
  const result = orExpression();
  if (position < tokens.length) fail(`unexpected '${tokens[position]!.text}'`);
  return result;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    if (char === "'" || char === '"') {
      let value = '';
      let end = index + 1;
      for (;;) {
        if (end >= text.length) throw new OptionError(`CQL2 text: unterminated ${char === "'" ? 'string' : 'quoted name'} at character ${index + 1} of "${text}"`);
        if (text[end] === char) {
          if (text[end + 1] === char) {
            value += char;
            end += 2;
            continue;
          }
          break;
        }
        value += text[end];
        end++;
      }
      tokens.push({ kind: char === "'" ? 'string' : 'quoted', text: value, at: index });
      index = end + 1;
      continue;
    }
    const numberMatch = /^\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|^\.\d+(?:[eE][+-]?\d+)?/.exec(text.slice(index));
    if (numberMatch) {
      tokens.push({ kind: 'number', text: numberMatch[0], at: index });
      index += numberMatch[0].length;
      continue;
    }
    const wordMatch = /^[A-Za-z_][\w:.]*/.exec(text.slice(index));
    if (wordMatch) {
      tokens.push({ kind: 'word', text: wordMatch[0], at: index });
      index += wordMatch[0].length;
      continue;
    }
    const symbol = ['<>', '<=', '>=', '!='].find((candidate) => text.startsWith(candidate, index)) ?? char;
    if (!'()<>=,+-!'.includes(symbol[0]!)) throw new OptionError(`CQL2 text: unexpected '${char}' at character ${index + 1} of "${text}"`);
    tokens.push({ kind: 'symbol', text: symbol, at: index });
    index += symbol.length;
  }
  return tokens;
}
