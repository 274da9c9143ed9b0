import { describe, expect, it } from 'vitest';
import { errorOf, rawOf } from '../support/wcap-input.js';
import { p, parseParams, type ParamSpec } from '../../src/wcap/params.js';
import { RawParams, rawQueryOf, safeDecode } from '../../src/wcap/raw-params.js';


/** Parses parameter `x` of `query` with `spec`, as a command with failsWith 14 would. */
function parseX<T>(spec: ParamSpec<T>, query: string | undefined, failsWith = 14): T {
  return parseParams({ x: spec }, rawOf(query === undefined ? 'other=1' : `x=${query}`), failsWith).x as T;
}


describe('RawParams from a query string', () => {
  it.each([
    ['first occurrence of a name wins', 'a=1&a=2', 'a', '1'],
    ['case-insensitive fallback (orgcalid for orgCalid)', 'orgcalid=jdoe', 'orgCalid', 'jdoe'],
    ['an exact-case name is preferred over an earlier other-case one', 'ORGCALID=x&orgCalid=y', 'orgCalid', 'y'],
    ['first occurrence wins among case variants too', 'Calid=a&CALID=b', 'calid', 'a'],
    ['a name without = has an empty value', 'fetch&b=2', 'fetch', ''],
    ['only the first = separates name and value', 'x=a=b', 'x', 'a=b'],
    ['names are percent-decoded', 'fmt%2Dout=text%2Fxml', 'fmt-out', 'text%2Fxml'],
    ['empty pairs are ignored', '&&a=1&', 'a', '1'],
    ['values stay percent-encoded until the DSL decodes them', 'desc=a%20b+c', 'desc', 'a%20b+c'],
  ])('%s', (_label, query, name, expected) => {
    const value = rawOf(query).get(name);
    expect(value).toEqual({ text: expected, encoded: true });
  });

  it('ignores parameters whose name has broken percent-encoding, and keeps the others', () => {
    const raw = rawOf('%zz=1&b=2');
    expect(raw.names()).toEqual(['b']);
    expect(raw.get('b')?.text).toBe('2');
  });

  it('reports absent names as absent', () => {
    expect(rawOf('a=1').has('b')).toBe(false);
    expect(rawOf('a=1').get('b')).toBeUndefined();
  });

  it.each([
    ['/login.wcap?user=a&x=1#frag', 'user=a&x=1'],
    ['/version.wcap', ''],
    ['/x.wcap?a=1?b=2', 'a=1?b=2'],
    ['http://h/storeevents.wcap?', ''],
  ])('rawQueryOf(%s) = %s', (url, query) => {
    expect(rawQueryOf(url)).toBe(query);
  });

  it.each([
    // WCAP clients encode spaces as %20; a raw + is a plus sign (Lightning's raw categories: C++).
    ['a+b', 'a+b'],
    ['%2B', '+'],
    ['Jane%20Roe', 'Jane Roe'],
    ['%C3%A9t%C3%A9', 'été'],
    ['%zz', undefined],
    ['%E0%A4', undefined],
    ['100%', undefined],
  ])('safeDecode(%s)', (text, expected) => {
    expect(safeDecode(text)).toBe(expected);
  });
});

describe('parameter DSL: values', () => {
  it.each<[string, ParamSpec<unknown>, string | undefined, unknown]>([
    ['string absent', p.string(), undefined, undefined],
    ['string decoded, raw + stays a plus', p.string(), 'a%20b+c', 'a b+c'],
    ['string %2B is a plus', p.string(), 'C%2B%2B', 'C++'],
    ['string empty', p.string(), '', ''],
    ['text absent = unchanged', p.text(), undefined, undefined],
    ['text empty = clear', p.text(), '', null],
    ['text literal null = clear', p.text(), 'null', null],
    ['text value', p.text(), 'Team%20meeting', 'Team meeting'],
    ['text that only starts with null', p.text(), 'nullable', 'nullable'],
    ['int value', p.int({ min: 0, max: 9, fallback: 5 }), '7', 7],
    ['int lower bound', p.int({ min: 0, max: 9, fallback: 5 }), '0', 0],
    ['int upper bound', p.int({ min: 0, max: 9, fallback: 5 }), '9', 9],
    ['int absent → fallback', p.int({ min: 0, max: 9, fallback: 5 }), undefined, 5],
    ['int empty → fallback', p.int({ min: 0, max: 9, fallback: 5 }), '', 5],
    ['int absent without fallback', p.int({ min: 0, max: 9 }), undefined, undefined],
    ['int with surrounding spaces', p.int({ min: 0, max: 9 }), '%203%20', 3],
    ['optionalInt absent', p.optionalInt({ min: 0, max: 9 }), undefined, undefined],
    ['optionalInt literal null', p.optionalInt({ min: 0, max: 9 }), 'null', null],
    ['optionalInt empty', p.optionalInt({ min: 0, max: 9 }), '', null],
    ['optionalInt non-numeric', p.optionalInt({ min: 0, max: 9 }), 'high', null],
    ['optionalInt value', p.optionalInt({ min: 0, max: 9 }), '3', 3],
    ['flag absent → fallback false', p.flag(false), undefined, false],
    ['flag absent → fallback true', p.flag(true), undefined, true],
    ['flag empty → fallback', p.flag(true), '', true],
    ['flag 1', p.flag(false), '1', true],
    ['flag 0', p.flag(true), '0', false],
    ['flag TRUE', p.flag(false), 'TRUE', true],
    ['flag no', p.flag(true), 'no', false],
    ['date absent', p.date(), undefined, undefined],
    ['date 0 = open', p.date(), '0', null],
    ['date empty = open', p.date(), '', null],
    ['date DATE', p.date(), '20240115', { kind: 'date', year: 2024, month: 1, day: 15 }],
    [
      'date UTC',
      p.date(),
      '20240115T093000Z',
      { kind: 'utc', year: 2024, month: 1, day: 15, hour: 9, minute: 30, second: 0 },
    ],
    ['list absent', p.list(), undefined, undefined],
    ['list empty', p.list(), '', []],
    ['list split on raw ;', p.list(), 'a;b', ['a', 'b']],
    ['list keeps %3B inside an item', p.list(), 'a%3Bb;c', ['a;b', 'c']],
    ['list decodes each item', p.list(), 'Work;Fun%20Stuff', ['Work', 'Fun Stuff']],
    ['oneOf matches case-insensitively', p.oneOf(['event', 'todo', 'all'] as const), 'EVENT', 'event'],
    ['oneOf empty → fallback', p.oneOf(['event', 'todo', 'all'] as const, { fallback: 'all' }), '', 'all'],
    ['oneOf absent → fallback', p.oneOf(['event', 'todo', 'all'] as const, { fallback: 'all' }), undefined, 'all'],
    ['oneOf lenient unknown → lenient', p.oneOf(['event', 'todo', 'all'] as const, { lenient: 'all' }), 'bogus', 'all'],
    ['raw keeps the text undecoded', p.raw(), 'A%5EB;c', { text: 'A%5EB;c', encoded: true }],
  ])('%s', (_label, spec, query, expected) => {
    expect(parseX(spec, query)).toEqual(expected);
  });
});

describe('parameter DSL: errors carry failsWith, name the parameter, never echo the value', () => {
  const SECRET = 'S3cr3tValue';
  it.each<[string, ParamSpec<unknown>, string]>([
    ['string with %zz', p.string(), `${SECRET}%zz`],
    ['string with truncated UTF-8 %E0%A4', p.string(), `${SECRET}%E0%A4`],
    ['text with %zz', p.text(), `${SECRET}%zz`],
    ['list item with %zz', p.list(), `ok;${SECRET}%zz`],
    ['date with %E0%A4', p.date(), `${SECRET}%E0%A4`],
    ['int not a number', p.int({ min: 0, max: 9 }), SECRET],
    ['int decimal', p.int({ min: 0, max: 9 }), '1.5'],
    ['int above max', p.int({ min: 0, max: 9 }), '10'],
    ['int below min', p.int({ min: 0, max: 9 }), '-1'],
    ['optionalInt out of range', p.optionalInt({ min: 0, max: 9 }), '10'],
    ['flag not 0/1', p.flag(false), SECRET],
    ['date garbage', p.date(), SECRET],
    ['date impossible day', p.date(), '20240230'],
    ['oneOf strict unknown', p.oneOf(['event', 'todo', 'all'] as const), SECRET],
  ])('%s', (_label, spec, query) => {
    const err = errorOf(() => parseParams({ dtstart: spec }, rawOf(`dtstart=${query}`), 14));
    expect(err.errno).toBe(14);
    expect(err.message).toContain('dtstart');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(query);
  });

  it.each([
    ['NUL', '%00', '0000'],
    ['bell', '%07', '0007'],
    ['escape', '%1B', '001B'],
    ['DEL', '%7F', '007F'],
    ['vertical tab', '%0B', '000B'],
  ])('refuses a %s in any value, naming the character and the parameter', (_label, encoded, code) => {
    for (const spec of [p.string(), p.text(), p.list(), p.quotedList(), p.quotedList({ lenient: true })]) {
      const err = errorOf(() => parseParams({ summary: spec }, rawOf(`summary=a${encoded}b`), 14));
      expect(err.errno).toBe(14);
      expect(err.message).toBe(`Invalid value for parameter summary: control character U+${code} (only tab and line breaks are allowed)`);
    }
  });

  it('keeps tab and line breaks, which text values may hold', () => {
    expect(parseParams({ desc: p.text() }, rawOf('desc=a%09b%0D%0Ac%0Ad'), 14)).toEqual({ desc: 'a\tb\r\nc\nd' });
  });

  it('uses the failsWith of the command that parses', () => {
    expect(errorOf(() => parseX(p.string(), '%zz', 15)).errno).toBe(15);
    expect(errorOf(() => parseX(p.string(), '%zz', 13)).errno).toBe(13);
  });

  it('ignores parameters the command did not declare, even broken ones', () => {
    const parsed = parseParams({ uid: p.string() }, rawOf('junk=%zz&uid=abc'), 14);
    expect(parsed).toEqual({ uid: 'abc' });
  });
});

describe('+ in queries and in form bodies', () => {
  it.each([
    ['a URL query keeps + (Lightning sends categories raw: C++)', false, 'categories=C++;R%26D', 'C++;R&D'],
    ['an HTML form body reads + as a space', true, 'summary=Team+meeting', 'Team meeting'],
    ['an encoded plus is a plus in both', true, 'summary=C%2B%2B', 'C++'],
  ])('%s', (_label, formBody, body, expected) => {
    const raw = new RawParams();
    raw.addQueryString(body, formBody);
    const name = body.split('=')[0]!;
    expect(parseParams({ [name]: p.string() }, raw, 14)[name]).toBe(expected);
  });
});
