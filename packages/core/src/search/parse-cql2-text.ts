// CQL2 text → CQL2 JSON (OGC 21-065, CQL2 1.0), so a filter typed by a person can be sent
// in the body of a POST search and checked before any request is made. No npm package
// converts CQL2 text for JavaScript (the cql2 library used by pystac-client is Rust/Python).
// Kept in one file: one recursive-descent parser whose grammar rules call each other.
import { SearchError } from '../errors/search-error.js';

/** A CQL2-JSON expression: `{ op, args }`, `{ property }`, a literal, a geometry, … */
export type Cql2Json = string | number | boolean | null | Cql2Json[] | { [key: string]: unknown };

interface Token {
  kind: 'number' | 'string' | 'identifier' | 'quoted' | 'symbol' | 'end';
  text: string;
  position: number;
}

const SYMBOLS = [
  '<=',
  '>=',
  '<>',
  '=',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  ',',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
];
const COMPARISONS = new Map([
  ['=', '='],
  ['<>', '<>'],
  ['<', '<'],
  ['>', '>'],
  ['<=', '<='],
  ['>=', '>='],
]);
const RESERVED = new Set(['AND', 'OR', 'NOT', 'LIKE', 'BETWEEN', 'IN', 'IS', 'DIV']);
const GEOMETRY_TYPES = new Map([
  ['POINT', 'Point'],
  ['LINESTRING', 'LineString'],
  ['POLYGON', 'Polygon'],
  ['MULTIPOINT', 'MultiPoint'],
  ['MULTILINESTRING', 'MultiLineString'],
  ['MULTIPOLYGON', 'MultiPolygon'],
  ['GEOMETRYCOLLECTION', 'GeometryCollection'],
]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    const start = index;
    if (char === "'") {
      let value = '';
      index++;
      for (;;) {
        if (index >= text.length) throw syntaxError(text, start, 'a string that is never closed');
        if (text[index] === "'") {
          if (text[index + 1] === "'") {
            value += "'";
            index += 2;
            continue;
          }
          index++;
          break;
        }
        value += text[index++];
      }
      tokens.push({ kind: 'string', text: value, position: start });
      continue;
    }
    if (char === '"') {
      const end = text.indexOf('"', index + 1);
      if (end === -1) throw syntaxError(text, start, 'a quoted property name that is never closed');
      tokens.push({ kind: 'quoted', text: text.slice(index + 1, end), position: start });
      index = end + 1;
      continue;
    }
    const number = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(index));
    if (number) {
      tokens.push({ kind: 'number', text: number[0], position: start });
      index += number[0].length;
      continue;
    }
    const identifier = /^[A-Za-z_:][\w:.]*/.exec(text.slice(index));
    if (identifier) {
      tokens.push({ kind: 'identifier', text: identifier[0], position: start });
      index += identifier[0].length;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => text.startsWith(candidate, index));
    if (!symbol) throw syntaxError(text, start, `an unexpected character '${char}'`);
    tokens.push({ kind: 'symbol', text: symbol, position: start });
    index += symbol.length;
  }
  tokens.push({ kind: 'end', text: '', position: text.length });
  return tokens;
}

function syntaxError(text: string, position: number, what: string): SearchError {
  const near = text.slice(position, position + 20);
  return new SearchError(
    `filter: cannot parse CQL2 text at position ${position}${near ? ` (near '${near}')` : ''}: found ${what}. ` +
      `Check the expression, or pass the filter as a CQL2-JSON object`,
    { details: { position } },
  );
}

class Cql2TextParser {
  private index = 0;
  private readonly tokens: Token[];

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parse(): Cql2Json {
    const expression = this.parseOr();
    const token = this.peek();
    if (token.kind !== 'end') this.fail(token, 'the end of the expression');
    return expression;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    this.index++;
    return token;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'identifier' && token.text.toUpperCase() === word;
  }

  private isSymbol(symbol: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'symbol' && token.text === symbol;
  }

  private fail(token: Token, expected: string): never {
    const found = token.kind === 'end' ? 'the end of the text' : `'${token.text}'`;
    throw syntaxError(this.text, token.position, `${found} where ${expected} was expected`);
  }

  private expectSymbol(symbol: string): void {
    if (!this.isSymbol(symbol)) this.fail(this.peek(), `'${symbol}'`);
    this.index++;
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(this.peek(), word);
    this.index++;
  }

  private parseOr(): Cql2Json {
    const args = [this.parseAnd()];
    while (this.isKeyword('OR')) {
      this.index++;
      args.push(this.parseAnd());
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  }

  private parseAnd(): Cql2Json {
    const args = [this.parseNot()];
    while (this.isKeyword('AND')) {
      this.index++;
      args.push(this.parseNot());
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  }

  private parseNot(): Cql2Json {
    if (this.isKeyword('NOT')) {
      this.index++;
      return { op: 'not', args: [this.parseNot()] };
    }
    return this.parsePredicate();
  }

  private parsePredicate(): Cql2Json {
    const left = this.parseAdditive();
    const token = this.peek();
    if (token.kind === 'symbol' && COMPARISONS.has(token.text)) {
      this.index++;
      return { op: COMPARISONS.get(token.text)!, args: [left, this.parseAdditive()] };
    }
    const negated =
      this.isKeyword('NOT') &&
      (this.isKeyword('LIKE', 1) || this.isKeyword('BETWEEN', 1) || this.isKeyword('IN', 1));
    if (negated) this.index++;
    let predicate: Cql2Json | undefined;
    if (this.isKeyword('LIKE')) {
      this.index++;
      predicate = { op: 'like', args: [left, this.parseAdditive()] };
    } else if (this.isKeyword('BETWEEN')) {
      this.index++;
      const low = this.parseAdditive();
      this.expectKeyword('AND');
      predicate = { op: 'between', args: [left, low, this.parseAdditive()] };
    } else if (this.isKeyword('IN')) {
      this.index++;
      this.expectSymbol('(');
      const list = this.parseList(')');
      predicate = { op: 'in', args: [left, list] };
    } else if (this.isKeyword('IS')) {
      this.index++;
      const isNot = this.isKeyword('NOT');
      if (isNot) this.index++;
      this.expectKeyword('NULL');
      const isNull = { op: 'isNull', args: [left] };
      return isNot ? { op: 'not', args: [isNull] } : isNull;
    }
    if (predicate) return negated ? { op: 'not', args: [predicate] } : predicate;
    return left;
  }

  private parseList(close: string): Cql2Json[] {
    const items: Cql2Json[] = [];
    if (this.isSymbol(close)) {
      this.index++;
      return items;
    }
    for (;;) {
      items.push(this.parseAdditive());
      if (this.isSymbol(',')) {
        this.index++;
        continue;
      }
      this.expectSymbol(close);
      return items;
    }
  }

  private parseAdditive(): Cql2Json {
    let left = this.parseMultiplicative();
    while (this.isSymbol('+') || this.isSymbol('-')) {
      const op = this.next().text;
      left = { op, args: [left, this.parseMultiplicative()] };
    }
    return left;
  }

  private parseMultiplicative(): Cql2Json {
    let left = this.parsePower();
    while (
      this.isSymbol('*') ||
      this.isSymbol('/') ||
      this.isSymbol('%') ||
      this.isKeyword('DIV')
    ) {
      const token = this.next();
      const op = token.kind === 'identifier' ? 'div' : token.text;
      left = { op, args: [left, this.parsePower()] };
    }
    return left;
  }

  private parsePower(): Cql2Json {
    const base = this.parseUnary();
    if (this.isSymbol('^')) {
      this.index++;
      return { op: '^', args: [base, this.parsePower()] };
    }
    return base;
  }

  private parseUnary(): Cql2Json {
    if (this.isSymbol('-') || this.isSymbol('+')) {
      const sign = this.next().text;
      const operand = this.parseUnary();
      if (typeof operand === 'number') return sign === '-' ? -operand : operand;
      return sign === '-' ? { op: '*', args: [-1, operand] } : operand;
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Cql2Json {
    const token = this.peek();
    switch (token.kind) {
      case 'number':
        this.index++;
        return Number(token.text);
      case 'string':
        this.index++;
        return token.text;
      case 'quoted':
        this.index++;
        return { property: token.text };
      case 'symbol':
        if (token.text === '(') {
          this.index++;
          const first = this.parseOr();
          if (this.isSymbol(',')) {
            // `(a, b, c)`: an array literal (used by the A_* array operators).
            this.index++;
            return [first, ...this.parseList(')')];
          }
          this.expectSymbol(')');
          return first;
        }
        if (token.text === '[') {
          this.index++;
          return this.parseList(']');
        }
        return this.fail(token, 'a value, a property name or a function');
      case 'identifier':
        return this.parseIdentifier(token);
      default:
        return this.fail(token, 'a value, a property name or a function');
    }
  }

  private parseIdentifier(token: Token): Cql2Json {
    const upper = token.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') {
      this.index++;
      return upper === 'TRUE';
    }
    if (upper === 'NULL') {
      this.index++;
      return null;
    }
    const geometryType = GEOMETRY_TYPES.get(upper);
    if (
      geometryType &&
      (this.isSymbol('(', 1) || this.isKeyword('Z', 1) || this.isKeyword('EMPTY', 1))
    ) {
      this.index++;
      return this.parseGeometryBody(geometryType);
    }
    if (!this.isSymbol('(', 1)) {
      // A keyword where a value belongs (`a <= AND 40`) is a mistake, not a property name.
      if (RESERVED.has(upper)) this.fail(token, 'a value or a property name');
      this.index++;
      return { property: token.text };
    }
    this.index += 2;
    if (upper === 'TIMESTAMP' || upper === 'DATE') {
      const value = this.next();
      if (value.kind !== 'string') this.fail(value, `a quoted ${upper.toLowerCase()}`);
      this.expectSymbol(')');
      return upper === 'TIMESTAMP' ? { timestamp: value.text } : { date: value.text };
    }
    if (upper === 'INTERVAL') {
      const ends = this.parseList(')');
      if (ends.length !== 2) this.fail(token, 'INTERVAL(start, end) with two ends');
      return {
        interval: ends.map((end) =>
          typeof end === 'object' &&
          end !== null &&
          !Array.isArray(end) &&
          ('timestamp' in end || 'date' in end)
            ? ((end as { timestamp?: string; date?: string }).timestamp ??
              (end as { date: string }).date)
            : end,
        ),
      };
    }
    if (upper === 'BBOX') {
      const values = this.parseList(')');
      if (
        (values.length !== 4 && values.length !== 6) ||
        values.some((value) => typeof value !== 'number')
      ) {
        this.fail(token, 'BBOX with 4 or 6 numbers');
      }
      return { bbox: values };
    }
    const args = this.parseList(')');
    // Standard operators (S_INTERSECTS, T_AFTER, A_CONTAINS, CASEI, ACCENTI) are lower case
    // in CQL2 JSON; other functions keep the name the user wrote.
    const standard = /^(S|T|A)_[A-Z]+$/.test(upper) || upper === 'CASEI' || upper === 'ACCENTI';
    return { op: standard ? token.text.toLowerCase() : token.text, args };
  }

  private parseGeometryBody(type: string): Cql2Json {
    if (this.isKeyword('Z')) this.index++;
    if (this.isKeyword('EMPTY')) {
      this.index++;
      return type === 'GeometryCollection' ? { type, geometries: [] } : { type, coordinates: [] };
    }
    this.expectSymbol('(');
    if (type === 'GeometryCollection') {
      const geometries: Cql2Json[] = [];
      for (;;) {
        const token = this.peek();
        const member =
          token.kind === 'identifier' ? GEOMETRY_TYPES.get(token.text.toUpperCase()) : undefined;
        if (!member) this.fail(token, 'a geometry');
        this.index++;
        geometries.push(this.parseGeometryBody(member));
        if (this.isSymbol(',')) {
          this.index++;
          continue;
        }
        this.expectSymbol(')');
        return { type, geometries };
      }
    }
    const depth = {
      Point: 0,
      LineString: 1,
      MultiPoint: 1,
      Polygon: 2,
      MultiLineString: 2,
      MultiPolygon: 3,
    }[type]!;
    const coordinates =
      depth === 0 ? this.parsePosition() : this.parseNested(depth, type === 'MultiPoint');
    if (depth === 0) this.expectSymbol(')');
    return { type, coordinates };
  }

  /** `x y [z]` */
  private parsePosition(): number[] {
    const position: number[] = [];
    while (this.peek().kind === 'number' || this.isSymbol('-') || this.isSymbol('+')) {
      const value = this.parseUnary();
      if (typeof value !== 'number') this.fail(this.peek(), 'a coordinate');
      position.push(value);
    }
    if (position.length < 2 || position.length > 3)
      this.fail(this.peek(), 'a position of 2 or 3 numbers');
    return position;
  }

  /** The inside of `( … )` at a nesting depth (1 = list of positions); the opening '(' is consumed. */
  private parseNested(depth: number, pointsMayBeBracketed: boolean): unknown[] {
    const items: unknown[] = [];
    for (;;) {
      if (depth === 1) {
        // MULTIPOINT((1 2), (3 4)) and MULTIPOINT(1 2, 3 4) are both valid WKT.
        if (pointsMayBeBracketed && this.isSymbol('(')) {
          this.index++;
          items.push(this.parsePosition());
          this.expectSymbol(')');
        } else {
          items.push(this.parsePosition());
        }
      } else {
        this.expectSymbol('(');
        items.push(this.parseNested(depth - 1, false));
      }
      if (this.isSymbol(',')) {
        this.index++;
        continue;
      }
      this.expectSymbol(')');
      return items;
    }
  }
}

/**
 * Converts a CQL2 text filter to CQL2 JSON: comparisons, `AND`/`OR`/`NOT`, `LIKE`,
 * `BETWEEN`, `IN`, `IS [NOT] NULL`, arithmetic, `CASEI`/`ACCENTI`, spatial (`S_*`, WKT and
 * `BBOX` literals), temporal (`T_*`, `TIMESTAMP`, `DATE`, `INTERVAL`) and array (`A_*`)
 * operators, and custom functions. `eo:cloud_cover <= 40` →
 * `{ op: '<=', args: [{ property: 'eo:cloud_cover' }, 40] }`.
 * @throws SearchError naming the position of the first token that does not fit.
 */
export function parseCql2Text(text: string): Cql2Json {
  if (text.trim() === '') throw new SearchError('filter: the CQL2 text is empty');
  return new Cql2TextParser(text).parse();
}
