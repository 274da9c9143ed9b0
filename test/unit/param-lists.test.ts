import { describe, expect, it } from 'vitest';
import { errorOf, rawOf } from '../support/wcap-input.js';
import { formatWcapDate } from '../../src/wcap/datetime.js';
import { Errno } from '../../src/wcap/errno.js';
import { p, parseParams, type InstanceTarget, type InstanceTargetOptions, type ParamSpec } from '../../src/wcap/params.js';
import { RawParams } from '../../src/wcap/raw-params.js';



const FETCH_FAILED = Errno.FETCH_EVENTS_BY_ID_FAILED;
const DELETE_FAILED = Errno.DELETE_EVENTS_BY_ID_FAILED;

/** The defaults of the commands that will use the spec. */
const FETCH: InstanceTargetOptions = { modDefault: 1 };
const DELETE: InstanceTargetOptions = { modDefault: (rid) => (rid === null ? 4 : 1) };

/** Targets of a query as `uid@rid/mod` (rid `0` = whole item), with the schema key `targets`. */
function targetsOf(query: string, options: InstanceTargetOptions, failsWith: number = FETCH_FAILED): string[] {
  const targets = parseParams({ targets: p.instanceTargets(options) }, rawOf(query), failsWith).targets;
  return targets.map((t: InstanceTarget) => `${t.uid}@${t.rid ? formatWcapDate(t.rid) : '0'}/${t.mod}`);
}

const R1 = '20240115T093000Z';
const R2 = '20240122T093000Z';
const R3 = '20240129T093000Z';

describe('p.instanceTargets: parallel uid, rid and mod lists', () => {
  it.each<[string, string, InstanceTargetOptions, string[]]>([
    ['one uid, fetch: whole item, mod 1', 'uid=a', FETCH, ['a@0/1']],
    ['one uid, delete: whole item, mod 4', 'uid=a', DELETE, ['a@0/4']],
    ['delete with a rid defaults to mod 1 (that instance)', `uid=a&rid=${R1}`, DELETE, [`a@${R1}/1`]],
    ['delete default is per pair: rid 0 → 4, a date → 1', `uid=a;b&rid=0;${R1}`, DELETE, ['a@0/4', `b@${R1}/1`]],
    ['fetch default is 1 for rid 0 and for a date', `uid=a;b&rid=0;${R1}`, FETCH, ['a@0/1', `b@${R1}/1`]],
    ['no modDefault means 1', `uid=a&rid=0`, {}, ['a@0/1']],
    ['a fixed modDefault applies whatever the rid', `uid=a;b&rid=0;${R1}`, { modDefault: 3 }, ['a@0/3', `b@${R1}/3`]],
    ['a single rid applies to every uid', `uid=a;b;c&rid=${R1}`, FETCH, [`a@${R1}/1`, `b@${R1}/1`, `c@${R1}/1`]],
    ['a single mod applies to every uid', `uid=a;b&rid=${R1};${R2}&mod=2`, FETCH, [`a@${R1}/2`, `b@${R2}/2`]],
    ['parallel rids and mods', `uid=a;b;c&rid=${R1};${R2};${R3}&mod=1;2;3`, FETCH, [`a@${R1}/1`, `b@${R2}/2`, `c@${R3}/3`]],
    ['an explicit mod wins over the default', 'uid=a&rid=0&mod=2', DELETE, ['a@0/2']],
    ['an empty mod entry takes the default of its rid', `uid=a;b&rid=0;${R1}&mod=;3`, DELETE, ['a@0/4', `b@${R1}/3`]],
    ['an empty rid entry is the whole item', `uid=a;b&rid=${R1};`, DELETE, [`a@${R1}/1`, 'b@0/4']],
    ['an empty rid value is the whole item', 'uid=a&rid=', DELETE, ['a@0/4']],
    ['an empty mod value takes the default', 'uid=a&mod=', DELETE, ['a@0/4']],
    ['uids are trimmed, empty entries dropped', 'uid=%20a%20;;b;%20', FETCH, ['a@0/1', 'b@0/1']],
    ['rids and mods are trimmed', `uid=a&rid=%20${R1}%20&mod=%203`, FETCH, [`a@${R1}/3`]],
    ['lists parallel as sent: trailing ; on every list', `uid=a;b;&rid=${R1};${R2};`, FETCH, [`a@${R1}/1`, `b@${R2}/1`]],
    ['lists parallel as sent: the partner of an empty uid is dropped', `uid=a;;b&rid=${R1};${R3};${R2}`, FETCH, [`a@${R1}/1`, `b@${R2}/1`]],
    ['lists parallel to the non-empty uids', `uid=a;;b&rid=${R1};${R2}`, FETCH, [`a@${R1}/1`, `b@${R2}/1`]],
    ['an encoded ; stays inside a uid', 'uid=x%3By;z', FETCH, ['x;y@0/1', 'z@0/1']],
    ['duplicates are kept in request order (dedup is the caller\'s)', `uid=a;a;a&rid=0;${R1};0`, FETCH, ['a@0/1', `a@${R1}/1`, 'a@0/1']],
    ['rid and mod names fall back case-insensitively, like every parameter', `uid=a&RID=${R1}&Mod=3`, FETCH, [`a@${R1}/3`]],
  ])('%s', (_label, query, options, expected) => {
    expect(targetsOf(query, options)).toEqual(expected);
  });

  it('returns the rid as a WcapDate, null for the whole item', () => {
    const parsed = parseParams({ targets: p.instanceTargets() }, rawOf('uid=a;b&rid=20240115;0'), FETCH_FAILED).targets;
    expect(parsed).toEqual([
      { uid: 'a', rid: { kind: 'date', year: 2024, month: 1, day: 15 }, mod: 1 },
      { uid: 'b', rid: null, mod: 1 },
    ]);
  });

  it('reads uid/rid/mod whatever its schema key, next to ordinary specs', () => {
    const schema = { calid: p.string(), items: p.instanceTargets(DELETE), tzid: p.string() };
    const parsed = parseParams(schema, rawOf(`calid=jdoe&uid=a&rid=${R1}&mod=2&tzid=Europe%2FBerlin`), DELETE_FAILED);
    expect(parsed.calid).toBe('jdoe');
    expect(parsed.tzid).toBe('Europe/Berlin');
    expect(parsed.items.map((t) => [t.uid, t.mod])).toEqual([['a', 2]]);
  });

  it('parsed standalone, reads its value as the uid list with rid and mod absent', () => {
    const targets = p.instanceTargets(DELETE).parse({ text: 'a;b', encoded: true }, 'uid', DELETE_FAILED);
    expect(targets).toEqual([
      { uid: 'a', rid: null, mod: 4 },
      { uid: 'b', rid: null, mod: 4 },
    ]);
  });

  describe('withMod: false (verify*_by_ids): uid and rid only', () => {
    const verify = (query: string) => parseParams({ pairs: p.instanceTargets({ withMod: false }) }, rawOf(query), FETCH_FAILED).pairs;

    it('returns uid/rid pairs without mod, ignoring a mod parameter, duplicates kept', () => {
      expect(verify(`uid=a;b;a&rid=20240115;0;20240115&mod=9`)).toEqual([
        { uid: 'a', rid: { kind: 'date', year: 2024, month: 1, day: 15 } },
        { uid: 'b', rid: null },
        { uid: 'a', rid: { kind: 'date', year: 2024, month: 1, day: 15 } },
      ]);
    });

    it.each([
      ['lists of different length', `uid=a;b;c&rid=${R1};${R2}`, Errno.INSUFFICIENT_PARAMETERS],
      ['one rid for two uids (the lists are strictly parallel)', 'uid=a;b&rid=20240115', Errno.INSUFFICIENT_PARAMETERS],
      ['no uid', `rid=${R1}`, Errno.INSUFFICIENT_PARAMETERS],
      ['a bad rid', 'uid=a&rid=yesterday', FETCH_FAILED],
    ])('%s → errno %s', (_label, query, errno) => {
      expect(errorOf(() => verify(query)).errno).toBe(errno);
    });
  });

  describe('errors', () => {
    const SECRET = 'S3cr3tValue';
    it.each<[string, string, number, string]>([
      ['no uid parameter', `rid=${R1}&mod=1`, Errno.INSUFFICIENT_PARAMETERS, 'uid'],
      ['an empty uid', 'uid=', Errno.INSUFFICIENT_PARAMETERS, 'uid'],
      ['a uid list of blanks and separators', 'uid=;%20;', Errno.INSUFFICIENT_PARAMETERS, 'uid'],
      ['more uids than rids', `uid=a;b;c&rid=${R1};${R2}`, Errno.INSUFFICIENT_PARAMETERS, 'rid'],
      ['more rids than uids', `uid=a;b&rid=${R1};${R2};${R3}`, Errno.INSUFFICIENT_PARAMETERS, 'rid'],
      ['more mods than uids', 'uid=a;b&mod=1;2;3', Errno.INSUFFICIENT_PARAMETERS, 'mod'],
      ['rids fitting neither the sent nor the non-empty uids', `uid=a;;b&rid=${R1};${R2};${R3};${R1}`, Errno.INSUFFICIENT_PARAMETERS, 'rid'],
      ['a length mismatch is reported before bad values', `uid=a;b;c&rid=${SECRET};${SECRET}`, Errno.INSUFFICIENT_PARAMETERS, 'rid'],
      ['a rid that is no date', `uid=a&rid=${SECRET}`, FETCH_FAILED, 'rid'],
      ['an impossible rid date', 'uid=a&rid=20240230T100000Z', FETCH_FAILED, 'rid'],
      ['one bad rid among good ones', `uid=a;b&rid=${R1};${SECRET}`, FETCH_FAILED, 'rid'],
      ['mod 0', 'uid=a&mod=0', FETCH_FAILED, 'mod'],
      ['mod 5', 'uid=a&mod=5', FETCH_FAILED, 'mod'],
      ['mod that is no number', `uid=a&mod=${SECRET}`, FETCH_FAILED, 'mod'],
      ['mod 1.0', 'uid=a&mod=1.0', FETCH_FAILED, 'mod'],
      ['broken percent-encoding in a uid', `uid=${SECRET}%zz`, FETCH_FAILED, 'uid'],
    ])('%s', (_label, query, errno, names) => {
      const err = errorOf(() => targetsOf(query, FETCH));
      expect(err.errno).toBe(errno);
      expect(err.message).toContain(names);
      expect(err.message).not.toContain(SECRET);
    });

    it('invalid values fail with the errno of the command that parses', () => {
      expect(errorOf(() => targetsOf('uid=a&mod=7', DELETE, DELETE_FAILED)).errno).toBe(DELETE_FAILED);
      expect(errorOf(() => targetsOf('uid=a&rid=x', DELETE, Errno.DELETE_TODOS_BY_ID_FAILED)).errno).toBe(Errno.DELETE_TODOS_BY_ID_FAILED);
    });
  });
});

describe('p.dates: rdates / exdates', () => {
  const parse = (query: string | undefined) =>
    parseParams({ exdates: p.dates() }, rawOf(query === undefined ? 'other=1' : `exdates=${query}`), Errno.STOREEVENTS_FAILED).exdates;
  const texts = (query: string) => parse(query)?.map(formatWcapDate);

  it.each<[string, string | undefined, null | undefined]>([
    ['absent: leave unchanged', undefined, undefined],
    ['empty: clear', '', null],
    ['0: clear', '0', null],
    ['only 0s and separators: clear', '0;%200;;', null],
  ])('%s', (_label, query, expected) => {
    expect(parse(query)).toBe(expected);
  });

  it.each([
    ['a list of dates in order', `20240115;${R2};20240129T100000`, ['20240115', R2, '20240129T100000']],
    ['0 entries are skipped', `0;${R1};0`, [R1]],
    ['entries are trimmed, empty ones skipped', `%20${R1}%20;;${R2};`, [R1, R2]],
    ['an encoded ; separates dates as well', `${R1}%3B${R2}`, [R1, R2]],
  ])('%s', (_label, query, expected) => {
    expect(texts(query)).toEqual(expected);
  });

  it.each([
    ['garbage', 'S3cr3tValue'],
    ['one bad date among good ones', `${R1};S3cr3tValue`],
    ['an impossible date', '20240230'],
    ['broken percent-encoding', 'S3cr3tValue%zz'],
  ])('%s → failsWith naming the parameter, not echoing the value', (_label, query) => {
    const err = errorOf(() => parse(query));
    expect(err.errno).toBe(Errno.STOREEVENTS_FAILED);
    expect(err.message).toContain('exdates');
    expect(err.message).not.toContain('S3cr3tValue');
  });
});

describe('p.quotedList: relatedTos, rrules, exrules', () => {
  const parseWith = (spec: ParamSpec<string[] | undefined>, query: string | undefined) =>
    parseParams({ rrules: spec }, rawOf(query === undefined ? 'other=1' : `rrules=${query}`), Errno.STOREEVENTS_FAILED).rrules;

  it.each<[string, string | undefined, string[] | undefined]>([
    ['absent', undefined, undefined],
    ['empty', '', []],
    ['Lightning rules: raw quotes, encoded ; inside', '"count%3D10%3Bfreq%3Ddaily";"freq%3Dweekly"', ['count=10;freq=daily', 'freq=weekly']],
    ['quotes sent as %22', '%22count%3D10%3Bfreq%3Ddaily%22;%22freq%3Dweekly%22', ['count=10;freq=daily', 'freq=weekly']],
    ['quotes as lower-case %22 and separators as %3B', '%22a%3bb%22%3b%22c%22', ['a;b', 'c']],
    ['a raw ; inside quotes does not split', '"FREQ=DAILY;COUNT=5";"FREQ=WEEKLY"', ['FREQ=DAILY;COUNT=5', 'FREQ=WEEKLY']],
    ['a raw ; inside %22 quotes does not split', '%22a;b%22;c', ['a;b', 'c']],
    ['quoted and unquoted items mixed', 'trip-1;"trip;2";trip-3', ['trip-1', 'trip;2', 'trip-3']],
    ['unquoted items keep an encoded %3B', 'a%3Bb;c', ['a;b', 'c']],
    ['single quoted item', '%22trip-1%22', ['trip-1']],
    ['items trimmed, blanks around quotes allowed', '%20%22%20a%20%22%20;%20b%20', ['a', 'b']],
    ['empty items dropped', '"a";;"";b;', ['a', 'b']],
    ['a quote inside an item is text', '5%22%20disk;b', ['5" disk', 'b']],
    ['an unclosed quote is text', '"a;b', ['"a', 'b']],
    ['text after a closing quote makes the quotes text', '"a"b;c', ['"a"b', 'c']],
  ])('%s', (_label, query, expected) => {
    expect(parseWith(p.quotedList(), query)).toEqual(expected);
  });

  it.each<[string, string, string[]]>([
    ['an unquoted value is one item', 'FREQ=DAILY;COUNT=5', ['FREQ=DAILY;COUNT=5']],
    ['an encoded unquoted value is one item', 'FREQ%3DDAILY%3BCOUNT%3D5', ['FREQ=DAILY;COUNT=5']],
    ['quoted items still split', '"FREQ=DAILY;COUNT=5";"FREQ=WEEKLY"', ['FREQ=DAILY;COUNT=5', 'FREQ=WEEKLY']],
    ['empty stays empty', '', []],
  ])('unquotedIsOneItem: %s', (_label, query, expected) => {
    expect(parseWith(p.quotedList({ unquotedIsOneItem: true }), query)).toEqual(expected);
  });

  it('without unquotedIsOneItem an unquoted value splits on raw ;', () => {
    expect(parseWith(p.quotedList(), 'FREQ=DAILY;COUNT=5')).toEqual(['FREQ=DAILY', 'COUNT=5']);
  });

  it('reads values that arrived decoded (multipart bodies): %22 is text there', () => {
    const raw = new RawParams();
    raw.add('relatedTos', { text: '"a;b";%22c%22;100%', encoded: false });
    expect(parseParams({ relatedTos: p.quotedList() }, raw, Errno.STOREEVENTS_FAILED).relatedTos).toEqual(['a;b', '%22c%22', '100%']);
  });

  it('lenient decodes stray % as text; strict fails naming the parameter', () => {
    expect(parseWith(p.quotedList({ lenient: true }), '"100%";50% off;%22caf%C3%A9%22')).toEqual(['100%', '50% off', 'café']);
    const err = errorOf(() => parseWith(p.quotedList(), '"100%"'));
    expect(err.errno).toBe(Errno.STOREEVENTS_FAILED);
    expect(err.message).toContain('rrules');
  });
});

describe('p.list({ lenient: true }): categories sent unencoded', () => {
  const categories = (query: string) =>
    parseParams({ categories: p.list({ lenient: true }) }, rawOf(`categories=${query}`), Errno.STOREEVENTS_FAILED).categories;

  it.each<[string, string, string[]]>([
    ['a trailing %', '100%', ['100%']],
    ['a % before a space', '50% off', ['50% off']],
    ['stray % among categories', '100%;50% off;Work', ['100%', '50% off', 'Work']],
    ['a multi-byte UTF-8 escape is decoded', '%E2%82%AC', ['€']],
    ['a 4-byte UTF-8 escape is decoded', 'Party%F0%9F%8E%89', ['Party🎉']],
    ['%ZZ is literal', '%ZZ', ['%ZZ']],
    ['a % followed by one hex digit is literal', '%4;%', ['%4', '%']],
    ['%% before an escape', '%%41', ['%A']],
    ['truncated UTF-8 stays as sent', '%E2%82', ['%E2%82']],
    ['truncated UTF-8 after a complete character', '%E2%82%AC%E2%82', ['€%E2%82']],
    ['a lone continuation byte stays, the rest is decoded', '%80caf%C3%A9', ['%80café']],
    ['an overlong encoding stays as sent', '%C0%AF', ['%C0%AF']],
    ['an encoded surrogate stays as sent', '%ED%A0%80', ['%ED%A0%80']],
    ['a byte order mark is kept, not swallowed', '%EF%BB%BFx', ['\uFEFFx']],
    ['an encoded ; stays inside an item', 'R%26D%3BOps;Work', ['R&D;Ops', 'Work']],
    ['a raw + stays a plus', 'C++', ['C++']],
    ['empty', '', []],
  ])('%s', (_label, query, expected) => {
    expect(categories(query)).toEqual(expected);
  });

  it('strict decoding stays the default: 100% fails with failsWith naming the parameter', () => {
    const err = errorOf(() => parseParams({ categories: p.list() }, rawOf('categories=100%'), Errno.STOREEVENTS_FAILED));
    expect(err.errno).toBe(Errno.STOREEVENTS_FAILED);
    expect(err.message).toContain('categories');
  });
});
