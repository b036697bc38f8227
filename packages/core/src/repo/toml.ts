/**
 * A small TOML reader and editor for the local files grite shares with the
 * Rust tool (`grite/config.toml`, `grite/actors/<id>/config.toml`).
 *
 * Format (TOML v1.0, https://toml.io/en/v1.0.0):
 *   document  = *( [ws] ( keyval | "[" key "]" | "[[" key "]]" ) [ws] [comment] newline )
 *   keyval    = key ws* "=" ws* value
 *   key       = simple-key *( ws* "." ws* simple-key )
 *   simple-key= bare ( A-Z a-z 0-9 _ - ) | basic-string | literal-string
 *   value     = string | integer | float | boolean | date-time | array | inline-table
 *   string    = "basic" (escapes \b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX)
 *             | 'literal' | """multi-line basic""" | '''multi-line literal'''
 *   integer   = [+-] decimal | 0x hex | 0o octal | 0b binary  (underscores between digits)
 *   comment   = "#" to end of line
 * A key is defined once; a table is defined by one header; tables made by
 * dotted keys are extended only by dotted keys; inline tables are closed.
 *
 * Editing keeps the file's bytes: `TomlDocument.set` splices the text of the
 * one value it changes (or inserts / removes one line) and re-parses, so
 * keys, tables and comments it does not touch stay byte for byte.
 *
 * Not done: values are parsed fully, but floats lose their spelling and
 * date-times are kept as their source text (`TomlDateTime`); setting a key
 * inside an array of tables (`[[x]]`) is refused. Inline tables may span
 * lines and end with a comma (TOML 1.1 leniency; harmless for a reader).
 */
import { GriteError } from '../errors.js';

/** A date, time or date-time value, kept as written. */
export class TomlDateTime {
  constructor(readonly raw: string) {}
  toString(): string {
    return this.raw;
  }
}

export type TomlValue = string | number | bigint | boolean | TomlDateTime | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export function isTomlTable(v: TomlValue | undefined): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof TomlDateTime);
}

/** One `key = value` line of the document, with the offsets an edit needs. */
interface Entry {
  /** Full key path from the root table. */
  path: string[];
  /** Path of the `[header]` the entry sits under ([] for the root). */
  section: string[];
  /** Under a `[[header]]`: such entries are read, never edited. */
  inArrayTable: boolean;
  lineStart: number;
  valueStart: number;
  valueEnd: number;
  /** Offset just after the newline that ends the entry (or the text length). */
  lineEnd: number;
  value: TomlValue;
}

interface Header {
  path: string[];
  array: boolean;
  start: number;
  /** Offset just after the newline that ends the header line. */
  end: number;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
const DEC_INT = /^[+-]?(?:0|[1-9](?:_?[0-9])*)$/;
const HEX_INT = /^0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*$/;
const OCT_INT = /^0o[0-7](?:_?[0-7])*$/;
const BIN_INT = /^0b[01](?:_?[01])*$/;
const FLOAT =
  /^[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[eE][+-]?[0-9](?:_?[0-9])*)$/;
const SPECIAL_FLOAT = /^[+-]?(?:inf|nan)$/;
const DATE_TIME =
  /[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?/y;
const LOCAL_TIME = /[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?/y;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Characters that end a bare value (number, boolean, date). */
function isValueEnd(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '#' || c === ',' || c === ']' || c === '}';
}

function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}

class Parser {
  private i = 0;
  private readonly root: TomlTable = {};
  /** Tables defined by a `[header]`. */
  private readonly explicit = new WeakSet<TomlTable>();
  /** Tables created by dotted keys. */
  private readonly dotted = new WeakSet<TomlTable>();
  /** Inline tables: closed once written. */
  private readonly closed = new WeakSet<object>();
  /** Arrays created by `[[header]]`. */
  private readonly tableArrays = new WeakSet<TomlValue[]>();
  readonly entries: Entry[] = [];
  readonly headers: Header[] = [];

  constructor(
    private readonly s: string,
    private readonly file: string,
  ) {}

  fail(message: string, at: number = this.i): never {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at && k < this.s.length; k++) {
      if (this.s.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    const column = at - lineStart + 1;
    throw new GriteError('config_error', `invalid TOML in ${this.file} at line ${line}, column ${column}: ${message}`, {
      hint: `fix or remove ${this.file}`,
      details: { file: this.file, line, column },
    });
  }

  parse(): TomlTable {
    const s = this.s;
    let table = this.root;
    let section: string[] = [];
    let inArrayTable = false;
    while (this.i < s.length) {
      const lineStart = this.i;
      this.skipWs();
      const c = s[this.i];
      if (c === undefined) break;
      if (c === '#' || c === '\n' || c === '\r') {
        this.endLine();
        continue;
      }
      if (c === '[') {
        const array = s[this.i + 1] === '[';
        this.i += array ? 2 : 1;
        this.skipWs();
        const path = this.parseKey();
        this.skipWs();
        if (array ? !s.startsWith(']]', this.i) : s[this.i] !== ']') this.fail(array ? "expected ']]'" : "expected ']'");
        this.i += array ? 2 : 1;
        table = this.openTable(path, array, lineStart);
        section = path;
        inArrayTable = array || this.headers.some((h) => h.array && isPrefix(h.path, path));
        this.endLine();
        this.headers.push({ path, array, start: lineStart, end: this.i });
        continue;
      }
      const keyAt = this.i;
      const key = this.parseKey();
      this.skipWs();
      if (s[this.i] !== '=') this.fail("expected '=' after a key");
      this.i++;
      this.skipWs();
      const valueStart = this.i;
      const value = this.parseValue();
      const valueEnd = this.i;
      this.assign(table, key, value, keyAt);
      this.endLine();
      this.entries.push({
        path: [...section, ...key],
        section,
        inArrayTable,
        lineStart,
        valueStart,
        valueEnd,
        lineEnd: this.i,
        value,
      });
    }
    return this.root;
  }

  private skipWs(): void {
    const s = this.s;
    while (s[this.i] === ' ' || s[this.i] === '\t') this.i++;
  }

  /** Whitespace, comments and newlines (inside arrays and inline tables). */
  private skipBlank(): void {
    const s = this.s;
    for (;;) {
      this.skipWs();
      const c = s[this.i];
      if (c === '#') this.skipComment();
      else if (c === '\n') this.i++;
      else if (c === '\r' && s[this.i + 1] === '\n') this.i += 2;
      else return;
    }
  }

  private skipComment(): void {
    const s = this.s;
    this.i++;
    while (this.i < s.length && s[this.i] !== '\n') {
      const code = s.charCodeAt(this.i);
      if (code === 0x0d && s[this.i + 1] === '\n') break;
      if (isControl(code)) this.fail('control character in a comment');
      this.i++;
    }
  }

  /** After a statement: optional whitespace and comment, then a newline or the end. */
  private endLine(): void {
    const s = this.s;
    this.skipWs();
    if (s[this.i] === '#') this.skipComment();
    if (this.i >= s.length) return;
    if (s[this.i] === '\n') this.i++;
    else if (s[this.i] === '\r' && s[this.i + 1] === '\n') this.i += 2;
    else this.fail('expected a newline after the value');
  }

  private parseKey(): string[] {
    const s = this.s;
    const parts: string[] = [];
    for (;;) {
      this.skipWs();
      const c = s[this.i];
      if (c === '"') {
        if (s.startsWith('"""', this.i)) this.fail('a key cannot be a multi-line string');
        parts.push(this.parseBasic());
      } else if (c === "'") {
        if (s.startsWith("'''", this.i)) this.fail('a key cannot be a multi-line string');
        parts.push(this.parseLiteral());
      } else {
        const start = this.i;
        while (this.i < s.length && /[A-Za-z0-9_-]/.test(s[this.i]!)) this.i++;
        if (this.i === start) this.fail('expected a key');
        parts.push(s.slice(start, this.i));
      }
      this.skipWs();
      if (s[this.i] !== '.') return parts;
      this.i++;
    }
  }

  private parseValue(): TomlValue {
    const s = this.s;
    const c = s[this.i];
    if (c === '"') return s.startsWith('"""', this.i) ? this.parseMultiBasic() : this.parseBasic();
    if (c === "'") return s.startsWith("'''", this.i) ? this.parseMultiLiteral() : this.parseLiteral();
    if (c === '[') return this.parseArray();
    if (c === '{') return this.parseInlineTable();
    if (c === undefined || c === '\n' || c === '\r' || c === '#') this.fail('expected a value');
    if (s.startsWith('true', this.i) && isValueEnd(s[this.i + 4])) {
      this.i += 4;
      return true;
    }
    if (s.startsWith('false', this.i) && isValueEnd(s[this.i + 5])) {
      this.i += 5;
      return false;
    }
    for (const re of [DATE_TIME, LOCAL_TIME]) {
      re.lastIndex = this.i;
      const m = re.exec(s);
      if (m && isValueEnd(s[this.i + m[0].length])) {
        this.i += m[0].length;
        return new TomlDateTime(m[0]);
      }
    }
    const start = this.i;
    while (!isValueEnd(s[this.i])) this.i++;
    const tok = s.slice(start, this.i);
    if (DEC_INT.test(tok) || HEX_INT.test(tok) || OCT_INT.test(tok) || BIN_INT.test(tok)) {
      const big = BigInt(tok.replace(/_/g, ''));
      if (big < I64_MIN || big > I64_MAX) this.fail(`integer out of range: ${tok}`, start);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    if (FLOAT.test(tok)) return Number(tok.replace(/_/g, ''));
    if (SPECIAL_FLOAT.test(tok)) {
      if (tok.endsWith('nan')) return NaN;
      return tok.startsWith('-') ? -Infinity : Infinity;
    }
    this.fail(tok === '' ? 'expected a value' : `invalid value: ${tok}`, start);
  }

  private parseEscape(): string {
    const s = this.s;
    const at = this.i;
    const e = s[this.i + 1];
    this.i += 2;
    switch (e) {
      case 'b':
        return '\b';
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'f':
        return '\f';
      case 'r':
        return '\r';
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'u':
      case 'U': {
        const len = e === 'u' ? 4 : 8;
        const hex = s.slice(this.i, this.i + len);
        if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) this.fail('invalid unicode escape', at);
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail('escape is not a unicode scalar value', at);
        this.i += len;
        return String.fromCodePoint(cp);
      }
      default:
        this.fail(`invalid escape sequence \\${e ?? ''}`, at);
    }
  }

  private parseBasic(): string {
    const s = this.s;
    this.i++;
    let out = '';
    let run = this.i;
    for (;;) {
      const c = s[this.i];
      if (c === undefined || c === '\n' || c === '\r') this.fail('unterminated string');
      if (c === '"') {
        out += s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c === '\\') {
        out += s.slice(run, this.i) + this.parseEscape();
        run = this.i;
        continue;
      }
      if (isControl(s.charCodeAt(this.i))) this.fail('control character in a string');
      this.i++;
    }
  }

  private parseLiteral(): string {
    const s = this.s;
    const start = ++this.i;
    for (;;) {
      const c = s[this.i];
      if (c === undefined || c === '\n' || c === '\r') this.fail('unterminated string');
      if (c === "'") {
        this.i++;
        return s.slice(start, this.i - 1);
      }
      if (isControl(s.charCodeAt(this.i))) this.fail('control character in a string');
      this.i++;
    }
  }

  /** Skips the newline right after an opening `"""` or `'''`. */
  private skipOpeningNewline(): void {
    const s = this.s;
    if (s[this.i] === '\n') this.i++;
    else if (s[this.i] === '\r' && s[this.i + 1] === '\n') this.i += 2;
  }

  /** At a run of `q` quotes: the closing delimiter ends it; up to two extra quotes belong to the content. */
  private closingRun(q: string): number {
    const s = this.s;
    let n = 0;
    while (s[this.i + n] === q) n++;
    if (n > 5) this.fail('too many quotes in a multi-line string');
    return n;
  }

  private parseMultiBasic(): string {
    const s = this.s;
    const at = this.i;
    this.i += 3;
    this.skipOpeningNewline();
    let out = '';
    for (;;) {
      const c = s[this.i];
      if (c === undefined) this.fail('unterminated multi-line string', at);
      if (c === '"') {
        const n = this.closingRun('"');
        if (n >= 3) {
          out += '"'.repeat(n - 3);
          this.i += n;
          return out;
        }
        out += '"'.repeat(n);
        this.i += n;
        continue;
      }
      if (c === '\\') {
        // A backslash ending a line trims the newline and the whitespace after it.
        let k = this.i + 1;
        while (s[k] === ' ' || s[k] === '\t') k++;
        if (s[k] === '\n' || (s[k] === '\r' && s[k + 1] === '\n')) {
          this.i = k;
          while (this.i < s.length && /[ \t\r\n]/.test(s[this.i]!)) {
            if (s[this.i] === '\r' && s[this.i + 1] !== '\n') this.fail('bare carriage return in a string');
            this.i++;
          }
          continue;
        }
        out += this.parseEscape();
        continue;
      }
      if (c === '\r' && s[this.i + 1] === '\n') {
        out += '\r\n';
        this.i += 2;
        continue;
      }
      if (c !== '\n' && isControl(s.charCodeAt(this.i))) this.fail('control character in a string');
      out += c;
      this.i++;
    }
  }

  private parseMultiLiteral(): string {
    const s = this.s;
    const at = this.i;
    this.i += 3;
    this.skipOpeningNewline();
    const start = this.i;
    for (;;) {
      const c = s[this.i];
      if (c === undefined) this.fail('unterminated multi-line string', at);
      if (c === "'") {
        const n = this.closingRun("'");
        this.i += n;
        if (n >= 3) return s.slice(start, this.i - 3);
        continue;
      }
      if (c === '\r' && s[this.i + 1] === '\n') {
        this.i += 2;
        continue;
      }
      if (c !== '\n' && isControl(s.charCodeAt(this.i))) this.fail('control character in a string');
      this.i++;
    }
  }

  private parseArray(): TomlValue[] {
    const s = this.s;
    this.i++;
    const out: TomlValue[] = [];
    for (;;) {
      this.skipBlank();
      if (s[this.i] === ']') {
        this.i++;
        return out;
      }
      out.push(this.parseValue());
      this.skipBlank();
      if (s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (s[this.i] === ']') {
        this.i++;
        return out;
      }
      this.fail("expected ',' or ']' in an array");
    }
  }

  private parseInlineTable(): TomlTable {
    const s = this.s;
    this.i++;
    const out: TomlTable = {};
    for (;;) {
      this.skipBlank();
      if (s[this.i] === '}') {
        this.i++;
        break;
      }
      const keyAt = this.i;
      const key = this.parseKey();
      this.skipWs();
      if (s[this.i] !== '=') this.fail("expected '=' after a key");
      this.i++;
      this.skipWs();
      this.assign(out, key, this.parseValue(), keyAt);
      this.skipBlank();
      if (s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (s[this.i] === '}') {
        this.i++;
        break;
      }
      this.fail("expected ',' or '}' in an inline table");
    }
    this.closed.add(out);
    return out;
  }

  /** Defines `key` (dotted) with `value` inside `table`. */
  private assign(table: TomlTable, key: string[], value: TomlValue, at: number): void {
    let t = table;
    for (let k = 0; k < key.length - 1; k++) {
      const part = key[k]!;
      const v = t[part];
      if (v === undefined) {
        const created: TomlTable = {};
        this.dotted.add(created);
        t[part] = created;
        t = created;
      } else if (isTomlTable(v) && this.dotted.has(v) && !this.closed.has(v)) {
        t = v;
      } else {
        this.fail(`cannot add to ${key.slice(0, k + 1).join('.')}: it is already defined`, at);
      }
    }
    const last = key[key.length - 1]!;
    if (Object.prototype.hasOwnProperty.call(t, last)) this.fail(`duplicate key ${key.join('.')}`, at);
    t[last] = value;
  }

  /** Opens the table a `[path]` or `[[path]]` header names. */
  private openTable(path: string[], array: boolean, at: number): TomlTable {
    let t = this.root;
    const name = path.join('.');
    for (let k = 0; k < path.length - 1; k++) {
      const part = path[k]!;
      const v = t[part];
      if (v === undefined) {
        const created: TomlTable = {};
        t[part] = created;
        t = created;
      } else if (isTomlTable(v) && !this.closed.has(v)) {
        t = v;
      } else if (Array.isArray(v) && this.tableArrays.has(v)) {
        t = v[v.length - 1] as TomlTable;
      } else {
        this.fail(`cannot define [${name}]: ${path.slice(0, k + 1).join('.')} is not a table`, at);
      }
    }
    const last = path[path.length - 1]!;
    const v = t[last];
    if (array) {
      let arr: TomlValue[];
      if (v === undefined) {
        arr = [];
        this.tableArrays.add(arr);
        t[last] = arr;
      } else if (Array.isArray(v) && this.tableArrays.has(v)) {
        arr = v;
      } else {
        this.fail(`cannot define [[${name}]]: ${name} is already defined`, at);
      }
      const created: TomlTable = {};
      arr.push(created);
      return created;
    }
    if (v === undefined) {
      const created: TomlTable = {};
      this.explicit.add(created);
      t[last] = created;
      return created;
    }
    if (isTomlTable(v) && !this.explicit.has(v) && !this.dotted.has(v) && !this.closed.has(v)) {
      this.explicit.add(v);
      return v;
    }
    this.fail(`table [${name}] is already defined`, at);
  }
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let k = 0; k < prefix.length; k++) if (prefix[k] !== path[k]) return false;
  return true;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && isPrefix(a, b);
}

/** A key as TOML spells it: bare when it can be, else a basic string. */
export function formatTomlKey(path: readonly string[]): string {
  return path.map((k) => (BARE_KEY.test(k) ? k : formatString(k))).join('.');
}

function formatString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (isControl(code)) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** One value as TOML text (tables inline). */
export function formatTomlValue(v: TomlValue): string {
  if (typeof v === 'string') return formatString(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    // An integral float would read back as an integer; TOML integers are what we write.
    return String(v);
  }
  if (v instanceof TomlDateTime) return v.raw;
  if (Array.isArray(v)) return '[' + v.map(formatTomlValue).join(', ') + ']';
  const parts = Object.keys(v).map((k) => `${formatTomlKey([k])} = ${formatTomlValue(v[k]!)}`);
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

/** Parses a whole TOML text; `file` names it in errors. */
export function parseToml(text: string, file: string): TomlTable {
  return new Parser(text, file).parse();
}

/**
 * A parsed TOML file that can be edited without disturbing what it does not
 * change. Each edit re-parses the text, so the document is always valid.
 */
export class TomlDocument {
  private textValue: string;
  private parser: Parser;
  private dataValue: TomlTable;

  private constructor(
    readonly file: string,
    text: string,
  ) {
    this.textValue = text;
    this.parser = new Parser(text, file);
    this.dataValue = this.parser.parse();
  }

  /** Throws GriteError('config_error') naming `file`, line and column when `text` is not valid TOML. */
  static parse(text: string, file: string): TomlDocument {
    return new TomlDocument(file, text);
  }

  /** Every key of the file, as parsed. Do not mutate it: edit through `set`. */
  get data(): TomlTable {
    return this.dataValue;
  }

  get(path: readonly string[]): TomlValue | undefined {
    let v: TomlValue | undefined = this.dataValue;
    for (const k of path) {
      if (!isTomlTable(v) || !Object.prototype.hasOwnProperty.call(v, k)) return undefined;
      v = v[k];
    }
    return v;
  }

  toString(): string {
    return this.textValue;
  }

  /**
   * Sets the value at `path` (`undefined` removes the key). An existing value
   * is replaced in place, keeping its key spelling and trailing comment; a
   * new key goes after the last key of its table, or under a new `[table]`
   * header at the end. Nothing else in the text changes.
   */
  set(path: readonly string[], value: TomlValue | undefined): void {
    if (path.length === 0) throw new GriteError('invalid_args', 'a TOML key path cannot be empty');
    const s = this.textValue;
    const entries = this.parser.entries.filter((e) => !e.inArrayTable);
    const exact = entries.find((e) => samePath(e.path, path));
    if (exact) {
      if (value === undefined) this.replace(exact.lineStart, exact.lineEnd, '');
      else this.replace(exact.valueStart, exact.valueEnd, formatTomlValue(value));
      return;
    }
    const holder = entries.find((e) => e.path.length < path.length && isPrefix(e.path, path));
    if (holder) {
      // The key lies inside a value: an inline table is rewritten whole.
      if (!isTomlTable(holder.value)) {
        throw new GriteError('config_error', `cannot set ${path.join('.')} in ${this.file}: ${holder.path.join('.')} is not a table`, {
          details: { file: this.file },
        });
      }
      const updated = setIn(holder.value, path.slice(holder.path.length), value);
      this.replace(holder.valueStart, holder.valueEnd, formatTomlValue(updated));
      return;
    }
    if (value !== undefined && this.get(path) !== undefined) {
      throw new GriteError('invalid_args', `cannot replace the table ${path.join('.')} in ${this.file}`, {
        details: { file: this.file },
      });
    }
    if (value === undefined) {
      if (this.get(path) !== undefined) {
        throw new GriteError('invalid_args', `cannot remove the table ${path.join('.')} from ${this.file}`, {
          details: { file: this.file },
        });
      }
      return;
    }
    const tablePath = path.slice(0, -1);
    if (this.parser.headers.some((h) => h.array && isPrefix(h.path, tablePath))) {
      throw new GriteError('invalid_args', `cannot set ${path.join('.')} in ${this.file}: it lies in an array of tables`, {
        details: { file: this.file },
      });
    }
    const existing = this.get(tablePath);
    if (existing !== undefined && !isTomlTable(existing)) {
      throw new GriteError('config_error', `cannot set ${path.join('.')} in ${this.file}: ${tablePath.join('.')} is not a table`, {
        details: { file: this.file },
      });
    }
    const nl = s.includes('\r\n') ? '\r\n' : '\n';
    // The last key already in this table, written in a section that can hold the new one.
    let after: Entry | undefined;
    for (const e of entries) {
      if (e.path.length > tablePath.length && isPrefix(tablePath, e.path) && isPrefix(e.section, tablePath)) {
        if (!after || e.lineStart > after.lineStart) after = e;
      }
    }
    if (after) {
      const line = `${formatTomlKey(path.slice(after.section.length))} = ${formatTomlValue(value)}${nl}`;
      this.insert(after.lineEnd, line, nl);
      return;
    }
    const line = `${formatTomlKey(path.slice(tablePath.length))} = ${formatTomlValue(value)}${nl}`;
    const header = this.parser.headers.find((h) => !h.array && samePath(h.path, tablePath));
    if (header) {
      this.insert(header.end, line, nl);
      return;
    }
    if (tablePath.length === 0) {
      const first = this.parser.headers[0];
      if (!first) {
        this.insert(s.length, line, nl);
        return;
      }
      // Before the first header and the comment lines directly above it,
      // with a blank line between, as the Rust tool lays a file out.
      let at = first.start;
      for (;;) {
        const prevEnd = at - 1;
        if (prevEnd < 0) break;
        const prevStart = s.lastIndexOf('\n', prevEnd - 1) + 1;
        if (!s.slice(prevStart, prevEnd).trimStart().startsWith('#')) break;
        at = prevStart;
      }
      this.insert(at, line + nl, nl);
      return;
    }
    const sep = s.length === 0 ? '' : s.endsWith(nl + nl) || s.endsWith('\n\n') ? '' : s.endsWith('\n') ? nl : nl + nl;
    this.replace(s.length, s.length, `${sep}[${formatTomlKey(tablePath)}]${nl}${line}`);
  }

  /** Inserts whole lines at a line boundary (or at the end of a text without a final newline). */
  private insert(at: number, lines: string, nl: string): void {
    const s = this.textValue;
    const needsBreak = at === s.length && s.length > 0 && !s.endsWith('\n');
    this.replace(at, at, (needsBreak ? nl : '') + lines);
  }

  private replace(start: number, end: number, text: string): void {
    const next = this.textValue.slice(0, start) + text + this.textValue.slice(end);
    const parser = new Parser(next, this.file);
    const data = parser.parse();
    this.textValue = next;
    this.parser = parser;
    this.dataValue = data;
  }
}

function setIn(table: TomlTable, path: readonly string[], value: TomlValue | undefined): TomlTable {
  const copy: TomlTable = { ...table };
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const inner = copy[head];
  if (inner !== undefined && !isTomlTable(inner)) {
    throw new GriteError('config_error', `cannot set ${path.join('.')}: ${head} is not a table`);
  }
  copy[head] = setIn(inner ?? {}, rest, value);
  return copy;
}
