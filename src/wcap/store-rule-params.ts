import { WcapError } from './wcap-error.js';

const FREQUENCIES = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const WEEKDAY = '(?:SU|MO|TU|WE|TH|FR|SA)';

/** A comma list of signed or unsigned integers within [min, max], zero excluded where RFC 5545 excludes it. */
function numbers(min: number, max: number, signed: boolean): (value: string) => boolean {
  return (value) =>
    value.split(',').every((item) => {
      if (!(signed ? /^[+-]?\d{1,3}$/ : /^\d{1,3}$/).test(item)) return false;
      const n = Math.abs(Number(item));
      return n >= min && n <= max && !(signed && n === 0);
    });
}

/** Each rule part's value as RFC 5545 §3.3.10 defines it, and what to say when it is not. */
const PARTS: Record<string, { valid: (value: string) => boolean; expected: string }> = {
  FREQ: { valid: (v) => FREQUENCIES.has(v), expected: 'one of SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY' },
  UNTIL: { valid: (v) => /^\d{8}(T\d{6}Z?)?$/.test(v) && validDate(v), expected: 'a date (YYYYMMDD) or a date-time (YYYYMMDDTHHMMSSZ)' },
  COUNT: { valid: (v) => /^[1-9]\d{0,8}$/.test(v), expected: 'a positive integer' },
  INTERVAL: { valid: (v) => /^[1-9]\d{0,8}$/.test(v), expected: 'a positive integer' },
  BYSECOND: { valid: numbers(0, 60, false), expected: 'seconds from 0 to 60' },
  BYMINUTE: { valid: numbers(0, 59, false), expected: 'minutes from 0 to 59' },
  BYHOUR: { valid: numbers(0, 23, false), expected: 'hours from 0 to 23' },
  BYDAY: {
    valid: (v) => v.split(',').every((day) => new RegExp(`^(?:[+-]?(?:[1-9]|[1-4]\\d|5[0-3]))?${WEEKDAY}$`).test(day)),
    expected: 'weekdays (SU to SA), each optionally preceded by a week number from ±1 to ±53',
  },
  BYMONTHDAY: { valid: numbers(1, 31, true), expected: 'days of the month from ±1 to ±31' },
  BYYEARDAY: { valid: numbers(1, 366, true), expected: 'days of the year from ±1 to ±366' },
  BYWEEKNO: { valid: numbers(1, 53, true), expected: 'week numbers from ±1 to ±53' },
  BYMONTH: { valid: numbers(1, 12, false), expected: 'months from 1 to 12' },
  BYSETPOS: { valid: numbers(1, 366, true), expected: 'positions from ±1 to ±366' },
  WKST: { valid: (v) => new RegExp(`^${WEEKDAY}$`).test(v), expected: 'a weekday (SU to SA)' },
};

/** Frequencies whose open-ended series would have an instance every few seconds, for ever. */
const NEEDS_AN_END = new Set(['SECONDLY', 'MINUTELY']);

/**
 * `rrules` / `exrules` as the quoted-list parameter gives them (`"count=10;freq=daily";"freq=weekly"`,
 * docs/wcap-protocol.md#lists-and-quoting; a bare unquoted value is one rule whose `;` are its
 * own separators): upper-cased, an `RRULE:`/`EXRULE:` prefix dropped, each part checked against
 * RFC 5545 §3.3.10, so a bad value is the client's error, named, and never reaches the rule parser;
 * a COUNT above `maxCount` (the recurrence bound) is refused too.
 * [] for an empty value (clear).
 */
export function checkedRules(rules: readonly string[], name: string, failsWith: number, maxCount = Number.POSITIVE_INFINITY): string[] {
  const upper = rules.map((r) => r.replace(/^RRULE:|^EXRULE:/i, '').toUpperCase());
  for (const rule of upper) checkRule(rule, name, failsWith, maxCount);
  return upper;
}

function checkRule(rule: string, name: string, failsWith: number, maxCount: number): void {
  const fail = (why: string): never => {
    throw new WcapError(failsWith, `Invalid value for parameter ${name}: ${why}`);
  };
  const seen = new Map<string, string>();
  for (const part of rule.split(';').filter((p) => p !== '')) {
    const equals = part.indexOf('=');
    const key = equals > 0 ? part.slice(0, equals) : part;
    const value = equals > 0 ? part.slice(equals + 1) : '';
    const spec = PARTS[key];
    if (!spec) fail(`${/^[A-Z-]{1,20}$/.test(key) ? key : 'a part'} is not a recurrence rule part (RFC 5545 §3.3.10)`);
    if (seen.has(key)) fail(`the ${key} part appears twice`);
    if (!spec!.valid(value)) fail(`the ${key} part must be ${spec!.expected}`);
    seen.set(key, value);
  }
  const freq = seen.get('FREQ');
  if (!freq) fail('a recurrence rule needs a FREQ part');
  if (seen.has('COUNT') && seen.has('UNTIL')) fail('a recurrence rule has COUNT or UNTIL, not both');
  // Clients expand a series up to the recurrence bound they got at login, and so does the gateway:
  // a longer COUNT would store instances nobody sees.
  if (Number(seen.get('COUNT') ?? 0) > maxCount) fail(`COUNT is above the recurrence bound ${maxCount} (WCAP_RECURRENCE_BOUND)`);
  if (NEEDS_AN_END.has(freq!) && !seen.has('COUNT') && !seen.has('UNTIL')) {
    fail(`a ${freq} rule needs COUNT or UNTIL: without an end it would make a new instance every ${freq === 'SECONDLY' ? 'second' : 'minute'} for ever`);
  }
}

/** YYYYMMDD[THHMMSS[Z]] names a real day and time (no 30 February, no hour 25). */
function validDate(value: string): boolean {
  const [year, month, day] = [value.slice(0, 4), value.slice(4, 6), value.slice(6, 8)].map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  if (value.length === 8) return true;
  const [hour, minute, second] = [value.slice(9, 11), value.slice(11, 13), value.slice(13, 15)].map(Number) as [number, number, number];
  return hour <= 23 && minute <= 59 && second <= 60;
}
