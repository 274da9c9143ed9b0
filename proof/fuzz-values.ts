import fc from 'fast-check';
import type { ParamShape } from '../src/wcap/params.js';
import { percentEncode } from './http-client.js';

/**
 * Values for every parameter the gateway declares, valid and hostile alike. A value is what the
 * client means (decoded text) plus how it travels; some values refer to the run's state (a live
 * session, an item stored earlier) and are resolved when the request is sent (fuzz-requests.ts).
 * Generators follow each parameter's declared shape (ParamSpec.shape in src/wcap/params.ts), so a
 * new command is fuzzed without changes here; a few names get values that reach deeper (calid, uid,
 * rid, rules, attendees, alarms).
 */

/** How a value travels: encoded as Lightning does, raw (`&`, `%`, `#` as they are), or with broken escapes. */
export type Encoding = 'encoded' | 'raw' | 'broken' | 'double';

export type Value =
  | { kind: 'text'; text: string }
  /** The live session of proof user `user` (modulo their number). */
  | { kind: 'session'; user: number }
  /** A session id that was valid once and has been logged out. */
  | { kind: 'ended-session'; pick: number }
  /** The UID of an item stored earlier in the run (pick modulo their number), else a fresh UUID. */
  | { kind: 'stored-uid'; pick: number; count: number }
  /** A recurrence id of an item stored earlier: its DTSTART moved by `days`. */
  | { kind: 'stored-rid'; pick: number; days: number }
  /** The password of proof user `user`. */
  | { kind: 'password'; user: number }
  /** The name of the user whose live session the request carries (a calid that is theirs). */
  | { kind: 'session-calid' }
  /** The name of proof user `user`, as a calid (optionally with `:calendar`). */
  | { kind: 'own-calid'; user: number; suffix: string };

/** `arb` with probability `p`, else undefined (absent). */
export function maybe<T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | undefined> {
  const weight = Math.round(p * 1000);
  return fc.oneof({ weight, arbitrary: arb }, { weight: 1000 - weight, arbitrary: fc.constant(undefined) });
}

export interface ParamValue {
  name: string;
  value: Value;
  encoding: Encoding;
}

const text = (t: string): Value => ({ kind: 'text', text: t });

/** Texts that broke parsers somewhere: separators, escapes, markup, line breaks, controls, odd Unicode. */
export const HOSTILE_TEXTS = [
  '', ' ', 'null', 'undefined', '0', '-1', '%', '%%', '%zz', '%E2%82', ';', ';;;', '^', '^^^', '=', '==', '&', '#', '?', '+',
  '"', "'", '\\', '/', '..', '../', '../../alice', '..%2F..%2Falice', '%2e%2e%2f', 'http://evil.example/', 'mailto:alice@example.com',
  '<script>alert(1)</script>', ']]>', '&amp;', '&#0;', '<![CDATA[x]]>', 'a\r\nATTENDEE:mailto:evil@attacker.example', 'x\rBEGIN:VEVENT',
  'x\nEND:VCALENDAR', '\u0000', '\u0001\u001F', '\u007F', '\uFEFF', '\u2028', '💥', '\uD800', '\uDFFF', 'e\u0301', 'İ', 'ß',
  'BEGIN:VCALENDAR', 'X-NSCP-WCAP-ERRNO:0', '${jndi:x}', '%00', '\t', '  padded  ',
];

const hostile = fc.constantFrom(...HOSTILE_TEXTS);
/** Long values: near the usual limits, far above them (the gateway's parameter limit is 1 MB). */
const huge = fc.constantFrom(1_000, 1_000, 4_096, 4_096, 65_536, 200_000).chain((n) => fc.constantFrom('a', 'é', '%', ';', '\r\n', '💥').map((unit) => unit.repeat(n)));
const anyText = fc.oneof(
  { weight: 20, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 15, arbitrary: hostile },
  { weight: 1, arbitrary: huge },
);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateParts = fc.record({
  y: fc.integer({ min: 1970, max: 2040 }),
  m: fc.integer({ min: 1, max: 12 }),
  d: fc.integer({ min: 1, max: 28 }),
  h: fc.integer({ min: 0, max: 23 }),
  mi: fc.constantFrom(0, 15, 30, 45),
});
export const validDate = fc.oneof(
  dateParts.map(({ y, m, d }) => `${y}${pad(m)}${pad(d)}`),
  dateParts.map(({ y, m, d, h, mi }) => `${y}${pad(m)}${pad(d)}T${pad(h)}${pad(mi)}00`),
  dateParts.map(({ y, m, d, h, mi }) => `${y}${pad(m)}${pad(d)}T${pad(h)}${pad(mi)}00Z`),
);
/** Dates in the window the runs store into, so range fetches meet the stored items. */
export const nearDate = fc
  .record({ d: fc.integer({ min: 1, max: 28 }), m: fc.integer({ min: 1, max: 6 }), h: fc.integer({ min: 0, max: 23 }) })
  .map(({ d, m, h }) => `2026${pad(m)}${pad(d)}T${pad(h)}0000Z`);
const badDate = fc.oneof(
  fc.constantFrom('20251301', '20250230T250000Z', '2025-01-01T00:00:00Z', '1', '99999999', '00000000T000000Z', 'T', '20250101T', '20250101Z',
    '20250101T1200', '+20250101', '２０２５０１０１', '20250101T120000+0100', '1e9', '-20250101', '0;0', '19691231T235959Z', '99991231T235959Z'),
  anyText,
);
const dateValue = fc.oneof({ weight: 3, arbitrary: validDate }, { weight: 3, arbitrary: nearDate }, { weight: 1, arbitrary: fc.constant('0') }, { weight: 3, arbitrary: badDate });

function intValue(min: number, max: number) {
  return fc.oneof(
    fc.integer({ min, max }).map(String),
    fc.constantFrom(min, max, min - 1, max + 1, 0, -1).map(String),
    fc.constantFrom('', ' 3 ', '+1', '01', '1e3', '0x10', '1.5', '9'.repeat(30), 'NaN', 'Infinity', '-0', 'null'),
    anyText,
  );
}

const flagValue = fc.oneof(fc.constantFrom('0', '1', 'true', 'false', 'yes', 'no', 'TRUE', '', ' 1 ', '2', '-1', 'on'), anyText);

function oneOfValue(values: readonly string[]) {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: fc.constantFrom(...values).map((v) => v.toLowerCase()) },
    { weight: 2, arbitrary: anyText },
  );
}

const listOf = (item: fc.Arbitrary<string>, separator = ';') =>
  fc.oneof(
    fc.array(item, { minLength: 0, maxLength: 6 }).map((items) => items.join(separator)),
    fc.integer({ min: 100, max: 3_000 }).map((n) => Array.from({ length: n }, (_, i) => `item${i}`).join(separator)),
  );
const quoted = (item: fc.Arbitrary<string>) => fc.oneof(item, item.map((t) => `"${t}"`), item.map((t) => `"${t}`));

const RULES = [
  'FREQ=DAILY;COUNT=5', 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10', 'FREQ=MONTHLY;UNTIL=20261231T000000Z', 'FREQ=YEARLY;INTERVAL=2;COUNT=3',
  'FREQ=DAILY', 'FREQ=WEEKLY', 'FREQ=SECONDLY', 'FREQ=MINUTELY;COUNT=100000', 'FREQ=HOURLY;INTERVAL=0', 'FREQ=DAILY;INTERVAL=X',
  'FREQ=DAILY;COUNT=X', 'FREQ=DAILY;UNTIL=X', 'FREQ=MONTHLY;BYSETPOS=X', 'FREQ=WEEKLY;BYDAY=XX', 'FREQ=WEEKLY;WKST=XX', 'FREQ=DAILY;BYHOUR=99',
  'FREQ=DAILY;COUNT=1E3', 'FREQ=NEVER', 'COUNT=5', 'FREQ=DAILY;COUNT=5;COUNT=6', 'FREQ=DAILY;UNTIL=20250101;COUNT=2', 'freq=daily;count=3',
  'FREQ=MONTHLY;BYMONTHDAY=31;COUNT=12', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=4', 'FREQ=DAILY;COUNT=2\r\nATTENDEE:mailto:x@y',
];
const ruleValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RULES) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...RULES), { minLength: 1, maxLength: 3 }).map((rules) => rules.map((r) => `"${encodeURIComponent(r)}"`).join(';')) },
  { weight: 1, arbitrary: anyText },
);

const ADDRESSES = ['mailto:jane@example.com', 'mailto:fuzz1@example.com', 'fuzz2', 'alice', 'mailto:', 'http://x/', 'mailto:a@b;c@d', ''];
const attendee = fc
  .record({
    rsvp: fc.constantFrom('', 'RSVP=TRUE^', 'RSVP=maybe^'),
    partstat: fc.constantFrom('', 'PARTSTAT=NEEDS-ACTION^', 'PARTSTAT=ACCEPTED^', 'PARTSTAT=X-ODD^', 'PARTSTAT=^'),
    role: fc.constantFrom('', 'ROLE=REQ-PARTICIPANT^', 'ROLE=%0D%0A^'),
    cn: fc.oneof(fc.constant(''), anyText.map((t) => `CN=${percentEncode(t.slice(0, 200))}^`)),
    id: fc.oneof(fc.constantFrom(...ADDRESSES), anyText.map((t) => t.slice(0, 100))),
  })
  .map((a) => `${a.rsvp}${a.partstat}${a.role}${a.cn}${percentEncode(a.id)}`);
const attendeesValue = fc.oneof(
  fc.array(attendee, { minLength: 0, maxLength: 5 }).map((list) => list.join(';')),
  fc.integer({ min: 100, max: 12_000 }).map((n) => Array.from({ length: n }, (_, i) => `mailto%3Aa${i}%40example.com`).join(';')),
  anyText,
);

const durationValue = fc.oneof(fc.constantFrom('-PT15M', '-P1D', 'PT0S', 'P1W', 'PT1H30M', '-P', 'P', 'PT', '15', 'P1Y', '-PT99999999H', 'P1DT'), anyText);
const tzidValue = fc.oneof(
  fc.constantFrom('Europe/Berlin', 'America/New_York', 'UTC', 'Etc/GMT+5', 'Asia/Kolkata', 'Australia/Lord_Howe'),
  fc.constantFrom('Mars/Olympus', 'europe/berlin', '../../etc/passwd', 'Europe/Berlin;UTC'),
  anyText,
);
const FORMATS = ['text/calendar', 'text/xml', 'text/js', 'text/json', 'text/html', 'TEXT/XML', 'text/calendar; charset=utf-8', ''];

/** calids: the users' own (plain or `user:calendar`), other users', hostile forms. */
const calidValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Value>({ kind: 'session-calid' }) },
  { weight: 3, arbitrary: fc.record({ user: fc.nat(), suffix: fc.constantFrom('', '', ':calendar', ':nope') }).map(({ user, suffix }): Value => ({ kind: 'own-calid', user, suffix })) },
  { weight: 2, arbitrary: fc.constantFrom('alice', 'bob:calendar', 'nobody', 'fuzz1;fuzz2', 'fuzz1:calendar;alice', '*', 'fuzz1:', ':calendar').map(text) },
  { weight: 3, arbitrary: anyText.map(text) },
);

/** Session ids: live ones mostly, then ended, unknown, malformed. */
export const sessionValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 12, arbitrary: fc.nat().map((user): Value => ({ kind: 'session', user })) },
  { weight: 1, arbitrary: fc.nat().map((pick): Value => ({ kind: 'ended-session', pick })) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 32, maxLength: 32 }).map(text) },
  { weight: 1, arbitrary: anyText.map(text) },
);

const uidValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ pick: fc.nat(), count: fc.constantFrom(1, 1, 1, 2, 5) }).map(({ pick, count }): Value => ({ kind: 'stored-uid', pick, count })) },
  { weight: 1, arbitrary: fc.uuid().map(text) },
  { weight: 2, arbitrary: anyText.map(text) },
);
const ridValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ pick: fc.nat(), days: fc.integer({ min: -1, max: 6 }) }).map(({ pick, days }): Value => ({ kind: 'stored-rid', pick, days })) },
  { weight: 2, arbitrary: dateValue.map(text) },
);

const textOf = (arb: fc.Arbitrary<string>): fc.Arbitrary<Value> => arb.map(text);

/** Values for parameter `name` of the declared shape. */
export function valueFor(name: string, shape: ParamShape | undefined): fc.Arbitrary<Value> {
  const lower = name.toLowerCase();
  const kind = shape?.kind;
  if (lower === 'calid' && (kind === 'text' || kind === 'list')) return calidValue;
  if (lower === 'uid' && kind === 'text') return uidValue;
  if (lower === 'rid' && kind === 'date') return ridValue;
  if (lower === 'tzid' || lower === 'tzidout') return textOf(tzidValue);
  if (lower === 'rrules' || lower === 'exrules') return textOf(ruleValue);
  if (lower === 'attendees') return textOf(attendeesValue);
  if (lower === 'alarmstart' || (lower === 'duration' && kind === 'text')) return textOf(durationValue);
  if (lower === 'alarmemails') return textOf(listOf(fc.constantFrom('a%40example.com', 'mailto:b@example.com', '', 'x')));
  if (lower === 'geo') return textOf(fc.oneof(fc.constantFrom('52.5;13.4', '-90;180', '91;0', '1,2', 'a;b', ';'), anyText));
  if (lower === 'isallday' || lower === 'transparent') return textOf(flagValue);
  if (lower === 'userid') return textOf(fc.oneof(fc.constantFrom('fuzz1', 'fuzz2', 'alice', 'nobody'), anyText));
  // Wrong passwords only for names nobody logs in as: a login throttle per user name must never
  // lock out the users of other tests sharing the CalDAV server.
  if (lower === 'user') return textOf(fc.oneof(fc.constantFrom('nobody', 'fuzz-nobody', ''), anyText.filter((t) => !/^(fuzz\d|soak\d|alice|bob|carol|dave|erin|frank)$/i.test(t.trim()))));
  if (shape === undefined) return textOf(anyText);
  switch (shape.kind) {
    case 'int':
      return textOf(intValue(shape.min, shape.max));
    case 'flag':
      return textOf(flagValue);
    case 'date':
      return textOf(dateValue);
    case 'dates':
      return textOf(listOf(dateValue));
    case 'list':
      return textOf(listOf(anyText));
    case 'quotedList':
      return textOf(listOf(quoted(anyText)));
    case 'oneOf':
      return textOf(oneOfValue(shape.values));
    default:
      return textOf(anyText);
  }
}

export const encodingArb: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 16, arbitrary: fc.constant('encoded' as const) },
  { weight: 2, arbitrary: fc.constant('raw' as const) },
  { weight: 1, arbitrary: fc.constant('broken' as const) },
  { weight: 1, arbitrary: fc.constant('double' as const) },
);

export const formatArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('text/calendar', 'text/xml') }, { weight: 1, arbitrary: fc.constantFrom(...FORMATS) });

/** X-properties (storeevents passes `X-…` parameters through): names valid, reserved and broken. */
export const xPropertyArb = fc.record({
  name: fc.constantFrom('X-PROBE', 'X-MOZ-SNOOZE', 'X-NSCP-WCAP-ERRNO', 'X-', 'X-A_B', 'x-lower', 'X-' + 'L'.repeat(300)),
  value: anyText.map(text),
});
