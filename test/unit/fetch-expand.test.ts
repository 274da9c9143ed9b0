import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, occurrencesIn } from '../../src/mapping/expand.js';
import { ruleCanNeverMatch } from '../../src/mapping/recur-guard.js';
import ICAL from 'ical.js';
import { iso, startsOf, stored, vevent } from './fetch-fixtures.js';

/**
 * Expansion (mapping/expand.ts) as recurring=0 fetches and get_freebusy use it: local wall time
 * kept across DST changes in both hemispheres, all-day series, overrides, EXDATE, caps, and rules
 * that never match (docs/caldav-servers.md#relate-exceptions-explicitly,
 * docs/caldav-servers.md#guard-against-endless-rules).
 */

const YEAR_2024: [Date, Date] = [iso('2024-01-01T00:00:00Z'), iso('2025-01-01T00:00:00Z')];

describe('expansion keeps local time across DST changes', () => {
  it.each([
    // Berlin: summer time from 31 March, winter time from 27 October 2024.
    ['Europe/Berlin, spring', 'Europe/Berlin', '20240325T090000', ['2024-03-25T08:00:00.000Z', '2024-04-01T07:00:00.000Z']],
    ['Europe/Berlin, autumn', 'Europe/Berlin', '20241021T090000', ['2024-10-21T07:00:00.000Z', '2024-10-28T08:00:00.000Z']],
    // New York: EDT from 10 March, EST from 3 November 2024.
    ['America/New_York, spring', 'America/New_York', '20240304T090000', ['2024-03-04T14:00:00.000Z', '2024-03-11T13:00:00.000Z']],
    ['America/New_York, autumn', 'America/New_York', '20241028T090000', ['2024-10-28T13:00:00.000Z', '2024-11-04T14:00:00.000Z']],
    // Sydney, southern hemisphere: daylight time ENDS on 7 April and BEGINS on 6 October 2024.
    ['Australia/Sydney, April (UTC+11 → +10)', 'Australia/Sydney', '20240401T090000', ['2024-03-31T22:00:00.000Z', '2024-04-07T23:00:00.000Z']],
    ['Australia/Sydney, October (UTC+10 → +11)', 'Australia/Sydney', '20240930T090000', ['2024-09-29T23:00:00.000Z', '2024-10-06T22:00:00.000Z']],
  ])('%s', (_label, zone, local, expected) => {
    const items = stored([zone], ...vevent('w', `DTSTART;TZID=${zone}:${local}`, `DTEND;TZID=${zone}:${local.replace('T09', 'T10')}`, 'RRULE:FREQ=WEEKLY;COUNT=2'));
    const occurrences = occurrencesIn(items, ...YEAR_2024);
    expect(startsOf(occurrences)).toEqual(expected);
    expect(occurrences.map((o) => o.end.getTime() - o.start.getTime())).toEqual([3_600_000, 3_600_000]);
    // The instance's own start stays 09:00 local time in its zone.
    expect(occurrences.map((o) => [o.startTime!.hour, o.startTime!.zone!.tzid])).toEqual([[9, zone], [9, zone]]);
  });
});

describe('all-day series', () => {
  const DAILY = vevent('a', 'DTSTART;VALUE=DATE:20240305', 'DTEND;VALUE=DATE:20240306', 'RRULE:FREQ=DAILY;COUNT=3');

  it('instances are DATEs with DATE recurrence ids', () => {
    const occurrences = occurrencesIn(stored([], ...DAILY), ...YEAR_2024);
    expect(occurrences.map((o) => [o.startTime!.toICALString(), o.endTime!.toICALString(), o.recurrenceId!.toICALString()])).toEqual([
      ['20240305', '20240306', '20240305'],
      ['20240306', '20240307', '20240306'],
      ['20240307', '20240308', '20240307'],
    ]);
  });

  it.each([
    ['UTC when the calendar has no zone', undefined, ['2024-03-05T00:00:00.000Z', '2024-03-06T00:00:00.000Z']],
    ['the calendar zone (RFC 4791 §9.9)', 'Australia/Sydney', ['2024-03-04T13:00:00.000Z', '2024-03-05T13:00:00.000Z']],
  ])('days become instants in %s', (_label, floatingZone, first) => {
    const [occurrence] = occurrencesIn(stored([], ...DAILY), ...YEAR_2024, { floatingZone });
    expect([occurrence!.start.toISOString(), occurrence!.end.toISOString()]).toEqual(first);
  });
});

describe('overrides and EXDATE', () => {
  const WEEKLY = vevent('s', 'DTSTART;TZID=Europe/Berlin:20240108T090000', 'DTEND;TZID=Europe/Berlin:20240108T100000', 'RRULE:FREQ=WEEKLY;COUNT=4', 'SUMMARY:Series');
  // The 15 January instance moved to Thursday 25 January, after the next regular instance.
  const MOVED = vevent('s', 'RECURRENCE-ID;TZID=Europe/Berlin:20240115T090000', 'DTSTART;TZID=Europe/Berlin:20240125T140000', 'DTEND;TZID=Europe/Berlin:20240125T150000', 'SUMMARY:Moved');

  it('an instance moved to another day is found on that day, with the override as item', () => {
    const occurrences = occurrencesIn(stored(['Europe/Berlin'], ...WEEKLY, ...MOVED), iso('2024-01-24T00:00:00Z'), iso('2024-01-26T00:00:00Z'));
    expect(startsOf(occurrences)).toEqual(['2024-01-25T13:00:00.000Z']);
    expect(occurrences[0]!.item.getFirstPropertyValue('summary')).toBe('Moved');
    expect(occurrences[0]!.recurrenceId!.toICALString()).toBe('20240115T090000');
  });

  it('an instance moved into the range from after it is found (the walk goes on to its RECURRENCE-ID)', () => {
    const early = vevent('s', 'RECURRENCE-ID;TZID=Europe/Berlin:20240129T090000', 'DTSTART;TZID=Europe/Berlin:20240109T070000', 'DTEND;TZID=Europe/Berlin:20240109T080000', 'SUMMARY:Early');
    const occurrences = occurrencesIn(stored(['Europe/Berlin'], ...WEEKLY, ...early), iso('2024-01-09T00:00:00Z'), iso('2024-01-10T00:00:00Z'));
    expect(occurrences.map((o) => o.item.getFirstPropertyValue('summary'))).toEqual(['Early']);
  });

  it('the moved instance is gone from its original day', () => {
    const occurrences = occurrencesIn(stored(['Europe/Berlin'], ...WEEKLY, ...MOVED), iso('2024-01-15T00:00:00Z'), iso('2024-01-16T00:00:00Z'));
    expect(occurrences).toEqual([]);
  });

  it('EXDATE on an overridden instance removes it, override and all (RFC 5545 §3.8.5.1)', () => {
    const withExdate = WEEKLY.map((l) => (l.startsWith('RRULE') ? `${l}\r\nEXDATE;TZID=Europe/Berlin:20240115T090000` : l));
    const occurrences = occurrencesIn(stored(['Europe/Berlin'], ...withExdate, ...MOVED), ...YEAR_2024);
    expect(startsOf(occurrences)).toEqual(['2024-01-08T08:00:00.000Z', '2024-01-22T08:00:00.000Z', '2024-01-29T08:00:00.000Z']);
    expect(occurrences.map((o) => o.item.getFirstPropertyValue('summary'))).not.toContain('Moved');
  });
});

describe('caps', () => {
  const UNBOUNDED = vevent('u', 'DTSTART:20240101T090000Z', 'DTEND:20240101T100000Z', 'RRULE:FREQ=DAILY');

  it('an unbounded rule over an open range stops at maxPerSeries', () => {
    const limits = { ...DEFAULT_LIMITS, maxPerSeries: 25 };
    const occurrences = occurrencesIn(stored([], ...UNBOUNDED), undefined, undefined, { limits });
    expect(occurrences).toHaveLength(25);
    expect(occurrences.at(-1)!.start.toISOString()).toBe('2024-01-25T09:00:00.000Z');
  });

  it('maxTotal caps several series sharing one counter', () => {
    const limits = { ...DEFAULT_LIMITS, maxPerSeries: 10, maxTotal: 15 };
    const used = { total: 0 };
    const first = occurrencesIn(stored([], ...UNBOUNDED), undefined, undefined, { limits, used });
    const second = occurrencesIn(stored([], ...vevent('v', 'DTSTART:20240101T120000Z', 'RRULE:FREQ=DAILY')), undefined, undefined, { limits, used });
    expect([first.length, second.length, used.total]).toEqual([10, 5, 15]);
  });

  it('the per-series cap counts instances in the range, not from the series start', () => {
    const limits = { ...DEFAULT_LIMITS, maxPerSeries: 3 };
    const occurrences = occurrencesIn(stored([], ...UNBOUNDED), iso('2030-06-01T00:00:00Z'), undefined, { limits });
    expect(startsOf(occurrences)).toEqual(['2030-06-01T09:00:00.000Z', '2030-06-02T09:00:00.000Z', '2030-06-03T09:00:00.000Z']);
  });

  it('the step budget ends a series whose window lies beyond it', () => {
    const limits = { ...DEFAULT_LIMITS, maxStepsPerSeries: 100 };
    expect(occurrencesIn(stored([], ...UNBOUNDED), iso('2030-01-01T00:00:00Z'), iso('2030-01-02T00:00:00Z'), { limits })).toEqual([]);
    expect(occurrencesIn(stored([], ...UNBOUNDED), iso('2024-02-01T00:00:00Z'), iso('2024-02-02T00:00:00Z'), { limits })).toHaveLength(1);
  });
});

describe('rules that can never match', () => {
  it.each([
    ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', true],
    ['FREQ=HOURLY;BYMONTH=4,6;BYMONTHDAY=31', true],
    ['FREQ=DAILY;BYMONTHDAY=-30;BYMONTH=2', true],
    ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29', false],
    ['FREQ=DAILY;BYMONTH=2,3;BYMONTHDAY=30', false],
    ['FREQ=WEEKLY;BYDAY=MO', false],
  ])('%s → %s', (rule, never) => {
    expect(ruleCanNeverMatch(ICAL.Recur.fromString(rule))).toBe(never);
  });

  it('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 completes and yields nothing, DTSTART included', () => {
    const items = stored([], ...vevent('x', 'DTSTART:20240101T090000Z', 'DTEND:20240101T100000Z', 'RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30'));
    expect(occurrencesIn(items, ...YEAR_2024)).toEqual([]);
    expect(occurrencesIn(items, undefined, undefined)).toEqual([]);
  });

  it('a rule too sparse for the step budget ends instead of hanging', () => {
    // 29 February on a Monday: 2044 is the next one, hours away beyond any sensible budget.
    const items = stored([], ...vevent('y', 'DTSTART:20240101T090000Z', 'RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO'));
    const occurrences = occurrencesIn(items, iso('2040-01-01T00:00:00Z'), iso('2050-01-01T00:00:00Z'), { limits: { ...DEFAULT_LIMITS, maxStepsPerSeries: 1000 } });
    expect(occurrences).toEqual([]);
  });
});

describe('exceptions without their master (another client stored only overrides)', () => {
  it('are occurrences of their own, found whatever order they are stored in', () => {
    const items = stored([],
      ...vevent('o', 'RECURRENCE-ID:20240320T090000Z', 'DTSTART:20240320T090000Z', 'DTEND:20240320T100000Z', 'SUMMARY:Late'),
      ...vevent('o', 'RECURRENCE-ID:20240306T090000Z', 'DTSTART:20240306T090000Z', 'DTEND:20240306T100000Z', 'SUMMARY:Early'));
    const occurrences = occurrencesIn(items, iso('2024-03-01T00:00:00Z'), iso('2024-03-10T00:00:00Z'));
    expect(occurrences.map((o) => [o.item.getFirstPropertyValue('summary'), o.recurrenceId!.toICALString()])).toEqual([['Early', '20240306T090000Z']]);
  });
});
