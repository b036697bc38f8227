// The TOML reader and editor behind grite's local config files.
import { describe, expect, it } from 'vitest';
import { GriteError, TomlDateTime, TomlDocument, formatTomlValue, parseToml } from '../src/index.js';

function configError(text: string): GriteError {
  try {
    parseToml(text, '/x/grite/config.toml');
  } catch (e) {
    if (e instanceof GriteError) return e;
    throw e;
  }
  throw new Error(`parsed without error: ${JSON.stringify(text)}`);
}

describe('parseToml', () => {
  it('reads strings of every form, with escapes', () => {
    const t = parseToml(
      [
        String.raw`basic = "tab\there \"q\" back\\slash \u00e9 \U0001F600 \b\f\r\n"`,
        String.raw`literal = 'C:\Users\no\escapes "x"'`,
        'multi = """',
        'one',
        'two \\',
        '    three"""',
        "raw = '''",
        'first \\n',
        "second''''",
        'quotes = """a""b"""""',
        'empty = ""',
        "empty_lit = ''",
      ].join('\n'),
      'f.toml',
    );
    expect(t).toEqual({
      basic: 'tab\there "q" back\\slash é 😀 \b\f\r\n',
      literal: 'C:\\Users\\no\\escapes "x"',
      multi: 'one\ntwo three',
      raw: 'first \\n\nsecond\'',
      quotes: 'a""b""',
      empty: '',
      empty_lit: '',
    });
  });

  it('reads numbers, booleans, dates, arrays and tables', () => {
    const t = parseToml(
      [
        '# a comment line',
        'int = +42 # trailing comment',
        'neg = -17',
        'under = 1_000_000',
        'hex = 0xDEAD_beef',
        'oct = 0o755',
        'bin = 0b1101',
        'ts = 1700000000000',
        'big = 9223372036854775807',
        'float = 6.25e-2',
        'inf = -inf',
        'nan = nan',
        'yes = true',
        'no = false',
        'when = 1979-05-27T07:32:00Z',
        'day = 1979-05-27',
        'spaced = 1979-05-27 07:32:00.5+01:00',
        'at = 07:32:00',
        'arr = [ 1, 2,',
        '  # inside',
        '  3, ]',
        'nested = [[1, 2], ["a"], []]',
        'inline = { x = 1, "y z" = "w", a.b = true }',
        'site."google.com".up = true',
        '"quoted key" = 1',
        '',
        '[snapshot]',
        'max_events = 10',
        '',
        '[ a . "b c" ]  # header comment',
        'k = "v"',
        '',
        '[[runs]]',
        'n = 1',
        '[runs.meta]',
        'm = 1',
        '[[runs]]',
        'n = 2',
      ].join('\r\n'),
      'f.toml',
    );
    expect(t.int).toBe(42);
    expect(t.neg).toBe(-17);
    expect(t.under).toBe(1_000_000);
    expect(t.hex).toBe(0xdeadbeef);
    expect(t.oct).toBe(0o755);
    expect(t.bin).toBe(13);
    expect(t.ts).toBe(1_700_000_000_000);
    expect(t.big).toBe(9223372036854775807n);
    expect(t.float).toBe(0.0625);
    expect(t.inf).toBe(-Infinity);
    expect(t.nan).toBeNaN();
    expect([t.yes, t.no]).toEqual([true, false]);
    expect(t.when).toEqual(new TomlDateTime('1979-05-27T07:32:00Z'));
    expect(String(t.day)).toBe('1979-05-27');
    expect(String(t.spaced)).toBe('1979-05-27 07:32:00.5+01:00');
    expect(String(t.at)).toBe('07:32:00');
    expect(t.arr).toEqual([1, 2, 3]);
    expect(t.nested).toEqual([[1, 2], ['a'], []]);
    expect(t.inline).toEqual({ x: 1, 'y z': 'w', a: { b: true } });
    expect(t.site).toEqual({ 'google.com': { up: true } });
    expect(t['quoted key']).toBe(1);
    expect(t.snapshot).toEqual({ max_events: 10 });
    expect(t.a).toEqual({ 'b c': { k: 'v' } });
    expect(t.runs).toEqual([{ n: 1, meta: { m: 1 } }, { n: 2 }]);
  });

  it('accepts the files the Rust tool writes', () => {
    expect(
      parseToml('actor_id = "00112233445566778899aabbccddeeff"\nlabel = "work-laptop"\ncreated_ts = 1700000000000\n', 'a.toml'),
    ).toEqual({ actor_id: '00112233445566778899aabbccddeeff', label: 'work-laptop', created_ts: 1700000000000 });
    expect(parseToml('default_actor = "ab"\nlock_policy = "warn"\n\n[snapshot]\nmax_events = 5000\nmax_age_days = 3\n', 'c.toml')).toEqual({
      default_actor: 'ab',
      lock_policy: 'warn',
      snapshot: { max_events: 5000, max_age_days: 3 },
    });
    expect(parseToml('', 'empty.toml')).toEqual({});
  });

  it.each([
    ['a = 1\na = 2\n', 2, 'duplicate key a'],
    ['a = "open\n', 1, 'unterminated string'],
    ['\n\nb = "bad \\q escape"', 3, 'invalid escape'],
    ['x\n', 1, "expected '='"],
    ['a = 1 2\n', 1, 'expected a newline'],
    ['[t]\n[t]\n', 2, 'already defined'],
    ['a = 9223372036854775808\n', 1, 'out of range'],
    ['[t]\nx.y = 1\n[t.x]\n', 3, 'already defined'],
    ['a = 012\n', 1, 'invalid value'],
    ['a = \n', 1, 'expected a value'],
    ['a = [1, 2\n', 2, "expected ',' or ']'"],
    ['a = { b = 1 }\n[a]\n', 2, 'already defined'],
    ['a = 1\n[a.b]\n', 2, 'not a table'],
    ['[[a]]\n[a]\n', 2, 'already defined'],
    ['a = "\u0001"\n', 1, 'control character'],
    ['a = "\\uD800"\n', 1, 'scalar'],
    ['a = tru\n', 1, 'invalid value'],
    ['a = """x\n', 1, 'unterminated'],
  ])('refuses %j, naming the file and line %i', (text, line, reason) => {
    const e = configError(text);
    expect(e.code).toBe('config_error');
    expect(e.message).toContain('/x/grite/config.toml');
    expect(e.message).toContain(`line ${line},`);
    expect(e.message).toContain(reason);
    expect(e.details).toMatchObject({ file: '/x/grite/config.toml', line });
  });
});

describe('TomlDocument.set', () => {
  const original = [
    '# grite repository config',
    'default_actor = "00112233445566778899aabbccddeeff"   # me',
    "lock_policy = 'warn'",
    'future_key = [1, 2,',
    '  3]  # keep this layout',
    '',
    '# snapshot policy',
    '[snapshot]',
    'max_events = 10000',
    '',
    '# a table from a newer grite',
    '[plugins.sync]',
    "remote = 'origin' # comment",
    'when = 2024-01-01T00:00:00Z',
    '',
  ].join('\n');

  it('replaces one value and leaves every other byte alone', () => {
    const doc = TomlDocument.parse(original, 'c.toml');
    doc.set(['lock_policy'], 'require');
    expect(doc.toString()).toBe(original.replace("lock_policy = 'warn'", 'lock_policy = "require"'));
    doc.set(['default_actor'], 'ffeeddccbbaa99887766554433221100');
    expect(doc.toString()).toContain('default_actor = "ffeeddccbbaa99887766554433221100"   # me\n');
    expect(doc.get(['plugins', 'sync', 'remote'])).toBe('origin');
  });

  it('adds a key after the last key of its table', () => {
    const doc = TomlDocument.parse(original, 'c.toml');
    doc.set(['snapshot', 'max_age_days'], 7);
    expect(doc.toString()).toBe(original.replace('max_events = 10000\n', 'max_events = 10000\nmax_age_days = 7\n'));
    doc.set(['verify_signatures'], 'off');
    expect(doc.toString()).toBe(
      original
        .replace('max_events = 10000\n', 'max_events = 10000\nmax_age_days = 7\n')
        .replace('  3]  # keep this layout\n', '  3]  # keep this layout\nverify_signatures = "off"\n'),
    );
  });

  it('adds a new table at the end and removes keys line by line', () => {
    const doc = TomlDocument.parse(original, 'c.toml');
    doc.set(['daemon', 'idle_timeout_ms'], 300000);
    expect(doc.toString()).toBe(`${original}\n[daemon]\nidle_timeout_ms = 300000\n`);
    doc.set(['lock_policy'], undefined);
    doc.set(['absent'], undefined);
    expect(doc.toString()).toBe(`${original.replace("lock_policy = 'warn'\n", '')}\n[daemon]\nidle_timeout_ms = 300000\n`);
    expect(doc.get(['lock_policy'])).toBeUndefined();
  });

  it('puts a first root key above the comment of the first header', () => {
    const doc = TomlDocument.parse('# about snapshots\n[snapshot]\nmax_events = 1\n', 'c.toml');
    doc.set(['default_actor'], 'ab');
    expect(doc.toString()).toBe('default_actor = "ab"\n\n# about snapshots\n[snapshot]\nmax_events = 1\n');
  });

  it('builds a file from nothing in the layout the Rust tool writes', () => {
    const doc = TomlDocument.parse('', 'c.toml');
    doc.set(['snapshot', 'max_events'], 5000);
    doc.set(['default_actor'], '00112233445566778899aabbccddeeff');
    doc.set(['lock_policy'], 'warn');
    doc.set(['snapshot', 'max_age_days'], 3);
    expect(doc.toString()).toBe(
      'default_actor = "00112233445566778899aabbccddeeff"\nlock_policy = "warn"\n\n[snapshot]\nmax_events = 5000\nmax_age_days = 3\n',
    );
  });

  it('extends dotted keys and inline tables where they are written', () => {
    const doc = TomlDocument.parse('snapshot.max_events = 1\ninline = { a = 1 } # c\n[x]\ny = 1\n', 'c.toml');
    doc.set(['snapshot', 'max_age_days'], 2);
    doc.set(['inline', 'b'], 'two');
    expect(doc.toString()).toBe('snapshot.max_events = 1\nsnapshot.max_age_days = 2\ninline = { a = 1, b = "two" } # c\n[x]\ny = 1\n');
    expect(doc.data).toEqual({ snapshot: { max_events: 1, max_age_days: 2 }, inline: { a: 1, b: 'two' }, x: { y: 1 } });
  });

  it('keeps CRLF line ends and a missing final newline', () => {
    const crlf = TomlDocument.parse('a = 1\r\n[t]\r\nb = 2', 'c.toml');
    crlf.set(['t', 'c'], 3);
    crlf.set(['z'], true);
    expect(crlf.toString()).toBe('a = 1\r\nz = true\r\n[t]\r\nb = 2\r\nc = 3\r\n');
  });

  it('writes values that read back the same', () => {
    const nasty = ['', 'plain', 'quote " and \\ back', 'line\nbreak\ttab\r', '\u0000\u001f\u007f', 'é 😀 ∑', "'single'", '"""', '# not a comment'];
    const doc = TomlDocument.parse('', 'c.toml');
    nasty.forEach((s, i) => doc.set([`k${i}`], s));
    doc.set(['key with spaces', 'é'], [1, -2, true, 'x', [0.5]]);
    doc.set(['big'], 2n ** 62n);
    const back = parseToml(doc.toString(), 'c.toml');
    nasty.forEach((s, i) => expect(back[`k${i}`]).toBe(s));
    expect(back['key with spaces']).toEqual({ é: [1, -2, true, 'x', [0.5]] });
    expect(back.big).toBe(2n ** 62n);
    expect(formatTomlValue({ a: 1, 'b.c': [] })).toBe('{ a = 1, "b.c" = [] }');
  });

  it('refuses edits it cannot make in place', () => {
    const doc = TomlDocument.parse('a = 1\n[t]\nx = 1\n[[runs]]\nn = 1\n', 'c.toml');
    expect(() => doc.set(['a', 'b'], 1)).toThrow(/a is not a table/);
    expect(() => doc.set(['t'], 1)).toThrow(/cannot replace the table t/);
    expect(() => doc.set(['runs', 'n'], 2)).toThrow(/array of tables/);
    expect(() => doc.set(['t'], undefined)).toThrow(/cannot remove the table t/);
    expect(doc.toString()).toBe('a = 1\n[t]\nx = 1\n[[runs]]\nn = 1\n');
  });
});
